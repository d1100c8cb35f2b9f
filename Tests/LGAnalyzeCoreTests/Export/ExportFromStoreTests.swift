import Foundation
import LGAnalyzeCore
import Testing

/// The exporters on transcripts as `show` and `export` get them: ingested from the samples and
/// read back from a database.
@Suite struct ExportFromStoreTests {
  private let store: RunStore

  init() throws {
    let folder = try TestScratch.folder("export")
    store = try RunStore(path: folder.appendingPathComponent("export.db").path)
    let files = ["weather_messages_tuple.sse", "approval_interrupt.sse", "failing_error.sse"]
    _ = Ingestor(store: store).ingest(
      paths: files.map { ExportFixtures.samples.appendingPathComponent("sse/\($0)").path })
  }

  private func transcripts(graph: String? = nil, status: String? = nil) throws -> [Transcript] {
    try store.runs(matching: RunFilter(status: status, graph: graph)).map(store.transcript(of:))
  }

  @Test func jsonCarriesEveryStoredMessageAndToolCall() throws {
    let all = try transcripts()
    try #require(all.count >= 3)
    let text = TranscriptExporter.render(all, as: .json)
    let runs = try #require(
      try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    #expect(runs.count == all.count)
    for (run, transcript) in zip(runs, all) {
      #expect(run["run_id"] as? String == transcript.run.runID)
      #expect(run["status"] as? String == transcript.run.status)
      let messages = try #require(run["messages"] as? [[String: Any]])
      #expect(messages.map { $0["content"] as? String } == transcript.messages.map(\.content))
      let names = messages.flatMap { ($0["tool_calls"] as? [[String: Any]] ?? []) }
        .map { $0["name"] as? String }
      #expect(names == transcript.messages.flatMap(\.toolCalls).map(\.name))
    }
    #expect(all.contains { !$0.messages.flatMap(\.toolCalls).isEmpty })
  }

  @Test func csvHasARecordPerStoredMessageAndPerRunWithout() throws {
    let all = try transcripts()
    let records = try #require(CSVReader.records(TranscriptExporter.render(all, as: .csv)))
    // A run without messages (the interrupted one here) is a row of its own.
    #expect(all.contains { $0.messages.isEmpty })
    #expect(records.count == 1 + all.reduce(0) { $0 + max(1, $1.messages.count) })
    let contents = all.flatMap { $0.messages.isEmpty ? [""] : $0.messages.map(\.content) }
    #expect(records.dropFirst().map { $0[5] } == contents)
    let statuses = all.flatMap { Array(repeating: $0.run.status, count: max(1, $0.messages.count)) }
    #expect(records.dropFirst().map { $0[12] } == statuses)
  }

  @Test func showPrintsToolResultsUnderTheirCalls() throws {
    let transcript = try #require(try transcripts(status: "success").first)
    let text = TerminalRenderer.render(transcript, useColor: false)
    let calls = transcript.messages.flatMap(\.toolCalls)
    try #require(!calls.isEmpty)
    for call in calls {
      #expect(text.contains("→ \(call.name)"))
      if let result = call.result?.split(separator: "\n").first {
        #expect(text.contains("      ← result\n        \(result)"))
      }
    }
  }

  @Test func anInterruptedRunShowsItsQuestion() throws {
    let transcript = try #require(try transcripts(status: "interrupted").first)
    #expect(!transcript.interrupts.isEmpty)
    let terminal = TerminalRenderer.render(transcript, useColor: false)
    #expect(terminal.contains("\"question\": \"Approve this request?\""))
    let markdown = TranscriptExporter.render([transcript], as: .markdown)
    #expect(markdown.contains("## Interrupt"))
    #expect(markdown.contains("Approve this request?"))
  }

  @Test func aFailedRunEndsWithItsError() throws {
    let transcript = try #require(try transcripts(status: "error").first)
    let error = try #require(transcript.run.error)
    let terminal = TerminalRenderer.render(transcript, useColor: false)
    #expect(terminal.hasSuffix("error\n  \(error)\n"))
    let html = TranscriptExporter.render([transcript], as: .html)
    #expect(html.contains("<div class=\"label\">Error</div>"))
  }
}
