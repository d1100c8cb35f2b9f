import Crypto

// RunAssembler turns the events of one run into what lganalyze stores: normalized events, the
// streamed chunks, whole messages, tool calls with their results, and the run's status.
//
// Messages come from three kinds of events, and a message found in more than one is one message:
//
//   streamed chunks   messages (messages-tuple `[chunk, metadata]`) and events-mode
//                     on_chat_model_stream: merged in stream order by langchain_core's rules,
//                     grouped by MessageGrouper;
//   snapshots         the legacy messages/partial: the whole message so far, per id; the last
//                     snapshot of each id counts, the snapshots are the message's chunks;
//   whole copies      messages/complete, events-mode on_tool_end, and node outputs in updates,
//                     values, debug, tasks and checkpoints payloads: they fill in what chunks did
//                     not carry (human inputs, tool results), de-duplicated by message id, and
//                     never override a streamed message.

/// Splits a source's events into runs and reassembles each.
public enum RunAssembler {
  /// The events of one run, as they were split from a source.
  public struct Segment: Sendable {
    /// The run id of the metadata event that started the segment; nil for events before any.
    public var runID: String?
    public var attempt: Int
    public var events: [SourceEvent]
  }

  /// Splits events into runs: every `metadata` event starts one (see RunBoundaryFinder), so a
  /// retried run (same run_id, higher attempt) is a run of its own.
  public static func split(_ events: [SourceEvent]) -> [Segment] {
    var issues: [SourceIssue] = []
    return split(events, issues: &issues)
  }

  /// Splits events into runs, adding to `issues` the boundaries a clean stream does not have.
  public static func split(_ events: [SourceEvent], issues: inout [SourceIssue]) -> [Segment] {
    var splitter = RunSplitter()
    var segments = events.compactMap { splitter.add($0) }
    if let last = splitter.finish() { segments.append(last) }
    issues += splitter.takeIssues()
    return segments
  }

  /// Reassembles one run.
  /// - Parameters:
  ///   - runID: the id to store the run under (the segment's, or one derived from its source).
  ///   - endsInsideEvent: true when the source stops inside this run's last event.
  ///   - threadID: a thread id known from outside the events (saved HTTP headers).
  public static func assemble(
    _ segment: Segment, runID: String, endsInsideEvent: Bool, threadID: String? = nil
  ) -> Run {
    var builder = RunBuilder(runID: segment.runID, attempt: segment.attempt)
    for event in segment.events { builder.add(event) }
    return builder.finish(runID: runID, endsInsideEvent: endsInsideEvent, threadID: threadID)
  }

  /// `updates|node_2:<task>` → (`updates`, `node_2:<task>`).
  public static func splitName(_ name: String) -> (mode: String, namespace: String?) {
    guard let bar = name.firstIndex(of: "|") else { return (name, nil) }
    return (String(name[..<bar]), String(name[name.index(after: bar)...]))
  }
}

/// Reassembles one run event by event.
///
/// Nothing of an event's payload is kept once `add` returns but what the run stores: the
/// event's canonical text, and copies of the messages and chunks read from it. The payload's
/// tape and bytes can then be freed, so a run in the making takes about the memory of what
/// will be stored of it, not several times that.
public struct RunBuilder {
  /// The run id and attempt of the metadata event that started the run; nil for events before
  /// any.
  public let runID: String?
  public let attempt: Int
  private var state = AssemblyState()
  private var events: [RunEvent] = []
  private var takenEventCount = 0
  /// Payload bytes of the events not yet taken.
  public private(set) var pendingEventBytes = 0
  private var sawError = false
  private var sawInterrupt = false
  private var errorText: String?
  private var errorType: String?
  private var ids = RunIdentifiers()
  /// For a run whose metadata named none: the digest its id is made from, while it grows.
  private var contentDigest: SHA256?
  private var digestedBytes = 0
  private var contentRunID: String?
  /// How much of a run's payloads its derived id is made from.
  static let digestedBytesLimit = 1 << 20
  private static let digestSeparator: [UInt8] = [0]

  public init(runID: String?, attempt: Int) {
    self.runID = runID
    self.attempt = attempt
    if runID == nil { contentDigest = SHA256() }
  }

  /// The id of a run whose metadata named none: `source-` and 16 hex digits of the SHA-256 of
  /// its events' names and canonical payloads, up to the first one that brings the payloads
  /// to `digestedBytesLimit`. The same run read from any syntax (a capture, its conversion)
  /// so gets the same id, and is one run in the store; a run in the making gets the id of what
  /// it has read so far, which its later events do not change.
  public mutating func derivedRunID() -> String {
    if let contentRunID { return contentRunID }
    let hexDigits = Array("0123456789abcdef".utf8)
    var derived = Array("source-".utf8)
    for byte in (contentDigest ?? SHA256()).finalize().prefix(8) {
      // Safe: a nibble is below 16, the count of hex digits.
      derived += [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
    }
    let derivedText = String(decoding: derived, as: UTF8.self)
    contentRunID = derivedText
    contentDigest = nil
    return derivedText
  }

  /// Events added so far, taken ones included.
  public var eventCount: Int { takenEventCount + events.count }
  /// The source line of the run's first event; 0 before any.
  public private(set) var firstLine = 0
  /// The thread id the metadata in the run's events names, if any.
  public var eventsThreadID: String? { ids.threadID }

  /// Hands over the events, chunks and whole messages added since the last call, so that a long
  /// run's rows can be stored before the run ends; `finish` then gives the run with only those
  /// after them. The chunks carry their message's key for its id; the run tells the ids that
  /// changed (`Run.provisionalChunkMessageIDs`). The messages carry their positions; the run
  /// tells what changed about them (`Run.messagesStoredAhead`).
  public mutating func takePiece() -> (
    events: [RunEvent], chunks: [MessageChunk], messages: [Message]
  ) {
    defer {
      takenEventCount += events.count
      events = []
      pendingEventBytes = 0
    }
    return (events, state.takeChunks(), state.takeWholeMessages())
  }

  /// Reads the run's next event.
  public mutating func add(_ event: SourceEvent) {
    let seq = eventCount
    if seq == 0 { firstLine = event.line }
    if var digest = contentDigest, digestedBytes < Self.digestedBytesLimit {
      // A NUL after the name and after the payload keeps one event's bytes from passing for
      // another's: neither holds a NUL (canonical JSON escapes it).
      digest.update(data: Array(event.name.utf8))
      digest.update(data: Self.digestSeparator)
      if let bytes = event.document?.bytes {
        digest.update(data: bytes)
        digestedBytes += bytes.count
      }
      digest.update(data: Self.digestSeparator)
      contentDigest = digest
    }
    let (mode, namespace) = RunAssembler.splitName(event.name)
    let payload = event.document?.root
    pendingEventBytes += event.document?.bytes.count ?? 0
    events.append(
      RunEvent(
        seq: seq, event: event.name, mode: mode, namespace: namespace,
        data: event.document?.text, line: event.line,
        streamID: event.streamID, isLossy: event.isLossy))
    let ns = namespace ?? ""
    switch mode {
    case "error":
      sawError = true
      (errorText, errorType) = Self.describeError(payload)
    case "messages":
      if let pair = payload?.elements, pair.count == 2 {
        ids.collect(from: pair[1])
        state.addMessage(pair[0], metadata: pair[1], namespace: ns, seq: seq)
      }
    case "events":
      guard let payload else { break }
      ids.collect(from: payload["metadata"])
      switch payload["event"]?.stringValue {
      case "on_chat_model_stream":
        if let chunk = payload["data"]?["chunk"] {
          state.addMessage(chunk, metadata: payload["metadata"], namespace: ns, seq: seq)
        }
      case "on_tool_end":
        if let output = payload["data"]?["output"], output["type"]?.stringValue == "tool" {
          state.addMessage(output, metadata: payload["metadata"], namespace: ns, seq: seq)
        }
      default:
        break
      }
    case "messages/partial", "messages/complete":
      for message in payload?.elements ?? [] {
        state.addSnapshot(message, namespace: ns, seq: seq)
      }
    case "messages/metadata":
      for (id, entry) in payload?.members ?? [] {
        ids.collect(from: entry["metadata"])
        if state.metadata[id] == nil, let metadata = entry["metadata"], metadata.kind == .object {
          state.metadata[id] = MessageMetadata(metadata)
        }
      }
    case "updates":
      guard let byNode = payload?.members else { break }
      if payload?["__interrupt__"] != nil { sawInterrupt = true }
      for (node, update) in byNode {
        for message in update["messages"]?.elements ?? [] {
          state.addStateMessage(message, node: node, seq: seq)
        }
      }
    case "values":
      guard let payload, payload.kind == .object else { break }
      if payload["__interrupt__"] != nil { sawInterrupt = true }
      for message in payload["messages"]?.elements ?? [] {
        state.addStateMessage(message, node: nil, seq: seq)
      }
    case "debug":
      let kind = payload?["type"]?.stringValue
      let inner = payload?["payload"]
      ids.collect(from: inner?["config"]?["configurable"])
      ids.collect(from: inner?["metadata"])
      if kind == "checkpoint" {
        Self.addCheckpointMessages(inner, to: &state, seq: seq)
      } else if kind == "task_result" {
        Self.addTaskResultMessages(inner, to: &state, seq: seq)
      }
    case "tasks":
      ids.collect(from: payload?["metadata"])
      Self.addTaskResultMessages(payload, to: &state, seq: seq)
    case "checkpoints":
      ids.collect(from: payload?["config"]?["configurable"])
      Self.addCheckpointMessages(payload, to: &state, seq: seq)
    default:
      break
    }
  }

  /// The run, once all its events are added; its events are those not taken before.
  /// - Parameters:
  ///   - runID: the id to store the run under (the metadata's, or one derived from its source).
  ///   - endsInsideEvent: true when the source stops inside the run's last event.
  ///   - threadID: a thread id known from outside the events (saved HTTP headers); it wins
  ///     over one the metadata names.
  public consuming func finish(runID: String, endsInsideEvent: Bool, threadID: String? = nil)
    -> Run
  {
    let status: RunStatus =
      if sawError { .error } else if sawInterrupt { .interrupted } else if endsInsideEvent {
        .incomplete
      } else { .success }
    let assembled = state.finish()
    return Run(
      runID: runID, attempt: attempt, threadID: threadID ?? ids.threadID, graphID: ids.graphID,
      assistantID: ids.assistantID, status: status, error: errorText, errorType: errorType,
      events: events, messages: assembled.messages, chunks: assembled.chunks,
      toolCalls: assembled.toolCalls, provisionalChunkMessageIDs: assembled.renamedChunkKeys,
      messagesStoredAhead: assembled.storedAhead)
  }

  private static func describeError(_ payload: JSONNode?) -> (String?, String?) {
    // `data: null` in SSE and a JSONL event without data are the same to LangGraph's decoder
    // (None), so both say the same rather than the first reading as the error "null".
    guard let payload, !payload.isNull else {
      return ("the run failed (the error event carried no data)", nil)
    }
    let type = payload["error"]?.stringValue
    let message = payload["message"]?.stringValue
    switch (type, message) {
    case (let type?, let message?): return ("\(type): \(message)", type)
    case (nil, let message?): return (message, nil)
    case (let type?, nil): return (type, type)
    default: return (payload.text, nil)
    }
  }

  /// A task result's writes: `{"name": node, "result": {"messages": […]}}`.
  private static func addTaskResultMessages(
    _ task: JSONNode?, to state: inout AssemblyState, seq: Int
  ) {
    guard let task, task["result"] != nil else { return }
    let node = task["name"]?.stringValue
    for message in task["result"]?["messages"]?.elements ?? [] {
      state.addStateMessage(message, node: node, seq: seq)
    }
  }

  /// A checkpoint's state values: every message in graph state at that point.
  private static func addCheckpointMessages(
    _ checkpoint: JSONNode?, to state: inout AssemblyState, seq: Int
  ) {
    for message in checkpoint?["values"]?["messages"]?.elements ?? [] {
      state.addStateMessage(message, node: nil, seq: seq)
    }
  }
}

/// A run put together from its events as they arrive: its events kept (`RunAssembler.Segment`)
/// or reassembled one by one (`RunBuilder`).
public protocol RunCollecting {
  init(runID: String?, attempt: Int)
  mutating func add(_ event: SourceEvent)
}

extension RunAssembler.Segment: RunCollecting {
  public init(runID: String?, attempt: Int) {
    self.init(runID: runID, attempt: attempt, events: [])
  }

  public mutating func add(_ event: SourceEvent) { events.append(event) }
}

extension RunBuilder: RunCollecting {}

/// Splits a stream of events into runs as the events arrive (see RunBoundaryFinder), handing
/// over each run when the next one starts.
public struct RunGrouper<Collected: RunCollecting> {
  /// The run being read; its events may be taken before it ends.
  public var current: Collected?
  private var finder = RunBoundaryFinder()

  public init() {}

  /// Adds an event; returns the run it finished, when it starts a new one.
  public mutating func add(_ event: SourceEvent) -> Collected? {
    var finished: Collected?
    while true {
      switch finder.step(event) {
      case .add:
        append(event)
      case .start(let runID, let attempt):
        finished = current.take()
        current = Collected(runID: runID, attempt: attempt)
        current?.add(event)
      case .hold:
        break
      case .join(let held):
        append(held)
        continue
      case .restart(let held, let runID, let attempt):
        finished = current.take()
        current = Collected(runID: runID, attempt: attempt)
        current?.add(held)
        current?.add(event)
      }
      return finished
    }
  }

  private mutating func append(_ event: SourceEvent) {
    // Taken out first, so that a run reassembled in place is not copied.
    var next = current.take() ?? Collected(runID: nil, attempt: 1)
    next.add(event)
    current = next
  }

  /// Ends the stream; returns the last run, if any.
  public mutating func finish() -> Collected? {
    if let held = finder.finish() { append(held) }
    return current.take()
  }

  /// Hands over what was found wrong with the runs' boundaries since the last call.
  public mutating func takeIssues() -> [SourceIssue] { finder.takeIssues() }
}

/// Splits events into runs, keeping each run's events.
public typealias RunSplitter = RunGrouper<RunAssembler.Segment>

/// Splits events into runs and reassembles each as its events arrive instead of keeping them:
/// what ingest uses, so that a long run is never held as parsed payloads.
public typealias RunStream = RunGrouper<RunBuilder>

/// thread, graph and assistant ids, from the first metadata that names them.
private struct RunIdentifiers {
  var threadID: String?
  var graphID: String?
  var assistantID: String?

  mutating func collect(from metadata: JSONNode?) {
    guard let metadata, threadID == nil || graphID == nil || assistantID == nil else { return }
    threadID = threadID ?? metadata["thread_id"]?.stringValue
    graphID = graphID ?? metadata["graph_id"]?.stringValue
    assistantID = assistantID ?? metadata["assistant_id"]?.stringValue
  }
}
