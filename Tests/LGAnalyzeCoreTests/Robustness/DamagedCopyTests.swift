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
    #expect(!reports[0].hasErrors && !reports[0].isClean)
    #expect(reports[0].summary.contains("1 note(s) at line"), "\(reports[0].summary)")
    #expect(reports[1].hasErrors)
    #expect(try Self.runs(store) == ["\"\(Self.runOne)\"\t3\t\"Hello\""])
  }

  /// An event whose data line cannot be read.
  private static let unreadable = "event: messages\r\ndata: [{\"content\":\"XX\", BROKEN\r\n\r\n"

  /// A capture of run one, clean, then run two, with a line that cannot be read among its
  /// events.
  static let cleanRunThenDamagedRun =
    metadata(runOne) + chunk("Hel") + chunk("lo") + metadata(runTwo) + chunk("Wor", id: "m2")
    + unreadable + chunk("ld", id: "m2")

  /// A copy of run one with an event more than the clean one and a line that cannot be read.
  static let damagedLongerCopyOfRunOne =
    metadata(runOne) + chunk("Hel") + unreadable + chunk("lo") + chunk(" GARBAGE")

  /// run id, event count and damage of every run, by run id.
  private static func damage(_ store: RunStore) throws -> [String] {
    try RobustnessFixtures.rows(
      store, "SELECT run_id, event_count, damaged FROM runs ORDER BY run_id")
  }

  /// Damage is judged per run: the file a clean run came from also held a damaged run, and
  /// that does not let a damaged copy of the clean run replace it.
  @Test func aCleanRunFromAFileWithADamagedRunStaysAgainstALongerDamagedCopy() throws {
    let (store, reports, folder) = try Self.ingest(
      [Self.cleanRunThenDamagedRun, Self.damagedLongerCopyOfRunOne], label: "clean-beside-damaged")
    defer { RobustnessFixtures.removeScratch(folder) }
    #expect(reports.map(\.isClean) == [false, false])
    #expect(
      try Self.runs(store) == [
        "\"\(Self.runOne)\"\t3\t\"Hello\"", "\"\(Self.runTwo)\"\t3\t\"World\"",
      ])
    #expect(
      try Self.damage(store) == ["\"\(Self.runOne)\"\t3\t0", "\"\(Self.runTwo)\"\t3\t1"])
    guard case .stored(let summary) = reports[1].outcome else {
      Issue.record("the damaged copy's file was not stored: \(reports[1].summary)")
      return
    }
    #expect(summary.runsWritten == 0)
    #expect(summary.runsAlreadyStored == 1)
  }

  /// The same files the other way round. The damaged copy, stored first, has more events than
  /// the clean one, and the copy with more events wins; it stays marked damaged, so that a
  /// clean copy with as many events replaces it.
  @Test func aLongerDamagedCopyStoredFirstStaysMarkedDamaged() throws {
    let (store, reports, folder) = try Self.ingest(
      [Self.damagedLongerCopyOfRunOne, Self.cleanRunThenDamagedRun], label: "damaged-first")
    defer { RobustnessFixtures.removeScratch(folder) }
    #expect(reports.map(\.isClean) == [false, false])
    let world = "\"\(Self.runTwo)\"\t3\t\"World\""
    #expect(try Self.runs(store) == ["\"\(Self.runOne)\"\t4\t\"Hello GARBAGE\"", world])
    #expect(
      try Self.damage(store) == ["\"\(Self.runOne)\"\t4\t1", "\"\(Self.runTwo)\"\t3\t1"])

    let cleanAsLong =
      Self.metadata(Self.runOne) + Self.chunk("Hel") + Self.chunk("lo") + Self.chunk(" again")
    let path = try RobustnessFixtures.write(
      Array(cleanAsLong.utf8), named: "clean.sse", in: folder)
    #expect(Ingestor(store: store).ingestFile(path: path).isClean)
    #expect(try Self.runs(store) == ["\"\(Self.runOne)\"\t4\t\"Hello again\"", world])
    #expect(
      try Self.damage(store) == ["\"\(Self.runOne)\"\t4\t0", "\"\(Self.runTwo)\"\t3\t1"])
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
