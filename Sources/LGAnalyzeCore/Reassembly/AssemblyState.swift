/// The facts reassembly keeps from a chunk's metadata (the rest is stored with the event).
struct MessageMetadata: Equatable {
  var node: String?
  var namespace: String?
  var model: String?
  var provider: String?

  init(node: String? = nil) { self.node = node }

  init(_ metadata: JSONNode) {
    node = metadata["langgraph_node"]?.stringValue
    namespace = metadata["langgraph_checkpoint_ns"]?.stringValue
    model = metadata["ls_model_name"]?.stringValue
    provider = metadata["ls_provider"]?.stringValue
  }
}

/// What RunAssembler knows about a run's messages while it reads the events.
///
/// Messages are kept under a key: for streamed messages the key MessageGrouper chose (the first
/// id the message streamed under), for whole messages their id. `order` lists keys in the order
/// messages first appeared, which is the order they are stored in.
struct AssemblyState {
  /// A streamed message merged so far (the fields lganalyze keeps of `AIMessageChunk.__add__`).
  private struct StreamedMessage {
    var content: JSONValue
    var toolCallChunks: [JSONValue]
    var usage: JSONValue?
    var count: Int

    /// Merges the next chunk in.
    mutating func add(
      content next: JSONValue, toolCallChunks nextCalls: [JSONValue], usage nextUsage: JSONValue?
    ) {
      ChunkMergeRules.mergeContent(into: &content, next)
      toolCallChunks = ChunkMergeRules.mergeLists(toolCallChunks, nextCalls)
      usage = ChunkMergeRules.addUsage(usage, nextUsage)
      count += 1
    }
  }

  /// The legacy messages/partial snapshots of one message: the latest per id, in id order.
  private struct SnapshotGroup {
    var ids: [String] = []
    var latest: [String: JSONNode] = [:]
    var count = 0
  }

  /// What `finish` needs of a message that arrived whole, read when it arrives. A run of
  /// `updates` events brings a new whole message in nearly every event, and all of them wait for
  /// the run's end: kept as detached JSON (bytes, tape and the keys nothing reads), each took
  /// about three times the memory of its text.
  private struct WholeMessage {
    var type: String
    var content: String
    var toolCalls: [ToolCall]
    var usage: TokenUsage?
    var toolCallID: String?

    init(_ fields: JSONNode, id: String) {
      let type = fields["type"]?.stringValue ?? "unknown"
      self.type = ["AIMessageChunk": "ai", "user": "human"][type] ?? type
      content = ChunkMergeRules.text(of: fields["content"]?.value)
      toolCalls = AssemblyState.wholeToolCalls(fields["tool_calls"]?.value, messageID: id)
      usage = AssemblyState.tokenUsage(fields["usage_metadata"]?.value)
      toolCallID = self.type == "tool" ? fields["tool_call_id"]?.stringValue : nil
    }
  }

  /// What `finish` still needs of a whole message handed over before the run ended (see
  /// `takeWholeMessages`): enough to place it, to update its row, and to make its tool calls.
  private struct HandedOverMessage {
    var type: String
    var toolCallID: String?
    var toolCalls: [ToolCall]
    /// The place and metadata its row was stored with.
    var position: Int
    var metadata: MessageMetadata
  }

  private struct ChunkRecord {
    var key: String
    var seq: Int
    var node: String?
    var namespace: String?
    var content: String
    var toolCallChunks: String?
    var usage: String?

    func chunk(messageID: String) -> MessageChunk {
      MessageChunk(
        messageID: messageID, seq: seq, node: node, namespace: namespace, content: content,
        toolCallChunks: toolCallChunks, usage: usage)
    }
  }

  var metadata: [String: MessageMetadata] = [:]
  private var grouper = MessageGrouper()
  private var order: [String] = []
  /// Each key's index in `order`.
  private var orderIndex: [String: Int] = [:]
  private var firstSeq: [String: Int] = [:]
  private var streamed: [String: StreamedMessage] = [:]
  private var snapshots: [String: SnapshotGroup] = [:]
  private var whole: [String: WholeMessage] = [:]
  private var handedOver: [String: HandedOverMessage] = [:]
  private var chunkRecords: [ChunkRecord] = []
  /// Keys of messages some of whose chunks were taken before the run ended.
  private var takenChunkKeys: Set<String> = []

  /// The chunk metadata read last, with what was read from it. The chunks of one message
  /// carry byte-identical metadata (some twenty-five keys), so comparing the bytes with the
  /// last ones spares the lookups for all but a message's first chunk.
  private var lastMetadataNode: JSONNode?
  private var lastMetadataInfo = MessageMetadata()

  private mutating func readMetadata(_ node: JSONNode) -> MessageMetadata {
    if lastMetadataNode?.hasSameText(as: node) == true { return lastMetadataInfo }
    lastMetadataInfo = MessageMetadata(node)
    lastMetadataNode = node
    return lastMetadataInfo
  }

  private mutating func appendOrder(_ key: String, seq: Int) {
    guard orderIndex[key] == nil else { return }
    orderIndex[key] = order.count
    order.append(key)
    firstSeq[key] = seq
  }

  /// A message arrived whole under `key`, whether it is still here or was handed over.
  private func hasWhole(_ key: String) -> Bool { whole[key] != nil || handedOver[key] != nil }

  private static func namespaceKey(_ metadata: MessageMetadata?, fallback: String) -> String {
    if let ns = metadata?.namespace, !ns.isEmpty { return ns }
    return fallback
  }

  // MARK: - Reading

  /// A message from the messages-tuple stream or events mode: a chunk to merge, or a whole
  /// message (a node's output, a tool result).
  mutating func addMessage(
    _ fields: JSONNode, metadata chunkMetadata: JSONNode?, namespace: String, seq: Int
  ) {
    guard fields.kind == .object else { return }
    let info = chunkMetadata.map { readMetadata($0) } ?? MessageMetadata()
    var key = fields["id"]?.stringValue ?? ""
    let isChunk = fields["type"]?.stringValue == "AIMessageChunk"
    if isChunk {
      key = grouper.key(
        for: key, namespace: Self.namespaceKey(info, fallback: namespace),
        isLast: fields["chunk_position"]?.stringValue == "last")
    } else if grouper.hasSeen(key) {
      return  // a whole copy of a message that streamed: the chunks win
    }
    if streamed[key] == nil && !hasWhole(key) {
      appendOrder(key, seq: seq)
      metadata[key] = info
    }
    guard isChunk else {
      whole[key] = WholeMessage(fields, id: key)
      return
    }
    // Renderings that elided nested parts leave nulls in lists; langchain never sees those.
    let content = Self.droppingNulls(fields["content"]?.value) ?? .string("")
    let toolCallChunks = Self.droppingNulls(fields["tool_call_chunks"]?.value)?.arrayValue ?? []
    let usageNode = fields["usage_metadata"]
    let usage = usageNode.flatMap { $0.isNull ? nil : $0.value }
    if streamed[key] != nil {
      // Merged in place in the dictionary: a copy taken out and stored back would share the
      // content with the stored one and force a copy of the whole text at every chunk.
      streamed[key]?.add(content: content, toolCallChunks: toolCallChunks, usage: usage)
    } else {
      streamed[key] = StreamedMessage(
        content: content, toolCallChunks: toolCallChunks, usage: usage, count: 1)
    }
    chunkRecords.append(
      ChunkRecord(
        key: key, seq: seq, node: info.node, namespace: info.namespace,
        content: ChunkMergeRules.text(of: content),
        toolCallChunks: toolCallChunks.isEmpty
          ? nil : CanonicalJSONWriter.string(.array(toolCallChunks)),
        usage: usage == nil ? nil : usageNode?.text))
  }

  /// A message of the legacy messages mode: an AI message's snapshot so far, or a whole message.
  mutating func addSnapshot(_ fields: JSONNode, namespace: String, seq: Int) {
    guard fields.kind == .object else { return }
    let id = fields["id"]?.stringValue ?? ""
    let type = fields["type"]?.stringValue
    guard type == "ai" || type == "AIMessageChunk" else {
      if !hasWhole(id) && streamed[id] == nil && !grouper.hasSeen(id) {
        appendOrder(id, seq: seq)
      }
      whole[id] = WholeMessage(fields, id: id)
      return
    }
    let key = grouper.key(
      for: id, namespace: Self.namespaceKey(metadata[id], fallback: namespace), isLast: false)
    var group = snapshots[key] ?? SnapshotGroup()
    let previousText = ChunkMergeRules.text(of: group.latest[id]?["content"]?.value)
    if group.latest[id] == nil { group.ids.append(id) }
    group.latest[id] = fields.detached
    group.count += 1
    snapshots[key] = group
    if !hasWhole(key) && streamed[key] == nil && orderIndex[key] == nil {
      appendOrder(key, seq: seq)
      if metadata[key] == nil { metadata[key] = metadata[id] ?? MessageMetadata() }
    }
    let text = ChunkMergeRules.text(of: fields["content"]?.value)
    let info = metadata[key]
    let usage = fields["usage_metadata"]
    chunkRecords.append(
      ChunkRecord(
        key: key, seq: seq, node: info?.node, namespace: info?.namespace,
        content: text.hasPrefix(previousText) ? String(text.dropFirst(previousText.count)) : text,
        toolCallChunks: nil,
        usage: usage.flatMap { $0.isNull ? nil : $0.text }))
  }

  /// A whole message found in graph state or a node's output: it fills in what the stream did
  /// not carry and never overrides a streamed message.
  mutating func addStateMessage(_ fields: JSONNode, node: String?, seq: Int) {
    guard fields.kind == .object, let id = fields["id"]?.stringValue, !id.isEmpty,
      streamed[id] == nil, !grouper.hasSeen(id)
    else { return }
    if !hasWhole(id) {
      appendOrder(id, seq: seq)
      whole[id] = WholeMessage(fields, id: id)
    }
    if let node, metadata[id]?.node == nil {
      metadata[id] = MessageMetadata(node: node)
    }
  }

  private static func droppingNulls(_ value: JSONValue?) -> JSONValue? {
    guard let value else { return nil }
    switch value {
    case .null: return nil
    case .array(let elements): return .array(elements.filter { !$0.isNull })
    default: return value
    }
  }

  // MARK: - Results

  /// Hands over the chunks read so far, each under its message's key, which names the message
  /// for now: `finish` tells which of them the message ends up with another id for.
  mutating func takeChunks() -> [MessageChunk] {
    defer { chunkRecords = [] }
    return chunkRecords.map { record in
      takenChunkKeys.insert(record.key)
      return record.chunk(messageID: record.key)
    }
  }

  /// Hands over the messages that arrived whole since the last call, each as the row it is
  /// stored as, placed by its first appearance: a run of `updates` events brings a new message in
  /// nearly every event, and keeping them all until the run's end made memory grow with the run.
  /// What `finish` needs of them stays (see `HandedOverMessage`). A later copy of one brings it
  /// back, to be handed over or finished again, replacing its row.
  mutating func takeWholeMessages() -> [Message] {
    var taken: [Message] = []
    for key in whole.keys where snapshots[key] == nil && streamed[key] == nil {
      guard let position = orderIndex[key] else { continue }
      let info = metadata[key] ?? MessageMetadata()
      guard let message = builtMessage(forKey: key, info: info) else { continue }
      var row = message
      row.position = position
      taken.append(row)
      handedOver[key] = HandedOverMessage(
        type: message.type, toolCallID: message.toolCallID, toolCalls: message.toolCalls,
        position: position, metadata: info)
    }
    for message in taken { whole[message.messageID] = nil }
    return taken.sorted { ($0.position ?? 0) < ($1.position ?? 0) }
  }

  /// The message a key stands for from what is at hand: its snapshots, its merged chunks or its
  /// whole copy; nil when it was handed over and nothing came since.
  private func builtMessage(forKey key: String, info: MessageMetadata) -> Message? {
    var message = Message(
      messageID: key, type: "ai", node: info.node, namespace: info.namespace, content: "",
      toolCalls: [], toolCallID: nil, chunkCount: 1, usage: nil, model: info.model,
      provider: info.provider, firstSeq: firstSeq[key] ?? 0)
    if let group = snapshots[key] {
      message.messageID = grouper.messageID(forKey: key)
      var usage: JSONValue?
      for id in group.ids {
        guard let snapshot = group.latest[id] else { continue }
        message.content += ChunkMergeRules.text(of: snapshot["content"]?.value)
        message.toolCalls += Self.wholeToolCalls(
          snapshot["tool_calls"]?.value, messageID: message.messageID)
        usage = ChunkMergeRules.addUsage(usage, snapshot["usage_metadata"]?.value)
      }
      message.usage = Self.tokenUsage(usage)
      message.chunkCount = group.count
      message.modelCallID = grouper.langChainID(forKey: key)
    } else if let merged = streamed[key] {
      message.messageID = grouper.messageID(forKey: key)
      message.content = ChunkMergeRules.text(of: merged.content)
      message.toolCalls = merged.toolCallChunks.compactMap {
        Self.streamedToolCall($0, messageID: message.messageID)
      }
      message.usage = Self.tokenUsage(merged.usage)
      message.chunkCount = merged.count
      message.modelCallID = grouper.langChainID(forKey: key)
    } else if let arrived = whole[key] {
      message.type = arrived.type
      message.content = arrived.content
      message.toolCalls = arrived.toolCalls
      message.usage = arrived.usage
      message.toolCallID = arrived.toolCallID
      if MessageGrouper.isLangChainID(key) { message.modelCallID = key }
    } else if handedOver[key] != nil {
      return nil
    }
    for index in message.toolCalls.indices { message.toolCalls[index].node = message.node }
    message.toolCallsJSON = ToolCall.canonicalJSON(message.toolCalls)
    return message
  }

  /// A message as the run's end has it: a row to write, or one stored ahead.
  private enum FinishedMessage {
    case row(Message)
    case storedAhead(key: String, HandedOverMessage, MessageMetadata)

    var messageID: String {
      switch self {
      case .row(let message): message.messageID
      case .storedAhead(let key, _, _): key
      }
    }
  }

  /// The run's messages in order of first appearance, its chunks not taken before, its tool
  /// calls with their results, the ids of messages whose chunks were taken under another
  /// key (see `takeChunks`), and what changed about messages handed over before (see
  /// `takeWholeMessages`); when some were, the messages to write carry their positions.
  func finish() -> (
    messages: [Message], chunks: [MessageChunk], toolCalls: [ToolCall],
    renamedChunkKeys: [String: String], storedAhead: MessagesStoredAhead
  ) {
    var finished: [FinishedMessage] = []
    finished.reserveCapacity(order.count)
    var storedIDs = Set<String>()
    // Keys handed over whose row the run keeps under that key.
    var keptRows = Set<String>()
    for key in order {
      let info = metadata[key] ?? MessageMetadata()
      let message: FinishedMessage
      if let built = builtMessage(forKey: key, info: info) {
        message = .row(built)
      } else if let handed = handedOver[key] {
        message = .storedAhead(key: key, handed, info)
      } else {
        continue
      }
      // Two keys can name one message only through a malformed stream; keep the first.
      guard storedIDs.insert(message.messageID).inserted else { continue }
      if case .storedAhead = message { keptRows.insert(key) }
      finished.append(message)
    }

    var storedAhead = MessagesStoredAhead()
    storedAhead.removedIDs = handedOver.keys.filter { !keptRows.contains($0) }.sorted()
    var messages: [Message] = []
    messages.reserveCapacity(finished.count - keptRows.count)
    var results: [String: (text: String?, messageID: String?)] = [:]
    var toolCalls: [ToolCall] = []
    for (position, entry) in finished.enumerated() {
      switch entry {
      case .row(var message):
        if message.type == "tool", let id = message.toolCallID {
          results[id] = (message.content, nil)
        }
        if !handedOver.isEmpty { message.position = position }
        messages.append(message)
      case .storedAhead(let key, let handed, let info):
        storedAhead.keptCount += 1
        if handed.type == "tool", let id = handed.toolCallID { results[id] = (nil, key) }
        if handed.position != position || handed.metadata != info {
          storedAhead.updates.append(
            MessagesStoredAhead.Update(
              messageID: key, position: position, node: info.node, namespace: info.namespace,
              model: info.model, provider: info.provider))
        }
      }
    }
    for entry in finished {
      let calls: [ToolCall]
      switch entry {
      case .row(let message):
        guard message.type == "ai" else { continue }
        calls = message.toolCalls
      case .storedAhead(_, let handed, let info):
        guard handed.type == "ai" else { continue }
        calls = handed.toolCalls.map { call in
          var call = call
          call.node = info.node
          return call
        }
      }
      for var call in calls {
        if let id = call.toolCallID, let result = results[id] {
          call.result = result.text
          call.resultMessageID = result.messageID
        }
        toolCalls.append(call)
      }
    }
    let chunks = chunkRecords.map { record in
      record.chunk(messageID: grouper.messageID(forKey: record.key))
    }
    var renamedChunkKeys: [String: String] = [:]
    for key in takenChunkKeys {
      let messageID = grouper.messageID(forKey: key)
      if messageID != key { renamedChunkKeys[key] = messageID }
    }
    return (messages, chunks, toolCalls, renamedChunkKeys, storedAhead)
  }

  /// A tool call rebuilt from a merged `tool_call_chunks` entry, as `init_tool_calls` does:
  /// empty args mean `{}`; args that do not parse as a JSON object stay as raw text, flagged.
  private static func streamedToolCall(_ chunk: JSONValue, messageID: String) -> ToolCall? {
    guard case .object(let fields) = chunk else { return nil }
    let rawArgs = fields["args"]?.stringValue ?? ""
    var args = "{}"
    var argsValid = true
    if !rawArgs.isEmpty {
      let bytes = Array(rawArgs.utf8)
      if case .object(let object)? = try? LiteralReader.parse(bytes, dialect: .json).value {
        args = CanonicalJSONWriter.string(.object(object))
      } else {
        args = rawArgs
        argsValid = false
      }
    }
    return ToolCall(
      messageID: messageID, toolCallID: fields["id"]?.stringValue,
      name: fields["name"]?.stringValue ?? "", args: args, argsValid: argsValid, result: nil,
      node: nil)
  }

  /// The tool calls of a whole message (`tool_calls` with args already parsed).
  private static func wholeToolCalls(_ value: JSONValue?, messageID: String) -> [ToolCall] {
    guard case .array(let calls)? = value else { return [] }
    return calls.compactMap { call in
      guard case .object(let fields) = call else { return nil }
      var args = "{}"
      var argsValid = true
      switch fields["args"] {
      case .object(let object)?:
        args = CanonicalJSONWriter.string(.object(object))
      case .string(let text)?:
        args = text
        argsValid =
          (try? LiteralReader.parse(Array(text.utf8), dialect: .json).value.objectValue) != nil
      case let other?:
        args = CanonicalJSONWriter.string(other)
        argsValid = false
      case nil:
        break
      }
      return ToolCall(
        messageID: messageID, toolCallID: fields["id"]?.stringValue,
        name: fields["name"]?.stringValue ?? "", args: args, argsValid: argsValid, result: nil,
        node: nil)
    }
  }

  private static func tokenUsage(_ value: JSONValue?) -> TokenUsage? {
    guard let value, case .object = value else { return nil }
    return TokenUsage(
      inputTokens: value["input_tokens"]?.intValue, outputTokens: value["output_tokens"]?.intValue,
      totalTokens: value["total_tokens"]?.intValue, json: CanonicalJSONWriter.string(value))
  }
}
