import Foundation
import LGAnalyzeCore
import Testing

/// A damaged copy never replaces a clean one (README, "Bad input"), also when the damage left
/// every line readable: a stray line break after an event line, a flipped byte in a metadata
/// key, a file that stops after an event line. Each is reported on its line, and the run it is
/// in counts as damaged. A stream saved in two parts and joined with `cat` is one run.
@Suite struct DamagedCopyTests {
  static let runOne = "01a20557-0000-7000-8000-000000000001"
  static let runTwo = "01a20557-0000-7000-8000-000000000002"

  private static func metadata(_ runID: String, key: String = "run_id") -> String {
    "event: metadata\r\ndata: {\"\(key)\":\"\(runID)\",\"attempt\":1}\r\n\r\n"
  }

  private static func chunk(_ text: String, id: String = "m1", blankAfterEvent: Bool = false)
    -> String
  {
    "event: messages\r\n" + (blankAfterEvent ? "\r\n" : "")
      + "data: [{\"content\":\"\(text)\",\"type\":\"AIMessageChunk\",\"id\":\"\(id)\"},"
      + "{\"langgraph_node\":\"agent\"}]\r\n\r\n"
  }

  /// Ingests each text as a file of its own, in order, into one new store.
  private static func ingest(_ files: [String], label: String) throws -> (
    store: RunStore, reports: [FileReport], folder: URL
  ) {
    let folder = try RobustnessFixtures.scratchFolder(label)
    let store = try RobustnessFixtures.newStore(in: folder)
    let paths = try files.enumerated().map { index, text in
      try RobustnessFixtures.write(Array(text.utf8), named: "\(index).sse", in: folder)
    }
    let reports = paths.map { Ingestor(store: store).ingestFile(path: $0) }
    return (store, reports, folder)
  }

  /// run id, event count and message text of every run, by run id.
  private static func runs(_ store: RunStore) throws -> [String] {
    try RobustnessFixtures.rows(
      store,
      """
      SELECT r.run_id, r.event_count,
             (SELECT group_concat(content, '|') FROM messages m WHERE m.run_id = r.run_id)
        FROM runs r ORDER BY r.run_id
      """)
  }

  @Test func aStrayBlankLineAfterAnEventLineNeverReplacesTheCleanCopy() throws {
    let good = Self.metadata(Self.runOne) + Self.chunk("Hel") + Self.chunk("lo")
    let damaged =
      Self.metadata(Self.runOne) + Self.chunk("Hel", blankAfterEvent: true) + Self.chunk("lo")
    let (store, reports, folder) = try Self.ingest([good, damaged], label: "blank-line")
    defer { RobustnessFixtures.removeScratch(folder) }
    #expect(reports[0].isClean)
    #expect(!reports[1].isClean)
    #expect(reports[1].issues.map(\.line) == [4, 6])
    #expect(try Self.runs(store) == ["\"\(Self.runOne)\"\t3\t\"Hello\""])
    #expect(
      try RobustnessFixtures.integer(store, "SELECT COUNT(*) FROM ingest_errors WHERE line > 0")
        == 2)
  }

  /// The same two copies the other way round: the clean copy, as many events, replaces the
  /// damaged one, so the order they come in does not decide what stays.
  @Test func aCleanCopyReplacesADamagedOneWithAsManyEvents() throws {
    let good = Self.metadata(Self.runOne) + Self.chunk("Hel") + Self.chunk("lo")
    let damaged =
      Self.metadata(Self.runOne) + Self.chunk("Hel", blankAfterEvent: true) + Self.chunk("lo")
    let (store, reports, folder) = try Self.ingest([damaged, good], label: "clean-second")
    defer { RobustnessFixtures.removeScratch(folder) }
    #expect(try Self.runs(store) == ["\"\(Self.runOne)\"\t3\t\"Hello\""])
    guard case .stored(let summary) = reports[1].outcome else {
      Issue.record("the clean copy was not stored: \(reports[1].summary)")
      return
    }
    #expect(summary.runsWritten == 1)
  }

  /// A file that holds a run twice gets a note, not an error: the run stored from it is whole,
  /// so a damaged copy with more events still does not replace it.
  @Test func aRunStoredFromAFileWithANoteStaysAgainstADamagedCopy() throws {
    let copy = Self.metadata(Self.runOne) + Self.chunk("Hel") + Self.chunk("lo")
    let damaged =
      Self.metadata(Self.runOne) + Self.chunk("Hel")
      + "event: messages\r\ndata: [{\"content\":\"XX\", BROKEN\r\n\r\n" + Self.chunk("lo")
      + Self.chunk(" GARBAGE")
    let (store, reports, folder) = try Self.ingest([copy + copy, damaged], label: "note-only")
    defer { RobustnessFixtures.removeScratch(folder) }
    #expect(reports[0].issues.count == 1)
    #expect(reports[0].issues.allSatisfy { !$0.damagesRun })
    #expect(!reports[1].isClean)
    #expect(try Self.runs(store) == ["\"\(Self.runOne)\"\t3\t\"Hello\""])
  }

  @Test func aFlippedMetadataKeyNeverJoinsTwoRuns() throws {
    let good =
      Self.metadata(Self.runOne) + Self.chunk("Hello") + Self.metadata(Self.runTwo)
      + Self.chunk("World", id: "m2")
    let damaged =
      Self.metadata(Self.runOne) + Self.chunk("Hello")
      + Self.metadata(Self.runTwo, key: "run_iX") + Self.chunk("World", id: "m2")

    // Alone, the damaged copy stores the first run as it was, and the second under another id.
    let (alone, aloneReports, aloneFolder) = try Self.ingest([damaged], label: "flipped-alone")
    defer { RobustnessFixtures.removeScratch(aloneFolder) }
    #expect(aloneReports[0].issues.map(\.line) == [7])
    let aloneRuns = try Self.runs(alone)
    #expect(aloneRuns.count == 2)
    #expect(aloneRuns.contains("\"\(Self.runOne)\"\t2\t\"Hello\""))

    // After the clean copy, both clean runs stay as they were.
    let (store, reports, folder) = try Self.ingest([good, damaged], label: "flipped")
    defer { RobustnessFixtures.removeScratch(folder) }
    #expect(reports[0].isClean && !reports[1].isClean)
    let runs = try Self.runs(store)
    #expect(runs.contains("\"\(Self.runOne)\"\t2\t\"Hello\""))
    #expect(runs.contains("\"\(Self.runTwo)\"\t2\t\"World\""))
  }

  @Test func aCaptureEndingAfterAnEventLineIsReportedAndIncomplete() throws {
    let cut = Self.metadata(Self.runOne) + Self.chunk("Hello") + "event: values\r\n"
    let (store, reports, folder) = try Self.ingest([cut], label: "event-line-at-end")
    defer { RobustnessFixtures.removeScratch(folder) }
    #expect(reports[0].issues.map(\.line) == [7])
    #expect(
      try RobustnessFixtures.rows(store, "SELECT status, event_count FROM runs")
        == ["\"incomplete\"\t3"])
    #expect(try RobustnessFixtures.integer(store, "SELECT line FROM ingest_errors") == 7)
  }

  @Test func aReconnectedStreamJoinedWithCatIsOneRun() throws {
    let parts =
      Self.metadata(Self.runOne) + Self.chunk("Hel") + Self.metadata(Self.runOne)
      + Self.chunk("lo") + Self.chunk("!")
    let (store, reports, folder) = try Self.ingest([parts], label: "joined")
    defer { RobustnessFixtures.removeScratch(folder) }
    #expect(reports[0].isClean)
    #expect(try Self.runs(store) == ["\"\(Self.runOne)\"\t5\t\"Hello!\""])
  }

  @Test func aStreamReadTwiceFromItsStartKeepsTheLongerCopyAndSaysSo() throws {
    let short = Self.metadata(Self.runOne) + Self.chunk("Hel")
    let whole = Self.metadata(Self.runOne) + Self.chunk("Hel") + Self.chunk("lo")
    let (store, reports, folder) = try Self.ingest([short + whole], label: "twice")
    defer { RobustnessFixtures.removeScratch(folder) }
    #expect(reports[0].issues.map(\.line) == [7])
    #expect(try Self.runs(store) == ["\"\(Self.runOne)\"\t3\t\"Hello\""])
  }
}
