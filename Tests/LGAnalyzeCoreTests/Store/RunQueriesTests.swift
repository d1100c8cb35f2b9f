import Foundation
import LGAnalyzeCore
import Testing

/// The read side of the store as the listing commands use it, on a few sample captures: limits
/// that no caller can turn into a crash.
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

  @Test func anIngestorNeverStartsMoreWorkersThanItsMaximum() throws {
    #expect(Ingestor(store: store, jobs: Int.max).jobs == Ingestor.maximumJobs)
    #expect(Ingestor(store: store, jobs: -5).jobs == 1)
  }
}
