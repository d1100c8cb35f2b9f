import Foundation
import GRDB
import Testing

@testable import LGAnalyzeCore

/// Token counts come from the streams, so any 64-bit value can be stored. Every listing, view
/// and canned query must still answer for the whole database, with integer sums that are exact
/// for real figures and held at the 64-bit limits past them.
@Suite struct TokenSumTests {
  /// A JSONL capture of two runs whose usage_metadata holds counts at the 64-bit limits: two
  /// messages of the first add up past the largest integer, two of the second past the smallest.
  private static let absurdCounts: String = {
    func metadata(_ runID: String) -> String {
      #"{"event":"metadata","data":{"run_id":"\#(runID)","attempt":1}}"#
    }
    func chunk(_ id: String, _ input: String, _ total: String) -> String {
      #"{"event":"messages","data":[{"content":"text \#(id)","type":"AIMessageChunk","id":"\#(id)","#
        + #""usage_metadata":{"input_tokens":\#(input),"output_tokens":1,"total_tokens":\#(total)}},"#
        + #"{"langgraph_node":"n","ls_model_name":"m"}]}"#
    }
    let largest = "9223372036854775807"
    let smallest = "-9223372036854775808"
    return [
      metadata("r-overflow-high"), chunk("m1", largest, largest), chunk("m2", "1", largest),
      metadata("r-overflow-low"), chunk("m3", smallest, "2"), chunk("m4", "-1", "3"),
    ].joined(separator: "\n") + "\n"
  }()

  private static let queries = RobustnessFixtures.samples.deletingLastPathComponent()
    .appendingPathComponent("Queries")

  @Test func everyQueryAndViewAnswersWhateverTokenCountsAreStored() throws {
    let folder = try RobustnessFixtures.scratchFolder("token-sums")
    defer { RobustnessFixtures.removeScratch(folder) }
    let capture = try RobustnessFixtures.write(
      Array(Self.absurdCounts.utf8), named: "absurd.jsonl", in: folder)
    let weather = RobustnessFixtures.samples.appendingPathComponent("sse/weather_values.sse").path
    let reference = try RobustnessFixtures.newStore(in: folder, name: "reference.db")
    _ = Ingestor(store: reference, jobs: 1).ingest(paths: [weather])
    let store = try RobustnessFixtures.newStore(in: folder)
    let reports = Ingestor(store: store, jobs: 1).ingest(paths: [weather, capture])
    #expect(reports.allSatisfy { $0.isClean }, "\(reports.map(\.summary))")

    let runs = try store.runs()
    #expect(runs.count == 3)
    let high = try #require(runs.first { $0.runID == "r-overflow-high" })
    #expect(high.inputTokens == Int.max)
    #expect(high.totalTokens == Int.max)
    #expect(high.outputTokens == 2)
    let low = try #require(runs.first { $0.runID == "r-overflow-low" })
    #expect(low.inputTokens == Int.min)
    #expect(low.totalTokens == 5)
    // Real figures stay exact integers.
    let expected = try #require(try reference.runs().first)
    let stored = try #require(runs.first { $0.runID == expected.runID })
    #expect(stored == expected)
    #expect(expected.totalTokens > 0)

    for run in runs { _ = try store.transcript(of: run) }
    for grouping in StatsGrouping.allCases {
      let table = try store.stats(by: grouping)
      #expect(!table.rows.isEmpty, "\(grouping)")
    }
    let nodeStats = try RobustnessFixtures.rows(
      store,
      """
      SELECT run_id, input_tokens, output_tokens, total_tokens, typeof(input_tokens)
        FROM node_stats WHERE node = 'n' ORDER BY run_id
      """)
    #expect(
      nodeStats == [
        "\"r-overflow-high\"\t9223372036854775807\t2\t9223372036854775807\t\"integer\"",
        "\"r-overflow-low\"\t-9223372036854775808\t2\t5\t\"integer\"",
      ])
    _ = try store.table(sql: "SELECT * FROM model_calls")
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.queries.path)
      .filter { $0.hasSuffix(".sql") }
    #expect(files.count >= 10)
    for file in files {
      let sql = try String(
        contentsOf: Self.queries.appendingPathComponent(file), encoding: .utf8)
      do {
        _ = try store.table(sql: sql)
      } catch {
        Issue.record("\(file): \(error)")
      }
    }
  }

  @Test func aDatabaseOfAnEarlierVersionGetsSumsThatDoNotFail() throws {
    let folder = try RobustnessFixtures.scratchFolder("token-sums-migrate")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = folder.appendingPathComponent("old.db").path
    try RobustnessFixtures.earlierDatabase(at: path, upTo: "v2-events-in-insertion-order") { db in
      for (position, id) in ["a", "b"].enumerated() {
        try db.execute(
          sql: """
            INSERT INTO messages (run_id, position, message_id, type, node, content,
                                  chunk_count, input_tokens, first_seq)
            VALUES ('run-1', ?, ?, 'ai', 'agent', '', 1, 9223372036854775807, 0)
            """, arguments: [position, id])
      }
    }
    let store = try RunStore(path: path)
    #expect(
      try RobustnessFixtures.rows(store, "SELECT node, input_tokens FROM node_stats")
        == ["\"agent\"\t9223372036854775807"])
  }
}
