import Foundation
import LGAnalyzeCore
import Testing

/// What each export format carries of a transcript, read back as its consumers read it.
@Suite struct ExportTranscriptExporterTests {
  private let weather = ExportFixtures.weather
  private let hostile = ExportFixtures.hostile

  private func jsonObject(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
  }

  // MARK: - JSON

  @Test func jsonHoldsRunsMessagesToolCallsAndUsage() throws {
    let text = TranscriptExporter.render([weather, hostile], as: .json)
    let runs = try #require(try jsonObject(text) as? [[String: Any]])
    #expect(runs.count == 2)
    let run = runs[0]
    #expect(run["run_id"] as? String == ExportFixtures.weatherRunID)
    #expect(run["thread_id"] as? String == "thread-1")
    #expect(run["graph_id"] as? String == "weather")
    #expect(run["status"] as? String == "success")
    #expect(run["error"] is NSNull)
    let messages = try #require(run["messages"] as? [[String: Any]])
    #expect(messages.map { $0["id"] as? String } == ["human-1", "ai-1", "tool-1", "ai-2"])
    #expect(messages.map { $0["type"] as? String } == ["human", "ai", "tool", "ai"])
    #expect(messages[0]["content"] as? String == ExportFixtures.question)
    #expect(messages[0]["node"] is NSNull)
    #expect(messages[1]["node"] as? String == "agent")
    #expect(messages[2]["tool_call_id"] as? String == "call_A1")
    #expect(messages[2]["content"] as? String == ExportFixtures.weatherResult)

    let calls = try #require(messages[1]["tool_calls"] as? [[String: Any]])
    #expect(calls.count == 1)
    #expect(calls[0]["id"] as? String == "call_A1")
    #expect(calls[0]["name"] as? String == "get_weather")
    let args = try #require(calls[0]["args"] as? [String: Any])
    #expect(args["city"] as? String == "sf")
    #expect((messages[0]["tool_calls"] as? [Any])?.isEmpty == true)

    let usage = try #require(messages[1]["usage"] as? [String: Any])
    #expect(usage["input_tokens"] as? Int == 12)
    #expect(usage["total_tokens"] as? Int == 42)
    #expect(messages[0]["usage"] is NSNull)
  }

  @Test func jsonKeepsInvalidArgumentsAsTheirRawText() throws {
    let text = TranscriptExporter.render([hostile], as: .json)
    let runs = try #require(try jsonObject(text) as? [[String: Any]])
    #expect(runs[0]["error"] as? String == ExportFixtures.hostileError)
    let messages = try #require(runs[0]["messages"] as? [[String: Any]])
    let calls = try #require(messages[1]["tool_calls"] as? [[String: Any]])
    #expect(calls[0]["args"] as? String == #"{"cmd": "rm -rf /"#)
    // Escape characters survive as data: JSON is for programs, which decide what to show.
    #expect(messages[2]["content"] as? String == ExportFixtures.ansiText)
  }

  @Test func jsonCarriesWhatTheDocumentsShow() throws {
    let text = TranscriptExporter.render([weather, hostile], as: .json)
    let runs = try #require(try jsonObject(text) as? [[String: Any]])
    #expect(runs[0]["attempt"] as? Int == 1)
    #expect(runs[0]["input_tokens"] as? Int == 12)
    #expect(runs[0]["output_tokens"] as? Int == 30)
    #expect(runs[0]["total_tokens"] as? Int == 42)
    #expect((runs[0]["interrupts"] as? [Any])?.isEmpty == true)
    let interrupts = try #require(runs[1]["interrupts"] as? [[String: Any]])
    #expect(interrupts.count == 1)
    #expect(interrupts.first?["id"] as? String == "int-1")
    #expect(
      (interrupts.first?["value"] as? [String: Any])?["question"] as? String == "Approve <this>?")

    let messages = try #require(runs[0]["messages"] as? [[String: Any]])
    #expect(messages[1]["model"] as? String == "gpt-4o")
    #expect(messages[0]["model"] is NSNull)
    let valid = try #require((messages[1]["tool_calls"] as? [[String: Any]])?.first)
    #expect(valid["args_valid"] as? Bool == true)
    let hostileMessages = try #require(runs[1]["messages"] as? [[String: Any]])
    let invalid = try #require((hostileMessages[1]["tool_calls"] as? [[String: Any]])?.first)
    #expect(invalid["args_valid"] as? Bool == false)
  }

  @Test func jsonOfNoRunsIsAnEmptyArray() throws {
    let text = TranscriptExporter.render([], as: .json)
    #expect(try #require(try jsonObject(text) as? [Any]).isEmpty)
  }

  @Test func jsonlHasOneParsableRunPerLine() throws {
    let text = TranscriptExporter.render([weather, hostile], as: .jsonl)
    #expect(text.hasSuffix("\n"))
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    #expect(lines.count == 2)
    let ids = try lines.map { line in
      try #require(try jsonObject(String(line)) as? [String: Any])["run_id"] as? String
    }
    #expect(ids == [ExportFixtures.weatherRunID, ExportFixtures.hostileRunID])
    // The content's line breaks are escaped, so a line is a whole run.
    #expect(lines[0].contains(#"What's the weather in SF, today?\nAnswer \"briefly\""#))
  }

  @Test func jsonAndJsonlCarryTheSameRuns() throws {
    let json = try #require(
      try jsonObject(TranscriptExporter.render([weather, hostile], as: .json)) as? NSArray)
    let lines = TranscriptExporter.render([weather, hostile], as: .jsonl)
      .split(separator: "\n")
    let fromLines = try NSArray(array: lines.map { try jsonObject(String($0)) })
    #expect(json == fromLines)
  }

  // MARK: - Damage

  /// Markdown, HTML, JSON and JSONL say which runs are damaged, and only those.
  @Test func aDamagedRunIsSaidToBeDamagedInTheDocumentsAndTheJSON() throws {
    var damaged = weather
    damaged.run.isDamaged = true
    for format in [ExportFormat.markdown, .html] {
      #expect(
        TranscriptExporter.render([damaged], as: format).contains(
          "not all of its lines could be read, or it was cut off; see ingest_errors"),
        "\(format)")
      #expect(!TranscriptExporter.render([weather], as: format).contains("Damaged"), "\(format)")
    }
    let runs = try #require(
      try jsonObject(TranscriptExporter.render([weather, damaged], as: .json)) as? [[String: Any]])
    #expect(runs.map { $0["damaged"] as? Bool } == [false, true])
    let lines = TranscriptExporter.render([damaged], as: .jsonl)
    #expect(lines.contains(#""status":"success","damaged":true,"#), "\(lines)")
  }

  // MARK: - CSV

  @Test func csvHasAHeaderAndOneRecordPerMessage() throws {
    let text = TranscriptExporter.render([weather, hostile], as: .csv)
    let records = try #require(CSVReader.records(text))
    #expect(
      records.first == [
        "run_id", "position", "message_id", "type", "node", "content", "tool_calls",
        "tool_call_id", "input_tokens", "output_tokens", "total_tokens", "model", "run_status",
        "run_error",
      ])
    #expect(records.count == 1 + 4 + 3)
    #expect(records.dropFirst().allSatisfy { $0.count == 14 })
    #expect(
      records[1] == [
        ExportFixtures.weatherRunID, "0", "human-1", "human", "", ExportFixtures.question, "", "",
        "", "", "", "", "success", "",
      ])
    #expect(records[2][11] == "gpt-4o")
    #expect(records[5][12...13] == ["error", ExportFixtures.hostileError])
    #expect(records[2][8...10] == ["12", "30", "42"])
    #expect(records[3][7] == "call_A1")
    #expect(records[5][0] == ExportFixtures.hostileRunID)
    #expect(records[5][1] == "0")
  }

  @Test func csvHasARowForARunWithoutMessages() throws {
    let failed = Transcript(
      run: ExportFixtures.summary("run-empty", status: "error", error: "boom", messages: []),
      messages: [], interrupts: [])
    let records = try #require(
      CSVReader.records(TranscriptExporter.render([failed, weather], as: .csv)))
    #expect(records.count == 1 + 1 + 4)
    #expect(records[1] == ["run-empty"] + Array(repeating: "", count: 11) + ["error", "boom"])
    #expect(records[2][0] == ExportFixtures.weatherRunID)
  }

  @Test func csvQuotesCommasQuotesAndLineBreaks() throws {
    let text = TranscriptExporter.render([weather], as: .csv)
    // The question has a comma, quotes and a line break: quoted, inner quotes doubled.
    let quoted = #""What's the weather in SF, today?"# + "\n" + #"Answer ""briefly"", please.""#
    #expect(text.contains(quoted))
    #expect(text.hasSuffix("\r\n"))
    let records = try #require(CSVReader.records(text))
    #expect(records[1][5] == ExportFixtures.question)
    #expect(records[3][5] == ExportFixtures.weatherResult)
  }

  @Test func csvToolCallsColumnIsJSON() throws {
    let records = try #require(
      CSVReader.records(TranscriptExporter.render([weather, hostile], as: .csv)))
    let calls = try #require(try jsonObject(records[2][6]) as? [[String: Any]])
    #expect(calls.first?["name"] as? String == "get_weather")
    #expect((calls.first?["args"] as? [String: Any])?["city"] as? String == "sf")
    let invalid = try #require(try jsonObject(records[6][6]) as? [[String: Any]])
    #expect(invalid.first?["args"] as? String == #"{"cmd": "rm -rf /"#)
  }

  // MARK: - Markdown

  @Test func markdownHasRunHeadingRolesToolCallsAndResults() {
    let text = TranscriptExporter.render([weather], as: .markdown)
    #expect(text.hasPrefix("# Run `\(ExportFixtures.weatherRunID)`\n"))
    #expect(text.contains("- Status: **success**"))
    #expect(text.contains("- Graph: `weather`"))
    #expect(text.contains("(from the run id)"))
    #expect(text.contains("## Human\n"))
    #expect(text.contains("## Assistant · node `agent`\n"))
    #expect(text.contains("**Tool call** `get_weather` · id `call_A1`"))
    #expect(text.contains("```json\n{\n  \"city\": \"sf\"\n}\n```"))
    #expect(text.contains("**Result**\n\n```text\n\(ExportFixtures.weatherResult)\n```"))
    // The tool message is the result shown under its call, not repeated after it.
    #expect(text.components(separatedBy: ExportFixtures.weatherResult).count == 2)
    #expect(text.contains("```text\nFoggy, 60°F.\n```"))
  }

  @Test func markdownFencesCannotBeClosedByTheText() {
    let text = TranscriptExporter.render([hostile], as: .markdown)
    // The message holds a ``` fence, so its own fence is longer and the heading stays inside.
    #expect(text.contains("````text\n```\n# injected heading\n```\n"))
    #expect(!text.contains("\n# injected heading\n\n"))
    #expect(text.contains("**Tool call** `run_<script>` · id `call_<b>`"))
    #expect(text.contains("arguments are not valid JSON"))
    // Arguments that are not JSON are fenced as text, not as JSON.
    #expect(text.contains("```text\n{\"cmd\": \"rm -rf /\n```"))
    #expect(!text.contains("```json\n{\"cmd\""))
    #expect(text.contains("## Interrupt `int-1`"))
    #expect(text.contains("\"question\": \"Approve <this>?\""))
    #expect(text.contains("## Error\n\n```text\n\(ExportFixtures.hostileError)\n```"))
  }

  @Test func markdownSeparatesRuns() {
    let text = TranscriptExporter.render([weather, hostile], as: .markdown)
    #expect(text.contains("\n---\n\n# Run `\(ExportFixtures.hostileRunID)`"))
  }

  // MARK: - HTML

  @Test func htmlEscapesEverythingFromTheData() {
    let text = TranscriptExporter.render([weather, hostile], as: .html)
    #expect(!text.lowercased().contains("<script"))
    #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(text.contains("run_&lt;script&gt;"))
    #expect(text.contains("call_&lt;b&gt;"))
    #expect(!text.contains("<b>"))
    #expect(text.contains("&lt;b&gt;&#39;x&#39;&lt;/b&gt;"))
    #expect(text.contains("It&#39;s 60°F, &quot;foggy&quot;, and windy"))
    #expect(text.contains("Approve &lt;this&gt;?"))
  }

  @Test func htmlIsOneSelfContainedPage() {
    let text = TranscriptExporter.render([weather, hostile], as: .html)
    #expect(text.hasPrefix("<!DOCTYPE html>\n"))
    #expect(text.hasSuffix("</html>\n"))
    #expect(text.components(separatedBy: "<html").count == 2)
    #expect(text.components(separatedBy: "<body>").count == 2)
    #expect(text.contains("<style>"))
    for external in ["src=", "href=", "<link", "@import", "url(", "<img", "<iframe"] {
      #expect(!text.lowercased().contains(external), "\(external)")
    }
    #expect(text.contains("default-src 'none'"))
    #expect(text.components(separatedBy: "<section class=\"run\">").count == 3)
  }

  @Test func htmlShowsRolesCallsResultsInterruptsAndErrors() {
    let text = TranscriptExporter.render([weather, hostile], as: .html)
    #expect(text.contains("<span class=\"role\">Human</span>"))
    #expect(text.contains("<span class=\"role\">Assistant</span> <span class=\"node\">agent"))
    #expect(text.contains("Tool call <code>get_weather</code>"))
    #expect(text.contains("{\n  &quot;city&quot;: &quot;sf&quot;\n}"))
    #expect(text.contains("<div class=\"label\">Result</div>"))
    #expect(text.contains("<div class=\"label\">Interrupt <code>int-1</code></div>"))
    #expect(text.contains("<div class=\"label\">Error</div>"))
    #expect(text.contains("class=\"status status-error\""))
  }

  @Test func everyFormatEndsWithALineBreak() {
    for format in ExportFormat.allCases {
      let text = TranscriptExporter.render([weather], as: format)
      // Scalars: CSV ends with "\r\n", a single Character that is not "\n".
      #expect(text.unicodeScalars.last == "\n", "\(format)")
    }
  }
}
