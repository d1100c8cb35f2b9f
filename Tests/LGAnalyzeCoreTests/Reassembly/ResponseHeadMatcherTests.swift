import Foundation
import Testing

@testable import LGAnalyzeCore

/// The thread a saved HTTP response head (`curl -i`) names goes to the runs of that response
/// only: captures joined with `cat` hold several responses, and a later one's head, or a run
/// that cannot be the response's, ends what a head speaks for.
@Suite struct ResponseHeadMatcherTests {
  private static let runR = "01a20557-0000-7000-8000-00000000000a"
  private static let runS = "01a20557-0000-7000-8000-00000000000b"

  /// A `curl -i` head whose Location headers name `path` (`/threads/T/runs/R`), or none.
  private static func head(_ path: String?) -> String {
    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
      + (path.map { "location: \($0)/stream\r\ncontent-location: \($0)\r\n" } ?? "") + "\r\n"
  }

  /// One attempt of a run whose message chunk's metadata names `thread`, if given.
  private static func run(_ runID: String, attempt: Int = 1, thread: String? = nil) -> String {
    let metadata = thread.map { #"{"langgraph_node":"agent","thread_id":"\#($0)"}"# } ?? "{}"
    return "event: metadata\r\ndata: {\"run_id\":\"\(runID)\",\"attempt\":\(attempt)}\r\n\r\n"
      + "event: messages\r\ndata: [{\"content\":\"hi\",\"type\":\"AIMessageChunk\","
      + "\"id\":\"m-\(runID)-\(attempt)\"},\(metadata)]\r\n\r\n"
  }

  /// Ingests `capture` as one file; returns "run attempt thread" for each run, in that order.
  private static func threads(_ capture: String, label: String) throws -> [String] {
    let folder = try TestScratch.folder(label)
    let store = try RunStore(path: folder.appendingPathComponent("t.db").path)
    let file = folder.appendingPathComponent("joined.sse")
    try Data(capture.utf8).write(to: file)
    let report = Ingestor(store: store).ingestFile(path: file.path)
    #expect(report.isStored && report.issues.isEmpty, "\(report.summary)")
    return try store.table(
      sql: """
        SELECT run_id || ' ' || attempt || ' ' || COALESCE(thread_id, '-') FROM runs
         ORDER BY run_id, attempt
        """
    ).rows.compactMap { $0.first?.stringValue }
  }

  @Test func aRunOfAnotherResponseSavedWithoutAHeadGetsNoThread() throws {
    let joined =
      Self.head("/threads/T1/runs/\(Self.runR)") + Self.run(Self.runR) + Self.run(Self.runS)
    #expect(
      try Self.threads(joined, label: "head-then-none")
        == ["\(Self.runR) 1 T1", "\(Self.runS) 1 -"])
  }

  @Test func eachResponseGetsTheThreadOfItsOwnHead() throws {
    let joined =
      Self.head("/threads/T1/runs/\(Self.runR)") + Self.run(Self.runR)
      + Self.head("/threads/T2/runs/\(Self.runS)") + Self.run(Self.runS)
    #expect(
      try Self.threads(joined, label: "two-heads")
        == ["\(Self.runR) 1 T1", "\(Self.runS) 1 T2"])
  }

  @Test func aLaterHeadThatNamesNoThreadReplacesTheFirst() throws {
    let stateless =
      Self.head("/threads/T1/runs/\(Self.runR)") + Self.run(Self.runR)
      + Self.head("/runs/\(Self.runS)") + Self.run(Self.runS)
    #expect(
      try Self.threads(stateless, label: "stateless-second")
        == ["\(Self.runR) 1 T1", "\(Self.runS) 1 -"])
    let bare =
      Self.head("/threads/T1/runs/\(Self.runR)") + Self.run(Self.runR) + Self.head(nil)
      + Self.run(Self.runS)
    #expect(
      try Self.threads(bare, label: "bare-second") == ["\(Self.runR) 1 T1", "\(Self.runS) 1 -"])
  }

  @Test func aRetryIsOfTheSameResponse() throws {
    let retried =
      Self.head("/threads/T1/runs/\(Self.runR)") + Self.run(Self.runR)
      + Self.run(Self.runR, attempt: 2)
    #expect(
      try Self.threads(retried, label: "retry") == ["\(Self.runR) 1 T1", "\(Self.runR) 2 T1"])
  }

  /// A thread stream names no run, as it streams many: each is the response's, until one whose
  /// events name another thread; no run after that one is.
  @Test func aThreadStreamsRunsAreItsOwnUntilOneNamesAnotherThread() throws {
    let thread =
      Self.head("/threads/T1") + Self.run(Self.runR, thread: "T1") + Self.run(Self.runS)
    #expect(
      try Self.threads(thread, label: "thread-stream")
        == ["\(Self.runR) 1 T1", "\(Self.runS) 1 T1"])
    let other =
      Self.head("/threads/T1") + Self.run(Self.runR, thread: "T9")
      + Self.run(Self.runS)
    #expect(
      try Self.threads(other, label: "other-thread")
        == ["\(Self.runR) 1 T9", "\(Self.runS) 1 -"])
  }

  /// A capture that stops without the empty line after its last event, with another joined
  /// after it: the event ends where the next response's head starts, whole.
  @Test func aHeadRightAfterAnUnendedEventEndsIt() throws {
    var first = Self.run(Self.runR)
    // The empty line's CRLF, one Character.
    first.removeLast()
    let joined =
      Self.head("/threads/T1/runs/\(Self.runR)") + first
      + Self.head("/threads/T2/runs/\(Self.runS)") + Self.run(Self.runS)
    #expect(
      try Self.threads(joined, label: "unended")
        == ["\(Self.runR) 1 T1", "\(Self.runS) 1 T2"])
  }

  // MARK: - The matcher alone

  @Test func noHeadBeforeARunGivesItNoThread() {
    var matcher = ResponseHeadMatcher()
    let heads = [ResponseHead(line: 10, threadID: "T", runID: nil)]
    #expect(matcher.threadID(forRunAt: 3, runID: "R", eventsThreadID: nil, heads: heads) == nil)
    #expect(matcher.threadID(forRunAt: 14, runID: "R", eventsThreadID: nil, heads: heads) == "T")
  }

  @Test func aRunWithoutARunIDMayBeTheResponses() {
    var matcher = ResponseHeadMatcher()
    let heads = [ResponseHead(line: 1, threadID: "T", runID: "R")]
    #expect(matcher.threadID(forRunAt: 5, runID: nil, eventsThreadID: nil, heads: heads) == "T")
    #expect(matcher.threadID(forRunAt: 9, runID: "R", eventsThreadID: "T", heads: heads) == "T")
    #expect(matcher.threadID(forRunAt: 20, runID: "S", eventsThreadID: nil, heads: heads) == nil)
    #expect(matcher.threadID(forRunAt: 30, runID: "R", eventsThreadID: nil, heads: heads) == nil)
  }
}
