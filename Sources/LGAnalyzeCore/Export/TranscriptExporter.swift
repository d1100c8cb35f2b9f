/// The file formats `lganalyze export` writes transcripts in.
public enum ExportFormat: String, CaseIterable, Sendable {
  /// A document to read in any Markdown viewer.
  case markdown
  /// One self-contained HTML page: inline CSS, no scripts, no external assets.
  case html
  /// A JSON array with one object per run.
  case json
  /// One run object per line.
  case jsonl
  /// One row per message, RFC 4180.
  case csv
}

/// Renders stored transcripts (runs with their messages) as a document or a data file.
///
/// Everything here is a pure function of the transcripts, so the `export` command only has to
/// load them and write the text where it was asked to.
public enum TranscriptExporter {
  /// `transcripts` rendered in `format`, ending with a line break (Markdown and JSONL of no
  /// transcripts are empty).
  public static func render(_ transcripts: [Transcript], as format: ExportFormat) -> String {
    switch format {
    case .markdown: MarkdownRenderer.render(transcripts)
    case .html: HTMLRenderer.render(transcripts)
    case .json: IndentedJSONWriter.string(.array(transcripts.map(runObject))) + "\n"
    case .jsonl: transcripts.map { CanonicalJSONWriter.string(runObject($0)) + "\n" }.joined()
    case .csv: renderCSV(transcripts)
    }
  }

  // MARK: - JSON

  /// One run as the json and jsonl exports write it: what the Markdown and HTML exports show,
  /// as data.
  static func runObject(_ transcript: Transcript) -> JSONValue {
    let run = transcript.run
    return .object(
      JSONObject([
        ("run_id", .string(run.runID)),
        ("attempt", .number(String(run.attempt))),
        ("thread_id", optional(run.threadID)),
        ("graph_id", optional(run.graphID)),
        ("status", .string(run.status)),
        ("damaged", .bool(run.isDamaged)),
        ("error", optional(run.error)),
        ("input_tokens", .number(String(run.inputTokens))),
        ("output_tokens", .number(String(run.outputTokens))),
        ("total_tokens", .number(String(run.totalTokens))),
        ("interrupts", interruptsArray(transcript)),
        ("messages", .array(transcript.messages.map(messageObject))),
      ]))
  }

  /// The interrupts the run stopped at, each as LangGraph wrote it (`{"value": …, "id": …}`);
  /// one that does not parse is kept as its text.
  static func interruptsArray(_ transcript: Transcript) -> JSONValue {
    .array(
      transcript.interrupts.flatMap { text -> [JSONValue] in
        guard let value = try? LiteralReader.parse(Array(text.utf8)).value else {
          return [.string(text)]
        }
        return value.arrayValue ?? [value]
      })
  }

  static func messageObject(_ message: Message) -> JSONValue {
    .object(
      JSONObject([
        ("id", .string(message.messageID)),
        ("type", .string(message.type)),
        ("node", optional(message.node)),
        ("content", .string(message.content)),
        ("tool_calls", toolCallsArray(message.toolCalls)),
        ("tool_call_id", optional(message.toolCallID)),
        ("model", optional(message.model)),
        ("usage", message.usage.map { parsedOrText($0.json) } ?? .null),
      ]))
  }

  static func toolCallsArray(_ calls: [ToolCall]) -> JSONValue {
    .array(
      calls.map { call in
        .object(
          JSONObject([
            ("id", optional(call.toolCallID)),
            ("name", .string(call.name)),
            ("args", argsValue(call)),
            ("args_valid", .bool(call.argsValid)),
          ]))
      })
  }

  /// A call's arguments as an object when they parsed as one; otherwise the text the model
  /// produced, kept as a string so that a malformed call is still visible as it was.
  static func argsValue(_ call: ToolCall) -> JSONValue {
    guard call.argsValid,
      case .object(let object)? = try? LiteralReader.parse(Array(call.args.utf8)).value
    else { return .string(call.args) }
    return .object(object)
  }

  /// JSON text parsed back into a value, or the text as a string when it does not parse.
  static func parsedOrText(_ text: String) -> JSONValue {
    (try? LiteralReader.parse(Array(text.utf8)).value) ?? .string(text)
  }

  private static func optional(_ text: String?) -> JSONValue {
    text.map(JSONValue.string) ?? .null
  }

  // MARK: - CSV

  /// The run's status and error close each row (after the message's columns, which came
  /// first), so that a failed run reads as one in a spreadsheet too.
  static let csvColumns = [
    "run_id", "position", "message_id", "type", "node", "content", "tool_calls", "tool_call_id",
    "input_tokens", "output_tokens", "total_tokens", "model", "run_status", "run_error",
  ]

  private static func renderCSV(_ transcripts: [Transcript]) -> String {
    var output = csvColumns.joined(separator: ",") + "\r\n"
    for transcript in transcripts {
      let run = [transcript.run.status, transcript.run.error ?? ""]
      // A run without messages (one that failed at once) is still a row: its status and error.
      if transcript.messages.isEmpty {
        let fields = [transcript.run.runID] + Array(repeating: "", count: 11) + run
        output += fields.map(csvField).joined(separator: ",") + "\r\n"
      }
      for (position, message) in transcript.messages.enumerated() {
        let fields = [
          transcript.run.runID,
          String(position),
          message.messageID,
          message.type,
          message.node ?? "",
          message.content,
          // An empty cell rather than `[]` keeps the common case (no calls) quiet in a
          // spreadsheet; a cell that is not empty is always a JSON array.
          message.toolCalls.isEmpty
            ? "" : CanonicalJSONWriter.string(toolCallsArray(message.toolCalls)),
          message.toolCallID ?? "",
          message.usage?.inputTokens.map(String.init) ?? "",
          message.usage?.outputTokens.map(String.init) ?? "",
          message.usage?.totalTokens.map(String.init) ?? "",
          message.model ?? "",
        ]
        output += (fields + run).map(csvField).joined(separator: ",") + "\r\n"
      }
    }
    return output
  }

  /// A field quoted as RFC 4180 asks: inside quotes when it holds a comma, a quote or a line
  /// break, with each quote doubled.
  static func csvField(_ text: String) -> String {
    let needsQuotes = text.unicodeScalars.contains { scalar in
      scalar == "," || scalar == "\"" || scalar == "\n" || scalar == "\r"
    }
    guard needsQuotes else { return text }
    return "\"" + text.replacing("\"", with: "\"\"") + "\""
  }
}
