import Foundation
import LGAnalyzeCore
import Testing

/// The read side of the store as the listing commands use it, on a few sample captures: limits
/// that no caller can turn into a crash, and `query`'s errors in words for the person who typed
/// the SQL.
@Suite struct RunQueriesTests {
  private let store: RunStore

  init() throws {
    let folder = try TestScratch.folder("queries")
    store = try RunStore(path: folder.appendingPathComponent("queries.db").path)
    let files = ["weather_messages_tuple.sse", "approval_interrupt.sse", "failing_error.sse"]
    _ = Ingestor(store: store).ingest(
      paths: files.map { ExportFixtures.samples.appendingPathComponent("sse/\($0)").path })
  }

  @Test(arguments: [0, -1, Int.min])
  func aLimitBelowOneListsNoRunsInsteadOfTrapping(_ limit: Int) throws {
    #expect(try store.runs().count == 3)
    #expect(try store.runs(matching: RunFilter(limit: limit)).isEmpty)
    #expect(try store.runs(matching: RunFilter(limit: 2)).count == 2)
  }

  @Test(arguments: [0, -1, Int.min])
  func aSearchLimitBelowOneFindsNothing(_ limit: Int) throws {
    #expect(try store.search("weather", limit: 50).rows.count > 1)
    #expect(try store.search("weather", limit: limit).rows.isEmpty)
    #expect(try store.search("weather", limit: 1).rows.count == 1)
  }

  @Test(arguments: [
    "SELECT COUNT(*) AS n FROM runs", "SELECT COUNT(*) AS n FROM runs;",
    "SELECT COUNT(*) AS n FROM runs; -- how many", "/* runs */ SELECT COUNT(*) AS n FROM runs;;",
  ])
  func queryRunsOneStatementWithTrailingSemicolonsAndComments(_ sql: String) throws {
    let readOnly = try RunStore.openReadOnly(path: store.path)
    #expect(try readOnly.query(sql) == ResultTable(columns: ["n"], rows: [[.number("3")]]))
  }

  @Test(arguments: [
    ("SELECT 1; SELECT 2", "query runs one statement; "),
    ("SELECT 1; not sql at all", "query runs one statement; "),
    ("DELETE FROM runs", "query is read-only; "),
    ("CREATE TABLE notes (text)", "query is read-only; "),
    ("  -- only a comment", "query needs an SQL statement"),
    ("SELECT * FROM no_such_table", "query failed: no such table: no_such_table"),
  ])
  func queryErrorsSpeakToThePersonWhoWroteTheSQL(_ sql: String, _ start: String) throws {
    let readOnly = try RunStore.openReadOnly(path: store.path)
    #expect(throws: QueryError.self) { try readOnly.query(sql) }
    do {
      _ = try readOnly.query(sql)
    } catch {
      #expect(error.description.hasPrefix(start), "\(error.description)")
      #expect(!error.description.contains("Database."), "\(error.description)")
      #expect(!error.description.contains("SQLite error"), "\(error.description)")
    }
    #expect(try store.runs().count == 3)
  }

  @Test func anIngestorNeverStartsMoreWorkersThanItsMaximum() throws {
    #expect(Ingestor(store: store, jobs: Int.max).jobs == Ingestor.maximumJobs)
    #expect(Ingestor(store: store, jobs: -5).jobs == 1)
  }
}
