import Foundation
import LGAnalyzeCore
import Testing

/// Runs every query in Queries/ on a database of the SSE samples and checks its answer against
/// the expected analyses in Samples/expected/ (computed by LangGraph's and langchain_core's
/// own code), so a canned query that breaks or lies fails here.
@Suite struct CannedQueriesTests {
  private static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  private static let samples = root.appendingPathComponent("Samples")
  private static let queries = root.appendingPathComponent("Queries")

  /// The expected runs of the files in Samples/sse (their run ids are all distinct). The debug
  /// and tasks captures are left out: lganalyze fills in messages from their payloads, which the
  /// expected analyses (computed from chunks and state only) do not count.
  private let expectedRuns: [[String: Any]]
  private let store: RunStore
  private static let excluded: Set<String> = ["react_debug.sse", "react_tasks_checkpoints.sse"]

  init() throws {
    let sseFolder = Self.samples.appendingPathComponent("sse")
    let files = try FileManager.default.contentsOfDirectory(atPath: sseFolder.path)
      .filter { $0.hasSuffix(".sse") && !Self.excluded.contains($0) }.sorted()
    var runs: [[String: Any]] = []
    for name in files {
      let data = try Data(
        contentsOf: Self.samples.appendingPathComponent("expected/sse/\(name).json"))
      let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      runs += try #require(object["runs"] as? [[String: Any]])
    }
    expectedRuns = runs
    store = try Self.makeStore(ingesting: files.map { sseFolder.appendingPathComponent($0).path })
  }

  private static func makeStore(ingesting paths: [String]) throws -> RunStore {
    let folder = try TestScratch.folder("queries")
    let store = try RunStore(path: folder.appendingPathComponent("t.db").path)
    _ = Ingestor(store: store).ingest(paths: paths)
    return store
  }

  private func run(_ file: String, on other: RunStore? = nil) throws -> [[String: JSONValue]] {
    let sql = try String(
      contentsOf: Self.queries.appendingPathComponent(file), encoding: .utf8)
    let table = try (other ?? store).table(sql: sql)
    return table.rows.map { Dictionary(uniqueKeysWithValues: zip(table.columns, $0)) }
  }

  private func int(_ value: JSONValue?) -> Int { value?.intValue ?? 0 }

  private func expectedNodeTotals(_ key: String) -> [String: Int] {
    var totals: [String: Int] = [:]
    for run in expectedRuns {
      for (node, stats) in run["node_stats"] as? [String: [String: Int]] ?? [:]
      where node != "None" {
        totals[node, default: 0] += stats[key] ?? 0
      }
    }
    return totals
  }

  @Test func everyQueryFileIsCovered() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.queries.path)
      .filter { $0.hasSuffix(".sql") }.sorted()
    #expect(files.count >= 10)
    #expect(Set(files) == Set(Self.coveredFiles))
    for file in files {
      let text = try String(contentsOf: Self.queries.appendingPathComponent(file), encoding: .utf8)
      #expect(text.hasPrefix("-- "), "\(file) starts with a comment saying what it answers")
    }
  }

  private static let coveredFiles = [
    "tokens_per_node.sql", "most_called_tools.sql", "invalid_tool_args.sql",
    "failed_and_interrupted_runs.sql", "slowest_model_calls.sql", "runs_per_graph_per_day.sql",
    "messages_by_model.sql", "subgraph_activity.sql", "unanswered_tool_calls.sql",
    "ingest_problems.sql", "heaviest_runs.sql", "stream_modes.sql",
  ]

  @Test func tokensPerNodeMatchesTheExpectedNodeStatistics() throws {
    let rows = try run("tokens_per_node.sql")
    let expected = expectedNodeTotals("total_tokens")
    for (node, total) in expected where total > 0 {
      let row = try #require(rows.first { $0["node"]?.stringValue == node })
      #expect(int(row["total_tokens"]) == total, "node \(node)")
    }
    let totals = rows.map { int($0["total_tokens"]) }
    #expect(totals == totals.sorted(by: >))
  }

  @Test func mostCalledToolsCountsEveryExpectedCall() throws {
    var expected: [String: Int] = [:]
    for run in expectedRuns {
      for call in run["tool_calls"] as? [[String: Any]] ?? [] {
        expected[call["name"] as? String ?? "", default: 0] += 1
      }
    }
    let rows = try run("most_called_tools.sql")
    #expect(!expected.isEmpty)
    for (name, calls) in expected {
      let row = try #require(rows.first { $0["name"]?.stringValue == name })
      #expect(int(row["calls"]) == calls, "tool \(name)")
      #expect(int(row["invalid_args"]) == 0)
    }
  }

  @Test func invalidToolArgumentsAreListedWithTheirRawText() throws {
    #expect(try run("invalid_tool_args.sql").isEmpty)
    let chunk = """
      [{"content":"","type":"AIMessageChunk","id":"lc_run--q1","tool_call_chunks":\
      [{"name":"get_weather","args":"{\\"city\\": \\"Par","id":"call_Q","index":0}],\
      "chunk_position":"last"},{"langgraph_node":"agent","langgraph_checkpoint_ns":"agent:1"}]
      """
    let capture =
      "event: metadata\ndata: {\"run_id\":\"broken-args-run\",\"attempt\":1}\n\n"
      + "event: messages\ndata: \(chunk)\n\n"
    let file = try TestScratch.folder("broken-args").appendingPathComponent("capture.sse")
    try Data(capture.utf8).write(to: file)
    _ = Ingestor(store: store).ingest(paths: [file.path])
    let rows = try run("invalid_tool_args.sql")
    #expect(rows.count == 1)
    #expect(rows.first?["args"]?.stringValue == "{\"city\": \"Par")
    #expect(rows.first?["name"]?.stringValue == "get_weather")
  }

  @Test func failedAndInterruptedRunsAreExactlyTheUnsuccessfulOnes() throws {
    let expected = Set(
      expectedRuns.filter { ($0["status"] as? String) != "success" }.compactMap {
        $0["run_id"] as? String
      })
    let rows = try run("failed_and_interrupted_runs.sql")
    #expect(Set(rows.compactMap { $0["run_id"]?.stringValue }) == expected)
    let failed = try #require(rows.first { $0["status"]?.stringValue == "error" })
    #expect(failed["error_type"]?.stringValue == "ValueError")
    #expect(failed["error"]?.stringValue?.contains("quota exceeded") == true)
  }

  @Test func slowestModelCallsAreOrderedGaps() throws {
    let rows = try run("slowest_model_calls.sql")
    #expect(!rows.isEmpty)
    let gaps = rows.map { int($0["until_next_call_ms"]) }
    #expect(gaps == gaps.sorted(by: >))
    #expect(gaps.allSatisfy { $0 >= 0 })
    #expect(rows.allSatisfy { $0["started_at"]?.stringValue?.hasPrefix("20") == true })
  }

  @Test func runsPerGraphPerDayCountsEveryRun() throws {
    let rows = try run("runs_per_graph_per_day.sql")
    #expect(rows.reduce(0) { $0 + int($1["runs"]) } == expectedRuns.count)
    let errors = expectedRuns.filter { ($0["status"] as? String) == "error" }.count
    #expect(rows.reduce(0) { $0 + int($1["errors"]) } == errors)
    #expect(rows.contains { $0["graph"]?.stringValue == "react" })
  }

  @Test func messagesByModelSplitsAIMessagesByModel() throws {
    let rows = try run("messages_by_model.sql")
    let claude = try #require(rows.first { $0["model"]?.stringValue == "claude-scripted" })
    #expect(claude["provider"]?.stringValue == "anthropic")
    let aiMessages = try store.table(sql: "SELECT COUNT(*) FROM messages WHERE type = 'ai'")
    #expect(rows.reduce(0) { $0 + int($1["messages"]) } == aiMessages.rows.first?.first?.intValue)
  }

  @Test func subgraphActivityNamesTheSubgraphNode() throws {
    let rows = try run("subgraph_activity.sql")
    let node2 = rows.filter { $0["subgraph_node"]?.stringValue == "node_2" }
    #expect(!node2.isEmpty)
    let direct = try store.table(sql: "SELECT COUNT(*) FROM events WHERE namespace LIKE 'node_2:%'")
    #expect(node2.reduce(0) { $0 + int($1["events"]) } == direct.rows.first?.first?.intValue)
  }

  @Test func unansweredToolCallsMatchCallsWithoutResults() throws {
    var expected = 0
    for run in expectedRuns {
      expected +=
        (run["tool_calls"] as? [[String: Any]] ?? []).filter { $0["result"] is NSNull }
        .count
    }
    #expect(try run("unanswered_tool_calls.sql").count == expected)
  }

  @Test func ingestProblemsPointAtTheDamagedLine() throws {
    #expect(try run("ingest_problems.sql").isEmpty)
    let damaged = try Self.makeStore(ingesting: [
      Self.samples.appendingPathComponent("edge/corrupt_line.jsonl").path
    ])
    let rows = try run("ingest_problems.sql", on: damaged)
    let row = try #require(
      rows.first { $0["source"]?.stringValue?.hasSuffix("corrupt_line.jsonl") == true })
    #expect(int(row["line"]) == 40)
    #expect(row["message"]?.stringValue?.isEmpty == false)
  }

  @Test func heaviestRunsStartWithTheLargestTokenTotal() throws {
    let totals = expectedRuns.map { run in
      (run["messages"] as? [[String: Any]] ?? []).reduce(0) {
        $0 + ((($1["usage"] as? [String: Any])?["total_tokens"] as? Int) ?? 0)
      }
    }
    let rows = try run("heaviest_runs.sql")
    #expect(int(rows.first?["total_tokens"]) == totals.max())
  }

  @Test func streamModesCountEveryEvent() throws {
    let rows = try run("stream_modes.sql")
    let expectedEvents = expectedRuns.reduce(0) { $0 + ($1["events"] as? Int ?? 0) }
    let sseEvents = try store.table(
      sql: """
        SELECT COUNT(*) FROM events e JOIN runs r USING (run_id, attempt)
         WHERE r.source LIKE '%/sse/%'
        """)
    #expect(sseEvents.rows.first?.first?.intValue == expectedEvents)
    let all = try store.table(sql: "SELECT COUNT(*) FROM events")
    #expect(rows.reduce(0) { $0 + int($1["events"]) } == all.rows.first?.first?.intValue)
  }
}
