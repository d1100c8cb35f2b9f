import Foundation
import LGAnalyzeCore

/// Transcripts built by hand for the exporter tests: an ordinary tool-using run, and a failed
/// run whose every text tries to break out of the format it is rendered in.
enum ExportFixtures {
  static let weatherRunID = "01a20557-a042-7610-8d1f-df233c579166"
  static let hostileRunID = "01a20558-0000-7000-8000-000000000001"

  static let question = "What's the weather in SF, today?\nAnswer \"briefly\", please."
  static let weatherResult = "It's 60°F, \"foggy\", and windy"
  static let usageJSON = #"{"input_tokens":12,"output_tokens":30,"total_tokens":42}"#

  /// human → ai with a tool call → tool result → ai answer.
  static var weather: Transcript {
    let call = ToolCall(
      messageID: "ai-1", toolCallID: "call_A1", name: "get_weather", args: #"{"city":"sf"}"#,
      result: weatherResult, node: "agent")
    let messages = [
      Message(messageID: "human-1", type: "human", content: question),
      Message(
        messageID: "ai-1", type: "ai", node: "agent", content: "Let me check.",
        toolCalls: [call], chunkCount: 4,
        usage: TokenUsage(inputTokens: 12, outputTokens: 30, totalTokens: 42, json: usageJSON),
        model: "gpt-4o", provider: "openai", firstSeq: 2),
      Message(
        messageID: "tool-1", type: "tool", node: "tools", content: weatherResult,
        toolCallID: "call_A1", firstSeq: 9),
      Message(
        messageID: "ai-2", type: "ai", node: "agent", content: "Foggy, 60°F.", firstSeq: 11),
    ]
    return Transcript(
      run: summary(weatherRunID, status: "success", error: nil, messages: messages),
      messages: messages, interrupts: [])
  }

  static let script = "<script>alert(1)</script>"
  static let ansiText = "before \u{1B}[31mRED\u{1B}[0m middle \u{9B}2J after"
  static let titleText = "title \u{1B}]0;pwned\u{07}done\u{7F} bell\u{07} cr\r\n"
  static let fenceBreaker = "```\n# injected heading\n```"
  static let hostileError = "ValueError: boom \u{1B}[2J<b>'x'</b>"

  /// A failed run whose texts carry HTML, escape sequences, Markdown fences and invalid args.
  static var hostile: Transcript {
    let call = ToolCall(
      messageID: "ai-h", toolCallID: "call_<b>", name: "run_<script>",
      args: #"{"cmd": "rm -rf /"#, argsValid: false, result: ansiText, node: "agent")
    let messages = [
      Message(messageID: "human-h", type: "human", content: script),
      Message(
        messageID: "ai-h", type: "ai", node: "agent", content: fenceBreaker + "\n" + titleText,
        toolCalls: [call]),
      Message(
        messageID: "tool-h", type: "tool", node: "tools", content: ansiText,
        toolCallID: "call_<b>"),
    ]
    return Transcript(
      run: summary(hostileRunID, status: "error", error: hostileError, messages: messages),
      messages: messages,
      interrupts: [#"[{"value":{"question":"Approve <this>?"},"id":"int-1"}]"#])
  }

  static func summary(
    _ runID: String, status: String, error: String?, messages: [Message]
  ) -> RunSummary {
    RunSummary(
      runID: runID, attempt: 1, threadID: "thread-1", graphID: "weather", assistantID: nil,
      status: status, error: error, eventCount: 20, messageCount: messages.count,
      toolCallCount: messages.reduce(0) { $0 + $1.toolCalls.count }, inputTokens: 12,
      outputTokens: 30, totalTokens: 42, source: "fixture.sse")
  }

  /// The Samples/ folder of the repository.
  static let samples = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Samples")
}

/// Reads RFC 4180 CSV, so that tests check what a CSV reader gets back rather than the bytes.
enum CSVReader {
  /// The records of `text`; nil when a quoted field is not closed or a quote is stray.
  static func records(_ text: String) -> [[String]]? {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var inQuotes = false
    var afterQuote = false
    var scalars = text.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar? = nil
    while let scalar = pending ?? scalars.next() {
      pending = nil
      if inQuotes {
        if scalar == "\"" {
          let next = scalars.next()
          if next == "\"" {
            field.unicodeScalars.append("\"")
          } else {
            inQuotes = false
            afterQuote = true
            pending = next
          }
        } else {
          field.unicodeScalars.append(scalar)
        }
        continue
      }
      switch scalar {
      case "\"":
        guard field.isEmpty, !afterQuote else { return nil }
        inQuotes = true
      case ",":
        record.append(field)
        field = ""
        afterQuote = false
      case "\r":
        guard scalars.next() == "\n" else { return nil }
        record.append(field)
        records.append(record)
        record = []
        field = ""
        afterQuote = false
      default:
        guard !afterQuote else { return nil }
        field.unicodeScalars.append(scalar)
      }
    }
    if inQuotes { return nil }
    if !record.isEmpty || !field.isEmpty {
      record.append(field)
      records.append(record)
    }
    return records
  }
}
