import Foundation
import GRDB
import Testing

@testable import LGAnalyzeCore

/// The batch writer commits several sources in one transaction, each under its own savepoint:
/// a source that fails halfway leaves nothing, the others of its batch stay, and nothing is
/// visible before the commit.
@Suite struct BatchWriterTests {
  /// The runs of a sample capture, as a worker would hand them over.
  private static func runs(ofSample name: String) throws -> [Run] {
    let path = RobustnessFixtures.samples.appendingPathComponent(name).path
    let bytes = try RobustnessFixtures.bytes(path)
    let kind: FormatKind = name.hasSuffix(".sse") ? .sse : .jsonl
    let parsed = FormatDetector.read(bytes, as: kind)
    let segments = RunAssembler.split(parsed.events)
    return segments.enumerated().map { index, segment in
      RunAssembler.assemble(
        segment, runID: segment.runID ?? "derived-\(index)",
        endsInsideEvent: parsed.endsInsideEvent && index == segments.count - 1)
    }
  }

  private static func source(_ name: String, bytes: Int = 1000) -> SourceRecord {
    SourceRecord(path: name, sha256: "digest-of-\(name)", format: "sse", byteCount: bytes)
  }

  /// Writes `runs` as the source `name` through `writer`.
  @discardableResult
  private static func write(_ runs: [Run], as name: String, with writer: BatchWriter) throws
    -> StoreSummary
  {
    var remaining = runs[...]
    return try writer.write(
      source: source(name), nextRun: { remaining.popFirst().map { ($0, false) } },
      finish: { ("sse", []) })
  }

  private static func count(_ store: RunStore, _ table: String) throws -> Int {
    try RobustnessFixtures.integer(store, "SELECT COUNT(*) FROM \(table)")
  }

  @Test func sourcesOfOneBatchAreStoredTogether() throws {
    let folder = try RobustnessFixtures.scratchFolder("batch")
    defer { RobustnessFixtures.removeScratch(folder) }
    let store = try RobustnessFixtures.newStore(in: folder)
    let first = try Self.runs(ofSample: "sse/react_messages_tuple.sse")
    let second = try Self.runs(ofSample: "sse/weather_updates.sse")
    try store.withBatchWriter { writer in
      try Self.write(first, as: "a.sse", with: writer)
      try Self.write(second, as: "b.sse", with: writer)
      #expect(writer.pendingSources == 2)
      try writer.commit()
      #expect(writer.pendingSources == 0)
    }
    #expect(try Self.count(store, "sources") == 2)
    let events = (first + second).reduce(0) { $0 + $1.events.count }
    #expect(try Self.count(store, "events") == events)
  }

  @Test func aSourceThatFailsHalfwayLeavesTheOthersOfItsBatch() throws {
    struct ReadFailed: Error {}
    let folder = try RobustnessFixtures.scratchFolder("batch-fail")
    defer { RobustnessFixtures.removeScratch(folder) }
    let store = try RobustnessFixtures.newStore(in: folder)
    let good = try Self.runs(ofSample: "sse/react_messages_tuple.sse")
    let failing = try Self.runs(ofSample: "sse/weather_updates.sse")
    let last = try Self.runs(ofSample: "sse/joke_custom.sse")
    try store.withBatchWriter { writer in
      try Self.write(good, as: "good.sse", with: writer)
      var handedOver = false
      #expect(throws: ReadFailed.self) {
        try writer.write(
          source: Self.source("failing.sse"),
          nextRun: {
            // One whole run is written before the read fails.
            guard !handedOver else { throw ReadFailed() }
            handedOver = true
            return (failing[0], false)
          },
          finish: { ("sse", []) })
      }
      try Self.write(last, as: "last.sse", with: writer)
      try writer.commit()
    }
    let paths = try RobustnessFixtures.rows(store, "SELECT path FROM sources ORDER BY path")
    #expect(paths == ["\"good.sse\"", "\"last.sse\""])
    let failedRun = failing[0].runID
    #expect(
      try RobustnessFixtures.integer(
        store, "SELECT COUNT(*) FROM events WHERE run_id = ?", [failedRun]) == 0)
    let events = (good + last).reduce(0) { $0 + $1.events.count }
    #expect(try Self.count(store, "events") == events)
  }

  /// The synchronous level (0 OFF, 1 NORMAL) of a connection.
  private static func synchronousLevel(_ db: Database) throws -> Int? {
    try Int.fetchOne(db, sql: "PRAGMA synchronous")
  }

  @Test func onlyADatabaseTheStoreCreatedIsWrittenWithoutSyncing() throws {
    struct Stop: Error {}
    let folder = try RobustnessFixtures.scratchFolder("batch-sync")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = folder.appendingPathComponent("lganalyze.db").path
    // An empty file holds nothing yet, like a missing one.
    #expect(FileManager.default.createFile(atPath: path, contents: Data()))
    let created = try RunStore(path: path)
    #expect(created.createdDatabase)
    let runs = try Self.runs(ofSample: "sse/react_messages_tuple.sse")
    try created.withBatchWriter { writer in
      #expect(try Self.synchronousLevel(writer.db) == 0)
      try Self.write(runs, as: "a.sse", with: writer)
      try writer.commit()
    }
    // Back at NORMAL once the writer is done, also when it failed, so that the checkpoint made
    // when the database is closed syncs as usual.
    #expect(try created.queue.read(Self.synchronousLevel) == 1)
    #expect(throws: Stop.self) {
      try created.withBatchWriter { writer in
        #expect(try Self.synchronousLevel(writer.db) == 0)
        throw Stop()
      }
    }
    #expect(try created.queue.read(Self.synchronousLevel) == 1)

    let reopened = try RunStore(path: path)
    #expect(!reopened.createdDatabase)
    let level = try reopened.withBatchWriter { writer in try Self.synchronousLevel(writer.db) }
    #expect(level == 1)
    #expect(try Self.count(reopened, "sources") == 1)
  }

  private static func walSize(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int
  }

  private static func journalMode(_ db: Database) throws -> String? {
    try String.fetchOne(db, sql: "PRAGMA journal_mode")
  }

  /// A created database is written with a rollback journal and ends its ingest in WAL mode,
  /// with an empty WAL: the sync at the end had only the database file to write, and closing
  /// has nothing left to copy.
  @Test func aCreatedDatabaseIsWrittenWithARollbackJournalAndEndsInWALMode() throws {
    let folder = try RobustnessFixtures.scratchFolder("batch-journal")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = folder.appendingPathComponent("lganalyze.db").path
    let store = try RunStore(path: path)
    #expect(store.createdDatabase)
    let runs = try Self.runs(ofSample: "sse/react_messages_tuple.sse")
    try store.withBatchWriter { writer in
      #expect(try Self.journalMode(writer.db) == "truncate")
      try Self.write(runs, as: "a.sse", with: writer)
      try writer.commit()
      #expect((Self.walSize(path) ?? 0) == 0)
    }
    #expect(try store.queue.read(Self.journalMode) == "wal")
    #expect(Self.walSize(path) == 0)
    #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
    #expect(
      try store.queue.read { try Int.fetchOne($0, sql: "PRAGMA busy_timeout") }
        == RunStore.busyTimeout * 1000)
    #expect(try Self.count(store, "sources") == 1)

    // A database that held data keeps its WAL.
    let reopened = try RunStore(path: path)
    try reopened.withBatchWriter { writer in
      #expect(try Self.journalMode(writer.db) == "wal")
      try Self.write(runs, as: "b.sse", with: writer)
      try writer.commit()
      #expect((Self.walSize(path) ?? 0) > 0)
    }
    #expect(try Self.count(reopened, "sources") == 2)
  }

  /// A second ingest that opens the database while the ingest that created it writes a batch
  /// cannot switch it to WAL, and goes on without: it writes once the first one commits.
  @Test func aSecondStoreOpensWhileTheIngestThatCreatedTheDatabaseWritesABatch() throws {
    let folder = try RobustnessFixtures.scratchFolder("batch-second-store")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = folder.appendingPathComponent("lganalyze.db").path
    let store = try RunStore(path: path)
    let runs = try Self.runs(ofSample: "sse/react_messages_tuple.sse")
    let second = try store.withBatchWriter { writer in
      try Self.write(runs, as: "a.sse", with: writer)
      let second = try RunStore(path: path)
      try writer.commit()
      return second
    }
    #expect(!second.createdDatabase)
    try second.withBatchWriter { writer in
      try Self.write(try Self.runs(ofSample: "sse/joke_custom.sse"), as: "b.sse", with: writer)
      try writer.commit()
    }
    #expect(try Self.count(second, "sources") == 2)
    #expect(try second.queue.read(Self.journalMode) == "wal")
  }

  @Test(.timeLimit(.minutes(1)))
  func aReaderInTheWALDoesNotHoldUpTheEndOfAnIngest() throws {
    let folder = try RobustnessFixtures.scratchFolder("batch-log-reader")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = folder.appendingPathComponent("lganalyze.db").path
    let store = try RunStore(path: path)
    let runs = try Self.runs(ofSample: "sse/react_messages_tuple.sse")
    try store.withBatchWriter { writer in
      try Self.write(runs, as: "a.sse", with: writer)
      try writer.commit()
    }
    var readerConfiguration = Configuration()
    readerConfiguration.readonly = true
    let reader = try DatabaseQueue(path: path, configuration: readerConfiguration)
    try reader.read { readerDB in
      // The reader's snapshot holds one source; the checkpoint cannot pass it, and waiting
      // for it under the 600 s busy timeout would hold the ingest until the reader ends (the
      // time limit then fails the test, once the wait is over).
      #expect(try Int.fetchOne(readerDB, sql: "SELECT COUNT(*) FROM sources") == 1)
      try store.withBatchWriter { writer in
        try Self.write(runs, as: "b.sse", with: writer)
        try writer.commit()
      }
      #expect((Self.walSize(path) ?? 0) > 0)
      #expect(try Int.fetchOne(readerDB, sql: "SELECT COUNT(*) FROM sources") == 1)
    }
    #expect(try Self.count(store, "sources") == 2)
    #expect(
      try store.queue.read { try Int.fetchOne($0, sql: "PRAGMA busy_timeout") }
        == RunStore.busyTimeout * 1000)
  }

  @Test func theHookAfterACommitRunsOnlyWhenSomethingWasCommitted() throws {
    let folder = try RobustnessFixtures.scratchFolder("batch-after-commit")
    defer { RobustnessFixtures.removeScratch(folder) }
    let store = try RobustnessFixtures.newStore(in: folder)
    let runs = try Self.runs(ofSample: "sse/react_messages_tuple.sse")
    var commits = 0
    try store.withBatchWriter { writer in
      writer.afterCommit = { commits += 1 }
      try writer.commit()
      #expect(commits == 0)
      try Self.write(runs, as: "a.sse", with: writer)
      try writer.commit()
      #expect(commits == 1)
      try Self.write(runs, as: "b.sse", with: writer)
      writer.rollback()
      #expect(commits == 1)
    }
  }

  @Test func nothingIsVisibleBeforeTheCommit() throws {
    let folder = try RobustnessFixtures.scratchFolder("batch-visible")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = folder.appendingPathComponent("lganalyze.db").path
    let store = try RunStore(path: path)
    let reader = try RunStore(path: path, readOnly: true)
    let runs = try Self.runs(ofSample: "sse/react_messages_tuple.sse")
    try store.withBatchWriter { writer in
      try Self.write(runs, as: "a.sse", with: writer)
      #expect(try Self.count(reader, "sources") == 0)
      #expect(try Self.count(reader, "events") == 0)
      try writer.commit()
      #expect(try Self.count(reader, "sources") == 1)
    }
  }

  @Test func whatIsNotCommittedIsRolledBackWhenTheWriterEnds() throws {
    struct Stop: Error {}
    let folder = try RobustnessFixtures.scratchFolder("batch-rollback")
    defer { RobustnessFixtures.removeScratch(folder) }
    let store = try RobustnessFixtures.newStore(in: folder)
    let runs = try Self.runs(ofSample: "sse/react_messages_tuple.sse")
    #expect(throws: Stop.self) {
      try store.withBatchWriter { writer in
        try Self.write(runs, as: "a.sse", with: writer)
        throw Stop()
      }
    }
    #expect(try Self.count(store, "sources") == 0)
    #expect(try Self.count(store, "events") == 0)
    // The database is left usable.
    try store.write(source: Self.source("b.sse"), runs: runs, issues: [])
    #expect(try Self.count(store, "sources") == 1)
  }

  @Test func aCommitFallsDueBySizeAndByTime() throws {
    let store = try RunStore(path: ":memory:")
    let runs = try Self.runs(ofSample: "sse/react_messages_tuple.sse")
    try store.withBatchWriter { writer in
      writer.commitInterval = .seconds(3600)
      writer.commitBytes = 1500
      #expect(!writer.isCommitDue)
      try Self.write(runs, as: "a.sse", with: writer)
      #expect(!writer.isCommitDue)
      try Self.write(runs, as: "b.sse", with: writer)
      #expect(writer.isCommitDue)
      try writer.commit()
      #expect(!writer.isCommitDue)

      writer.commitBytes = .max
      writer.commitInterval = .zero
      try Self.write(runs, as: "c.sse", with: writer)
      #expect(writer.isCommitDue)
      try writer.commit()
    }
    #expect(try Self.count(store, "sources") == 3)
  }

  @Test func aVersionOneDatabaseKeepsItsEventsInTheNewLayout() throws {
    let folder = try RobustnessFixtures.scratchFolder("migrate")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = folder.appendingPathComponent("old.db").path
    try RobustnessFixtures.earlierDatabase(at: path, upTo: "v1") { db in
      for seq in 0..<3 {
        try db.execute(
          sql: """
            INSERT INTO events (run_id, attempt, seq, event, mode, data, line)
            VALUES ('run-1', 1, ?, 'values', 'values', ?, ?)
            """, arguments: [seq, "{\"n\":\(seq)}", seq + 1])
      }
    }
    let store = try RunStore(path: path)
    #expect(
      try RobustnessFixtures.rows(store, "SELECT seq, data FROM events ORDER BY seq")
        == ["0\t\"{\\\"n\\\":0}\"", "1\t\"{\\\"n\\\":1}\"", "2\t\"{\\\"n\\\":2}\""])
    let plan = try RobustnessFixtures.rows(
      store, "EXPLAIN QUERY PLAN SELECT * FROM events WHERE run_id = 'run-1' AND attempt = 1")
    #expect(plan.joined().contains("events_run_seq"), "\(plan)")
    let definition = try RobustnessFixtures.rows(
      store, "SELECT sql FROM sqlite_schema WHERE name = 'events'")
    #expect(!definition.joined().contains("WITHOUT ROWID"))
  }
}

extension BatchWriterTests {
  @Test func aFailingSourceThatReplacedARunGivesTheStoredCopyBack() throws {
    struct ReadFailed: Error {}
    let folder = try RobustnessFixtures.scratchFolder("batch-replace")
    defer { RobustnessFixtures.removeScratch(folder) }
    let store = try RobustnessFixtures.newStore(in: folder)
    let whole = try #require(try Self.runs(ofSample: "sse/react_messages_tuple.sse").first)
    var shorter = whole
    shorter.events.removeLast(2)
    let other = try Self.runs(ofSample: "sse/weather_updates.sse")
    try store.withBatchWriter { writer in
      try Self.write([shorter], as: "shorter.sse", with: writer)
      var handedOver: [Run] = []
      #expect(throws: ReadFailed.self) {
        try writer.write(
          source: Self.source("whole.sse"),
          nextRun: {
            // A new run, then the more whole copy that replaces the stored one, then a failure.
            if handedOver.count == 2 { throw ReadFailed() }
            handedOver.append(handedOver.isEmpty ? other[0] : whole)
            return (handedOver.last!, false)
          },
          finish: { ("sse", []) })
      }
      try writer.commit()
    }
    #expect(try RobustnessFixtures.rows(store, "SELECT path FROM sources") == ["\"shorter.sse\""])
    let counts = try RobustnessFixtures.rows(
      store, "SELECT run_id, event_count, source FROM runs ORDER BY run_id")
    #expect(counts == ["\"\(whole.runID)\"\t\(shorter.events.count)\t\"shorter.sse\""])
    #expect(try Self.count(store, "events") == shorter.events.count)
    #expect(
      try Self.count(store, "message_chunks")
        == RobustnessFixtures.integer(
          store, "SELECT COUNT(*) FROM message_chunks WHERE run_id = ?", [whole.runID]))
  }
}

extension BatchWriterTests {
  /// Content stored before without runs is written again; when that second write fails halfway,
  /// the first record and its errors are left as they were.
  @Test func aFailingSourceLeavesTheRecordOfTheContentWithoutRuns() throws {
    struct ReadFailed: Error {}
    let store = try RunStore(path: ":memory:")
    let runs = try Self.runs(ofSample: "sse/weather_updates.sse")
    let issue = SourceIssue(line: 1, message: "not JSON", excerpt: "event: metadata")
    let records = """
      SELECT s.path, s.run_count, e.source, e.message
        FROM sources s LEFT JOIN ingest_errors e ON e.sha256 = s.sha256
      """
    try store.withBatchWriter { writer in
      var none: [Run] = []
      try writer.write(
        source: Self.source("first.sse"), nextRun: { none.popLast().map { ($0, false) } },
        finish: { ("jsonl", [issue]) })
      try writer.commit()
    }
    let before = try RobustnessFixtures.rows(store, records)
    #expect(before == ["\"first.sse\"\t0\t\"first.sse\"\t\"not JSON\""])
    try store.withBatchWriter { writer in
      var handedOver = false
      #expect(throws: ReadFailed.self) {
        try writer.write(
          source: Self.source("first.sse"),
          nextRun: {
            guard !handedOver else { throw ReadFailed() }
            handedOver = true
            return (runs[0], false)
          },
          finish: { ("sse", []) })
      }
      try writer.commit()
    }
    #expect(try RobustnessFixtures.rows(store, records) == before)
    #expect(try Self.count(store, "runs") == 0)
    try store.withBatchWriter { writer in
      try Self.write(runs, as: "first.sse", with: writer)
      try writer.commit()
    }
    #expect(try RobustnessFixtures.rows(store, records) == ["\"first.sse\"\t1\tnull\tnull"])
  }
}

extension BatchWriterTests {
  /// Runs stored before lganalyze recorded each run's damage take it from their source, as
  /// the choice between copies took it before: a run from a source with errors counts as
  /// damaged, and a damaged copy with more events replaces it; a run from a clean source, or
  /// from none, stays.
  @Test func runsOfAnEarlierDatabaseTakeTheirDamageFromTheirSource() throws {
    let folder = try RobustnessFixtures.scratchFolder("migrate-damage")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = folder.appendingPathComponent("old.db").path
    try RobustnessFixtures.earlierDatabase(at: path, upTo: "v4-application-id") { db in
      try db.execute(
        sql: """
          INSERT INTO sources (source_id, path, sha256, format, bytes, ingested_at, error_count)
          VALUES (1, 'damaged.sse', 'd1', 'sse', 10, '2026-01-01', 1),
                 (2, 'clean.sse', 'd2', 'sse', 10, '2026-01-01', 0);
          INSERT INTO runs (run_id, attempt, status, event_count, message_count,
                            tool_call_count, source, source_id)
          VALUES ('run-1', 1, 'success', 2, 0, 0, 'damaged.sse', 1),
                 ('run-2', 1, 'success', 2, 0, 0, 'clean.sse', 2),
                 ('run-3', 1, 'success', 2, 0, 0, 'gone.sse', NULL);
          """)
    }
    let store = try RunStore(path: path)
    let damage = "SELECT run_id, event_count, damaged FROM runs ORDER BY run_id"
    #expect(
      try RobustnessFixtures.rows(store, damage) == [
        "\"run-1\"\t2\t1", "\"run-2\"\t2\t0", "\"run-3\"\t2\t0",
      ])

    let sample = try #require(try Self.runs(ofSample: "sse/weather_updates.sse").first)
    try #require(sample.events.count >= 3)
    var copies = ["run-1", "run-2", "run-3"].map { runID in
      var copy = sample
      copy.runID = runID
      copy.events = Array(sample.events.prefix(3))
      return (run: copy, isDamaged: true)
    }[...]
    try store.withBatchWriter { writer in
      let summary = try writer.write(
        source: Self.source("copies.sse"), nextRun: { copies.popFirst() },
        finish: { ("sse", []) })
      #expect(summary.runsReplaced == 1)
      try writer.commit()
    }
    #expect(
      try RobustnessFixtures.rows(store, damage) == [
        "\"run-1\"\t3\t1", "\"run-2\"\t2\t0", "\"run-3\"\t2\t0",
      ])
  }

  // MARK: - A run held twice in one source

  /// The first run of a sample, and a copy of it without its last three events.
  private static func runAndShorterCopy() throws -> (run: Run, shorter: Run) {
    let run = try #require(try runs(ofSample: "sse/react_messages_tuple.sse").first)
    var shorter = run
    shorter.events.removeLast(3)
    return (run, shorter)
  }

  /// What storing `runs` as one source into a store counted, after the store held `stored`
  /// (each as a source of its own).
  private static func summary(of runs: [Run], after stored: [Run]) throws -> StoreSummary {
    let store = try RunStore(path: ":memory:")
    return try store.withBatchWriter { writer in
      for (index, run) in stored.enumerated() {
        try write([run], as: "stored-\(index).sse", with: writer)
      }
      let summary = try write(runs, as: "twice.sse", with: writer)
      try writer.commit()
      return summary
    }
  }

  /// A source that holds a run twice (`cat part1.sse part2.sse` of a stream that started over)
  /// stores it once, and counts it once, by the copy that stayed: held twice, not as a run the
  /// database already held, nor as two runs written, one replacing the other.
  @Test(arguments: [false, true], [false, true])
  func aRunHeldTwiceInOneSourceIsCountedOnce(longerFirst: Bool, sameLength: Bool) throws {
    let (run, shorter) = try Self.runAndShorterCopy()
    let copies = sameLength ? [run, run] : longerFirst ? [run, shorter] : [shorter, run]
    let summary = try Self.summary(of: copies, after: [])
    #expect(summary.runsWritten == 1)
    #expect(summary.eventsWritten == run.events.count)
    #expect(summary.runsHeldTwice == 1)
    #expect(summary.runsAlreadyStored == 0)
    #expect(summary.runsReplaced == 0)
  }

  /// Held twice in a source and already in the database, a run is counted as what became of
  /// the database's copy: replaced by the longer copy of the source, or kept.
  @Test func aRunHeldTwiceThatTheDatabaseHeldIsCountedByWhatBecameOfTheStoredCopy() throws {
    let (run, shorter) = try Self.runAndShorterCopy()
    for copies in [[shorter, run], [run, shorter]] {
      let replacing = try Self.summary(of: copies, after: [shorter])
      #expect(replacing.runsWritten == 1)
      #expect(replacing.eventsWritten == run.events.count)
      #expect(replacing.runsReplaced == 1)
      #expect(replacing.runsAlreadyStored == 0)
      #expect(replacing.runsHeldTwice == 1)
    }
    let kept = try Self.summary(of: [shorter, shorter], after: [run])
    #expect(kept.runsWritten == 0)
    #expect(kept.eventsWritten == 0)
    #expect(kept.runsReplaced == 0)
    #expect(kept.runsAlreadyStored == 1)
    #expect(kept.runsHeldTwice == 1)
  }
}
