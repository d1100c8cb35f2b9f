/// The facts reassembly keeps from a chunk's metadata (the rest is stored with the event).
struct MessageMetadata: Hashable {
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

/// Message ids → the metadata read for them. A run holds few distinct metadata (one per node
/// and model) for as many messages as it brings, so each id maps to a shared entry.
struct MessageMetadataTable {
  private var indexByID: [String: Int32] = [:]
  private var values: [MessageMetadata] = []
  private var indexByValue: [MessageMetadata: Int32] = [:]

  subscript(id: String) -> MessageMetadata? {
    get { indexByID[id].map { values[Int($0)] } }
    set {
      guard let newValue else {
        indexByID[id] = nil
        return
      }
      if let index = indexByValue[newValue] {
        indexByID[id] = index
      } else {
        let index = Int32(values.count)
        values.append(newValue)
        indexByValue[newValue] = index
        indexByID[id] = index
      }
    }
  }

  /// Which entry `id` maps to: equal for two ids exactly when their metadata are equal.
  func entry(for id: String) -> Int32? { indexByID[id] }
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
    /// The metadata its row was stored with (its entry in `metadata`); the place is its index
    /// in `order`.
    var metadataEntry: Int32?
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

  var metadata = MessageMetadataTable()
  private var grouper = MessageGrouper()
  // A run of `updates` events can bring hundreds of thousands of messages, and what is kept
  // per key stays until the run ends: it is kept in arrays by the key's index in `order`, with
  // one dictionary to find that index, not in a dictionary per fact (which took about 1 KB a
  // message).
  private var order: [String] = []
  /// Each key's index in `order`.
  private var orderIndex: [String: Int] = [:]
  /// By index in `order`: the seq where each key first appeared.
  private var firstSeqs: [Int] = []
  /// By index in `order`: what is kept of a message handed over (see `takeWholeMessages`).
  private var handedOver: [HandedOverMessage?] = []
  /// How many messages were handed over.
  private var handedOverCount = 0
  private var streamed: [String: StreamedMessage] = [:]
  private var snapshots: [String: SnapshotGroup] = [:]
  private var whole: [String: WholeMessage] = [:]
  /// Keys whose whole copy arrived since the last `takeWholeMessages`.
  private var wholeKeysToHandOver: [String] = []
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
    firstSeqs.append(seq)
    handedOver.append(nil)
  }

  private func handedOverMessage(_ key: String) -> HandedOverMessage? {
    guard handedOverCount > 0, let index = orderIndex[key] else { return nil }
    return handedOver[index]
  }

  /// A message arrived whole under `key`, whether it is still here or was handed over.
  private func hasWhole(_ key: String) -> Bool {
    whole[key] != nil || handedOverMessage(key) != nil
  }

  private mutating func setWhole(_ message: WholeMessage, forKey key: String) {
    whole[key] = message
    wholeKeysToHandOver.append(key)
  }

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
      setWhole(WholeMessage(fields, id: key), forKey: key)
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
      setWhole(WholeMessage(fields, id: id), forKey: id)
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
      setWhole(WholeMessage(fields, id: id), forKey: id)
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
    defer { wholeKeysToHandOver = [] }
    var taken: [Message] = []
    for key in wholeKeysToHandOver where snapshots[key] == nil && streamed[key] == nil {
      // A key can be listed twice, when a later copy came before the first was taken.
      guard let index = orderIndex[key], whole[key] != nil,
        let message = builtMessage(forKey: key, info: metadata[key] ?? MessageMetadata())
      else { continue }
      whole[key] = nil
      var row = message
      row.position = index
      taken.append(row)
      if handedOver[index] == nil { handedOverCount += 1 }
      handedOver[index] = HandedOverMessage(
        type: message.type, toolCallID: message.toolCallID, toolCalls: message.toolCalls,
        metadataEntry: metadata.entry(for: key))
    }
    return taken
  }

  /// The message a key stands for from what is at hand: its snapshots, its merged chunks or its
  /// whole copy; nil when it was handed over and nothing came since.
  private func builtMessage(forKey key: String, info: MessageMetadata) -> Message? {
    var message = Message(
      messageID: key, type: "ai", node: info.node, namespace: info.namespace, content: "",
      toolCalls: [], toolCallID: nil, chunkCount: 1, usage: nil, model: info.model,
      provider: info.provider, firstSeq: orderIndex[key].map { firstSeqs[$0] } ?? 0)
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
    } else if handedOverMessage(key) != nil {
      return nil
    }
    for index in message.toolCalls.indices { message.toolCalls[index].node = message.node }
    message.toolCallsJSON = ToolCall.canonicalJSON(message.toolCalls)
    return message
  }

  /// The run's messages in order of first appearance, its chunks not taken before, its tool
  /// calls with their results, the ids of messages whose chunks were taken under another
  /// key (see `takeChunks`), and what changed about messages handed over before (see
  /// `takeWholeMessages`); when some were, the messages to write carry their positions.
  func finish() -> (
    messages: [Message], chunks: [MessageChunk], toolCalls: [ToolCall],
    renamedChunkKeys: [String: String], storedAhead: MessagesStoredAhead
  ) {
    // The run's messages in order: an index into `messages` for a row to write, or, for a
    // message stored ahead, -1 - its index in `order`.
    var finished: [Int] = []
    var messages: [Message] = []
    finished.reserveCapacity(order.count)
    messages.reserveCapacity(order.count - handedOverCount)
    var storedAhead = MessagesStoredAhead()
    var storedIDs = Set<String>()
    for (index, key) in order.enumerated() {
      let built = builtMessage(forKey: key, info: metadata[key] ?? MessageMetadata())
      let isHandedOver = handedOverCount > 0 && handedOver[index] != nil
      let messageID = built?.messageID ?? key
      // Two keys can name one message only through a malformed stream; keep the first.
      let isKept = storedIDs.insert(messageID).inserted
      // A row stored ahead stays only as the message its key still stands for.
      if isHandedOver && (built != nil || !isKept) { storedAhead.removedIDs.append(key) }
      guard isKept else { continue }
      if var built {
        if handedOverCount > 0 { built.position = finished.count }
        finished.append(messages.count)
        messages.append(built)
      } else if isHandedOver {
        finished.append(-1 - index)
      }
    }

    var results: [String: (text: String?, messageID: String?)] = [:]
    for (position, entry) in finished.enumerated() {
      if entry >= 0 {
        let message = messages[entry]
        if message.type == "tool", let id = message.toolCallID {
          results[id] = (message.content, nil)
        }
        continue
      }
      let index = -1 - entry
      guard let handed = handedOver[index] else { continue }
      let key = order[index]
      storedAhead.keptCount += 1
      if handed.type == "tool", let id = handed.toolCallID { results[id] = (nil, key) }
      let entryNow = metadata.entry(for: key)
      if index != position || entryNow != handed.metadataEntry {
        let info = metadata[key] ?? MessageMetadata()
        storedAhead.updates.append(
          MessagesStoredAhead.Update(
            messageID: key, position: position, node: info.node, namespace: info.namespace,
            model: info.model, provider: info.provider))
      }
    }
    var toolCalls: [ToolCall] = []
    for entry in finished {
      var calls: [ToolCall]
      if entry >= 0 {
        guard messages[entry].type == "ai" else { continue }
        calls = messages[entry].toolCalls
      } else {
        let index = -1 - entry
        guard let handed = handedOver[index], handed.type == "ai" else { continue }
        let node = metadata[order[index]]?.node
        calls = handed.toolCalls
        for call in calls.indices { calls[call].node = node }
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
