import Foundation

/// What the renderers for people (terminal, Markdown, HTML) share: role names, which tool
/// messages are already shown as a call's result, how arguments and interrupts read.
enum TranscriptLayout {
  /// One interrupt the run stopped at: the value the graph asked about, and its id.
  struct Interrupt: Equatable {
    /// The value as text: a string as it is, anything else as indented JSON.
    var value: String
    var id: String?
  }

  /// The word a person knows for a message type.
  static func role(of type: String) -> String {
    switch type {
    case "human": "Human"
    case "ai": "Assistant"
    case "tool": "Tool"
    case "system": "System"
    default: type.isEmpty ? "Message" : type
    }
  }

  /// What the renderers say of a damaged run beside its status, so that what it holds is not
  /// taken for the whole run.
  static let damageNote = "not all of its lines could be read, or it was cut off; see ingest_errors"

  /// When the run started, as ISO 8601 text; nil when its id is not a UUIDv7.
  static func startedAt(_ run: RunSummary) -> String? {
    run.startedAt.map { Date.ISO8601FormatStyle(includingFractionalSeconds: true).format($0) }
  }

  /// The ids of the calls whose result the renderers show under the call itself.
  static func answeredCallIDs(_ transcript: Transcript) -> Set<String> {
    var answered = Set<String>()
    for message in transcript.messages {
      for call in message.toolCalls where call.result != nil {
        if let id = call.toolCallID { answered.insert(id) }
      }
    }
    return answered
  }

  /// True for a tool message whose content is already printed under the call it answers, so
  /// that the renderers do not print the same result twice.
  static func isShownUnderCall(_ message: Message, answered: Set<String>) -> Bool {
    guard message.type == "tool", let id = message.toolCallID else { return false }
    return answered.contains(id)
  }

  /// A call's arguments for reading: indented JSON when they parsed, else the raw text.
  static func argumentsText(_ call: ToolCall) -> String {
    switch TranscriptExporter.argsValue(call) {
    case .object(let object) where !object.isEmpty: IndentedJSONWriter.string(.object(object))
    case .object: "{}"
    default: call.args
    }
  }

  /// The interrupts of a run, one per `__interrupt__` entry.
  static func interrupts(_ transcript: Transcript) -> [Interrupt] {
    transcript.interrupts.flatMap { text -> [Interrupt] in
      guard let value = try? LiteralReader.parse(Array(text.utf8)).value else {
        return [Interrupt(value: text, id: nil)]
      }
      let entries = value.arrayValue ?? [value]
      return entries.map { entry in
        // LangGraph writes each interrupt as {"value": …, "id": …}; other shapes show whole.
        if case .object(let object) = entry, let inner = object["value"] {
          return Interrupt(value: readable(inner), id: object["id"]?.stringValue)
        }
        return Interrupt(value: readable(entry), id: nil)
      }
    }
  }

  private static func readable(_ value: JSONValue) -> String {
    if case .string(let text) = value { return text }
    return IndentedJSONWriter.string(value)
  }

  /// A one-line summary of a message's token usage (`12 in, 30 out`), or nil without usage.
  static func tokens(_ usage: TokenUsage?) -> String? {
    guard let usage else { return nil }
    var parts: [String] = []
    if let input = usage.inputTokens { parts.append("\(input) in") }
    if let output = usage.outputTokens { parts.append("\(output) out") }
    if parts.isEmpty, let total = usage.totalTokens { parts.append("\(total) total") }
    return parts.isEmpty ? nil : parts.joined(separator: ", ") + " tokens"
  }

  /// The run's token totals, or nil when it used none that the stream reported.
  static func runTokens(_ run: RunSummary) -> String? {
    guard run.totalTokens > 0 || run.inputTokens > 0 || run.outputTokens > 0 else { return nil }
    return "\(run.inputTokens) in, \(run.outputTokens) out, \(run.totalTokens) total"
  }
}
