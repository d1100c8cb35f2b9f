/// How a run ended, as far as its saved stream shows.
public enum RunStatus: String, Sendable, CaseIterable {
  /// The stream ended normally.
  case success
  /// An `error` event was sent.
  case error
  /// The graph stopped at an interrupt (`__interrupt__` in updates or values).
  case interrupted
  /// The capture stops inside an event: the rest of the run is missing.
  case incomplete
}

/// One run (one attempt of it, when the server retried) reassembled from its events.
public struct Run: Sendable {
  public var runID: String
  public var attempt: Int
  public var threadID: String?
  public var graphID: String?
  public var assistantID: String?
  public var status: RunStatus
  /// The error event's message with its type, e.g. `ValueError: upstream tool exploded`.
  public var error: String?
  /// The error event's type (`ValueError`), when it named one.
  public var errorType: String?
  public var events: [RunEvent]
  public var messages: [Message]
  public var chunks: [MessageChunk]
  public var toolCalls: [ToolCall]
  /// For chunks handed over before the run ended (`RunBuilder.takePiece`), which carry the key
  /// their message streamed under: the message's id where it differs from that key. A chunk's
  /// message can take a new id until the run ends (a provider's id joining langchain's).
  public var provisionalChunkMessageIDs: [String: String] = [:]
  /// For a run whose whole messages were handed over before it ended (`RunBuilder.takePiece`):
  /// how many of those it keeps, and what changed about them since. `messages` then holds only
  /// the rows still to write, each with its `position`.
  public var messagesStoredAhead = MessagesStoredAhead()
}

/// The messages of a run that were stored before the run ended, as the run's end sees them.
public struct MessagesStoredAhead: Sendable, Equatable {
  /// How many of them the run keeps.
  public var keptCount = 0
  /// Rows to delete: a message that turned out to repeat an earlier one's id.
  public var removedIDs: [String] = []
  /// Rows whose place or metadata changed since they were stored.
  public var updates: [Update] = []

  /// A stored message's place among the run's messages and its metadata, as they end up.
  public struct Update: Sendable, Equatable {
    public var messageID: String
    public var position: Int
    public var node: String?
    public var namespace: String?
    public var model: String?
    public var provider: String?
  }

  public init() {}

  /// True when no message was stored ahead of the run: its messages are all in `Run.messages`.
  public var isEmpty: Bool { keptCount == 0 && removedIDs.isEmpty }
}

/// One event of a run, normalized.
public struct RunEvent: Sendable, Equatable {
  /// Position in the run, from 0.
  public var seq: Int
  /// The full event name as sent (`updates|node_2:1b00…`).
  public var event: String
  /// The part of the name before the first `|` (`updates`).
  public var mode: String
  /// The part after it (the subgraph path), nil for the root graph.
  public var namespace: String?
  /// The payload as canonical JSON text; nil when the event carried no data.
  public var data: String?
  /// 1-based line in the source where the event starts.
  public var line: Int
  /// The SSE `id:` in force, if any.
  public var streamID: String?
  /// True when the rendering elided parts of the payload.
  public var isLossy: Bool
}

/// One streamed piece of a message.
public struct MessageChunk: Sendable, Equatable {
  /// The message the piece was merged into.
  public var messageID: String
  /// The seq of the event that carried it.
  public var seq: Int
  public var node: String?
  /// `langgraph_checkpoint_ns` of the piece.
  public var namespace: String?
  /// The text this piece adds.
  public var content: String
  /// The `tool_call_chunks` as sent, JSON text; nil when there were none.
  public var toolCallChunks: String?
  /// `usage_metadata` as sent, JSON text; nil when the piece had none.
  public var usage: String?
}

/// Token counts of a message, summed from its usage_metadata.
public struct TokenUsage: Sendable, Equatable {
  public var inputTokens: Int?
  public var outputTokens: Int?
  public var totalTokens: Int?
  /// The whole usage_metadata, detail dicts included, as JSON text.
  public var json: String

  public init(inputTokens: Int?, outputTokens: Int?, totalTokens: Int?, json: String) {
    self.inputTokens = inputTokens
    self.outputTokens = outputTokens
    self.totalTokens = totalTokens
    self.json = json
  }
}

/// One whole message, reassembled.
public struct Message: Sendable, Equatable {
  /// The id the message has in graph state (the provider's when the stream carried one).
  public var messageID: String
  /// human, ai, tool or system.
  public var type: String
  public var node: String?
  /// `langgraph_checkpoint_ns` of the message, where known.
  public var namespace: String?
  /// The full text.
  public var content: String
  /// The tool calls the message makes.
  public var toolCalls: [ToolCall]
  /// For a tool message: the call it answers.
  public var toolCallID: String?
  /// How many streamed pieces were merged into it; 1 when it arrived whole.
  public var chunkCount: Int
  public var usage: TokenUsage?
  public var model: String?
  public var provider: String?
  /// Seq of the event where the message first appeared.
  public var firstSeq: Int
  /// langchain's id of the model call that streamed the message (`lc_run--<uuid>`), whose
  /// UUIDv7 tells when the call started; nil for messages no model streamed.
  public var modelCallID: String? = nil
  /// `toolCalls` as the JSON stored in messages.tool_calls, when already computed (reassembly
  /// does it on a parser thread, to keep work off the single writer).
  public var toolCallsJSON: String? = nil
  /// Its place among the run's messages, when that is not its place in `Run.messages` (a run
  /// some of whose messages were stored ahead of it).
  public var position: Int? = nil

  // Defaults cover what a message that arrived whole carries, so that tests and exporters can
  // build one from its id, type and text alone.
  public init(
    messageID: String, type: String, node: String? = nil, namespace: String? = nil,
    content: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil, chunkCount: Int = 1,
    usage: TokenUsage? = nil, model: String? = nil, provider: String? = nil, firstSeq: Int = 0,
    modelCallID: String? = nil
  ) {
    self.messageID = messageID
    self.type = type
    self.node = node
    self.namespace = namespace
    self.content = content
    self.toolCalls = toolCalls
    self.toolCallID = toolCallID
    self.chunkCount = chunkCount
    self.usage = usage
    self.model = model
    self.provider = provider
    self.firstSeq = firstSeq
    self.modelCallID = modelCallID
  }
}

/// One tool call, with its result where the stream carried one.
public struct ToolCall: Sendable, Equatable {
  public var messageID: String
  public var toolCallID: String?
  public var name: String
  /// The arguments as JSON text when they parsed as an object, else the raw text.
  public var args: String
  /// True when the arguments parsed as a JSON object.
  public var argsValid: Bool
  /// The content of the tool message answering the call.
  public var result: String?
  /// The node of the message that made the call.
  public var node: String?
  /// The message whose content is the result, when that message was stored ahead of the run
  /// and its text is no longer at hand (`result` is then nil).
  public var resultMessageID: String? = nil

  public init(
    messageID: String, toolCallID: String?, name: String, args: String, argsValid: Bool = true,
    result: String? = nil, node: String? = nil
  ) {
    self.messageID = messageID
    self.toolCallID = toolCallID
    self.name = name
    self.args = args
    self.argsValid = argsValid
    self.result = result
    self.node = node
  }
}

extension ToolCall {
  /// `[{"id":…,"name":…,"args":{…}}]`: args inline as JSON when they parsed, else as a string.
  public static func canonicalJSON(_ calls: [ToolCall]) -> String {
    if calls.isEmpty { return "[]" }
    let elements: [JSONValue] = calls.map { call in
      let args: JSONValue =
        call.argsValid
        ? ((try? JSONDocument.read(Array(call.args.utf8)).value) ?? .string(call.args))
        : .string(call.args)
      return .object(
        JSONObject([
          ("id", call.toolCallID.map(JSONValue.string) ?? .null),
          ("name", .string(call.name)),
          ("args", args),
        ]))
    }
    return CanonicalJSONWriter.string(.array(elements))
  }
}
