import Foundation
import GRDB

/// A problem with a source, as stored in `ingest_errors`.
public struct IngestErrorRecord: Sendable, Equatable {
  public var source: String
  public var sha256: String?
  /// 1-based line the problem is on, when it is on one.
  public var line: Int?
  public var message: String
  public var excerpt: String?

  public init(source: String, sha256: String?, line: Int?, message: String, excerpt: String? = nil)
  {
    self.source = source
    self.sha256 = sha256
    self.line = line
    self.message = message
    self.excerpt = excerpt
  }
}

/// What a reader hands the writer of one source, in order.
public enum SourcePart: Sendable {
  /// The first events, chunks and whole messages of a run still being read: a long run's rows
  /// are stored in pieces, so that no process holds all of them at once. The run itself
  /// follows. The chunks carry their message's key for its id (see
  /// `Run.provisionalChunkMessageIDs`); the messages carry their positions, and the run what
  /// changed about them (`Run.messagesStoredAhead`).
  case runEvents(
    runID: String, attempt: Int, events: [RunEvent], chunks: [MessageChunk] = [],
    messages: [Message] = [])
  /// A run, and whether its lines could not all be read. Its events and chunks are those after
  /// any sent before it in `runEvents`.
  case run(Run, isDamaged: Bool)
}

/// The single writer of an ingest: it holds the database for the whole ingest and commits the
/// sources it is given in batches.
///
/// A source that fails halfway is removed again (see `SourceUndo`), so it leaves nothing behind
/// while the sources before it in the batch stay. Batching is for speed: every commit
/// writes each B-tree page the batch touched, and runs land at random places in the indexes
/// keyed by run id, so one transaction per file rewrote the same index pages over and over
/// (measured on a 212 MB corpus of 64 files: 1.3 GB written through the WAL for a 276 MB
/// database). What a crash can cost is the batch not yet committed, which the next ingest
/// reads again: nothing counts as stored before its commit.
public final class BatchWriter {
  let db: Database
  private let inserter: RunInserter
  /// Bytes of input written since the last commit.
  public private(set) var pendingBytes = 0
  /// Sources written since the last commit.
  public private(set) var pendingSources = 0
  private var batchStart: ContinuousClock.Instant?
  /// A commit is due once this much input waits in the transaction…
  public var commitBytes = 64 << 20
  /// …or once the transaction has been open this long, so that another process waiting to
  /// write (or a reader watching the runs come in) does not wait long.
  public var commitInterval = Duration.seconds(5)
  /// Runs after each commit (the store starts the disk writes of the database file there).
  var afterCommit: (() -> Void)?
  /// Runs after each source is written (the store starts the disk writes of the WAL there,
  /// for a database that held data).
  var afterSource: (() -> Void)?

  init(db: Database) throws {
    self.db = db
    inserter = try RunInserter(db)
  }

  /// True when the batch has grown enough to be committed.
  public var isCommitDue: Bool {
    guard let batchStart else { return false }
    return pendingBytes >= commitBytes || ContinuousClock.now - batchStart >= commitInterval
  }

  /// Commits the sources written so far. When the commit fails, none of them is stored.
  public func commit() throws {
    defer {
      pendingBytes = 0
      pendingSources = 0
      batchStart = nil
    }
    guard db.isInsideTransaction else {
      if pendingSources > 0 { throw BatchRolledBack() }
      return
    }
    try db.commit()
    afterCommit?()
  }

  /// SQLite rolled the batch back by itself, after an error on a later source.
  public struct BatchRolledBack: Error, CustomStringConvertible {
    public var description: String {
      "the database rolled back the batch it was written in, after the error reported for a "
        + "later input; ingest it again"
    }
  }

  /// Abandons the sources written since the last commit.
  public func rollback() {
    pendingBytes = 0
    pendingSources = 0
    batchStart = nil
    if db.isInsideTransaction { try? db.rollback() }
  }

  /// True when the transaction that held the pending sources is gone: SQLite rolls a
  /// transaction back by itself on some errors (a full disk, an I/O error).
  public var hasLostPendingSources: Bool { pendingSources > 0 && !db.isInsideTransaction }

  private func beginIfNeeded() throws {
    guard !db.isInsideTransaction else { return }
    // A batch lost with sources in it must be settled first (`commit` reports it): starting
    // afresh here would hide the loss.
    guard pendingSources == 0 else { throw BatchRolledBack() }
    // IMMEDIATE takes the write lock now, waiting out another writer under the busy timeout;
    // a deferred transaction that reads first may instead fail at its first write.
    try db.beginTransaction(.immediate)
    batchStart = .now
  }

  /// Writes a source and its runs while its runs are still being read: `nextRun` is called
  /// until it returns nil, giving each run and whether its lines could not all be read; then
  /// `finish` gives the source's final format name and its issues. Nothing of the source is
  /// kept unless all of it is written.
  /// - Throws: `RunStore.AlreadyIngested` when the database already holds this content and it
  ///   gave runs; content stored before without runs is read again and replaces its record.
  @discardableResult
  public func write(
    source: SourceRecord, nextRun: () throws -> (run: Run, isDamaged: Bool)?,
    finish: () -> (format: String, issues: [SourceIssue])
  ) throws -> StoreSummary {
    try write(
      source: source,
      nextPart: { try nextRun().map { SourcePart.run($0.run, isDamaged: $0.isDamaged) } },
      finish: finish)
  }

  /// Writes a source as `write(source:nextRun:finish:)` does, from parts: runs, and the first
  /// events of long runs ahead of them.
  @discardableResult
  public func write(
    source: SourceRecord, nextPart: () throws -> SourcePart?,
    finish: () -> (format: String, issues: [SourceIssue])
  ) throws -> StoreSummary {
    try beginIfNeeded()
    var undo = SourceUndo()
    do {
      let summary = try writeSource(source, undo: &undo, nextPart: nextPart, finish: finish)
      if undo.hasSavepoint { try db.execute(sql: "RELEASE SAVEPOINT source_tail") }
      pendingBytes += source.byteCount
      pendingSources += 1
      afterSource?()
      return summary
    } catch {
      if db.isInsideTransaction {
        do {
          try self.undo(undo)
        } catch {
          // What is left of the source must not be committed with the batch: give the batch
          // up, which `hasLostPendingSources` then reports for the sources before it.
          try? db.rollback()
        }
      }
      throw error
    }
  }

  /// What it takes to remove a source that failed halfway from the open transaction.
  ///
  /// A savepoint around every source would be simplest, but SQLite then copies each page the
  /// source touches that existed before it, and runs land at random places in five indexes:
  /// measured on a 212 MB corpus, 530 MB of copies, a tenth of ingest time. A source mostly
  /// adds rows, which are removed by run; the savepoint is opened only before the first change
  /// that deleting cannot undo (a stored run replaced by a more whole copy) or the last writes
  /// of the source.
  private struct SourceUndo {
    var sourceID: Int64?
    /// Runs added before the savepoint.
    var addedRuns: [(runID: String, attempt: Int)] = []
    /// Stored copies moved aside before the savepoint for a run that came in pieces.
    var asideCopies: [AsideCopy] = []
    var hasSavepoint = false
  }

  private func openSavepoint(_ undo: inout SourceUndo) throws {
    guard !undo.hasSavepoint else { return }
    try db.execute(sql: "SAVEPOINT source_tail")
    undo.hasSavepoint = true
  }

  private func undo(_ undo: SourceUndo) throws {
    if undo.hasSavepoint {
      try db.execute(sql: "ROLLBACK TO SAVEPOINT source_tail")
      try db.execute(sql: "RELEASE SAVEPOINT source_tail")
    }
    for aside in undo.asideCopies { try putBack(aside) }
    for (runID, attempt) in undo.addedRuns {
      try deleteRun(runID: runID, attempt: attempt)
    }
    if let sourceID = undo.sourceID {
      try db.execute(sql: "DELETE FROM sources WHERE source_id = ?", arguments: [sourceID])
    }
  }

  private static let runTables = [
    "runs", "events", "message_chunks", "messages", "tool_calls", "search_index",
  ]
  /// The tables a run's pieces are stored in, ahead of the run.
  private static let pieceTables = ["events", "message_chunks", "messages"]

  private func deleteRun(runID: String, attempt: Int, from tables: [String] = runTables) throws {
    for table in tables {
      try db.execute(
        sql: "DELETE FROM \(table) WHERE run_id = ? AND attempt = ?",
        arguments: RunStore.storable([runID, attempt]))
    }
  }

  /// Records a problem with a source that could not be read at all; it is committed with the
  /// batch.
  public func record(_ error: IngestErrorRecord) throws {
    try beginIfNeeded()
    try insert(error, at: Date.now.ISO8601Format())
  }

  private func insert(_ error: IngestErrorRecord, at time: String) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO ingest_errors (source, sha256, line, message, excerpt, recorded_at)
        VALUES (?, ?, ?, ?, ?, ?)
        """
    ).execute(
      arguments: RunStore.storable([
        error.source, error.sha256, error.line, error.message, error.excerpt, time,
      ]))
  }

  private func writeSource(
    _ source: SourceRecord, undo: inout SourceUndo,
    nextPart: () throws -> SourcePart?,
    finish: () -> (format: String, issues: [SourceIssue])
  ) throws -> StoreSummary {
    let now = Date.now.ISO8601Format()
    var tally = RunTally()
    if let storedRunCount = try Int.fetchOne(
      db.cachedStatement(sql: "SELECT run_count FROM sources WHERE sha256 = ?"),
      arguments: [source.sha256])
    {
      guard storedRunCount == 0 else { throw RunStore.AlreadyIngested() }
      try replaceSourceWithoutRuns(sha256: source.sha256, undo: &undo)
    }
    try db.execute(
      sql: """
        INSERT INTO sources (path, sha256, format, bytes, ingested_at)
        VALUES (?, ?, ?, ?, ?)
        """,
      arguments: [source.path, source.sha256, source.format, source.byteCount, now])
    let sourceID = db.lastInsertedRowID
    // After the savepoint, rolling back to it removes the row. Deleting it by its id could
    // then delete the row it replaced, which rolling back brings back and may have that id.
    if !undo.hasSavepoint { undo.sourceID = sourceID }
    var eventCount = 0
    var runCount = 0
    // The run whose first events came ahead of it. Its events are stored as they come, also
    // when the database holds a copy of it, whose rows are then moved aside until the run's
    // end chooses between the two (see AsideCopy).
    var open: OpenRun?
    while let part = try nextPart() {
      switch part {
      case .runEvents(let runID, let attempt, let events, let chunks, let messages):
        eventCount += events.count
        if open == nil {
          open = try startOpenRun(runID: runID, attempt: attempt, undo: &undo)
        }
        guard var current = open, current.runID == runID, current.attempt == attempt else {
          throw IncompleteRun(runID: open?.runID ?? runID)
        }
        try insertEvents(events, runID: runID, attempt: attempt)
        try insertChunks(chunks, runID: runID, attempt: attempt)
        for message in messages {
          try insertMessage(
            message, position: message.position ?? 0, runID: runID, attempt: attempt,
            statement: inserter.messageAhead)
        }
        current.storedCount += events.count
        current.storedLossyCount += events.count(where: \.isLossy)
        open = current

      case .run(let run, let isDamaged):
        eventCount += run.events.count
        runCount += 1
        if let current = open {
          guard current.runID == run.runID, current.attempt == run.attempt else {
            throw IncompleteRun(runID: current.runID)
          }
          open = nil
          if let aside = current.aside {
            let isChosen = aside.stored.isReplaced(
              byEventCount: current.storedCount + run.events.count,
              lossyCount: current.storedLossyCount + run.events.count(where: \.isLossy),
              isDamaged: isDamaged)
            guard isChosen else {
              try putBack(aside)
              undo.asideCopies.removeAll { $0.asideRunID == aside.asideRunID }
              tally.count(run, .leftOut)
              continue
            }
            try openSavepoint(&undo)
            try deleteRun(
              runID: run.runID, attempt: run.attempt,
              from: Self.runTables.filter {
                !Self.pieceTables.contains($0)
              })
          }
          try renameStoredChunkMessages(run)
          try insert(
            run, isDamaged: isDamaged, sourcePath: source.path, sourceID: sourceID,
            eventsBefore: current.storedCount, messagesAfterRowID: current.messagesAfterRowID)
          // The copy that lost goes only once the run is written: its message rows can hold the
          // rowid the run's rows come after (see `OpenRun.messagesAfterRowID`).
          if let aside = current.aside {
            try deleteRun(runID: aside.asideRunID, attempt: run.attempt, from: Self.pieceTables)
          }
          tally.count(
            run, current.aside == nil ? .new : .replacing,
            events: current.storedCount + run.events.count)
        } else {
          let choice = try choose(run, isDamaged: isDamaged, undo: &undo)
          tally.count(run, choice, events: run.events.count)
          guard choice != .leftOut else { continue }
          if !undo.hasSavepoint { undo.addedRuns.append((run.runID, run.attempt)) }
          try insert(run, isDamaged: isDamaged, sourcePath: source.path, sourceID: sourceID)
        }
      }
    }
    // Events of a run that never ended would be stored without their run.
    if let open { throw IncompleteRun(runID: open.runID) }
    let (format, issues) = finish()
    try openSavepoint(&undo)
    for issue in issues {
      try insert(
        IngestErrorRecord(
          source: source.path, sha256: source.sha256, line: issue.line, message: issue.message,
          excerpt: issue.excerpt), at: now)
    }
    // Notes (two copies of a run in one file) are recorded but are not errors: a note leaves
    // the source's runs whole.
    try db.execute(
      sql: """
        UPDATE sources SET format = ?, event_count = ?, run_count = ?, error_count = ?
         WHERE source_id = ?
        """,
      arguments: [format, eventCount, runCount, issues.count(where: \.damagesRun), sourceID])
    return tally.summary
  }

  /// Removes the record of content that was ingested before and gave no runs, and the errors
  /// recorded with it, so that the source now being written takes their place.
  ///
  /// Content that gave no runs was read with the wrong `--format`, or holds no events (an empty
  /// file). Keeping its digest as ingested blocked every later ingest of the same content
  /// ("already ingested; nothing added"), the right `--format` included, although nothing of it
  /// was stored. Reading it again costs little and adds it or reports it again; its record and
  /// errors are those of the latest read, not one more set of each. Content that gave runs is
  /// never read again (`RunStore.AlreadyIngested`). A savepoint comes first, so that a source
  /// that fails halfway leaves the earlier record as it was.
  private func replaceSourceWithoutRuns(sha256: String, undo: inout SourceUndo) throws {
    try openSavepoint(&undo)
    try db.execute(sql: "DELETE FROM ingest_errors WHERE sha256 = ?", arguments: [sha256])
    try db.execute(sql: "DELETE FROM sources WHERE sha256 = ?", arguments: [sha256])
  }

  /// What the choice between two copies of a run needs to know of the stored one.
  private struct StoredCopy {
    var eventCount: Int
    var lossyCount: Int
    /// The stored copy was damaged: not all of its lines could be read, or it was cut off
    /// (`runs.damaged`).
    var isDamaged: Bool

    /// True when a copy with these counts should replace the stored one: it is more whole
    /// (more events, or as many with fewer lossy ones: the capture a Node transcript with
    /// elided parts was printed from, or as many and as lossy, read cleanly where the stored
    /// copy was not: so that which copy stays does not depend on the order they came in), and
    /// it is not a damaged copy of a clean one.
    ///
    /// Damage is the run's own, not its source's: a file may hold a damaged run beside clean
    /// ones, and judged by the file, its clean runs gave way to damaged copies with more
    /// events.
    func isReplaced(
      byEventCount count: Int, lossyCount lossy: Int, isDamaged isCopyDamaged: Bool
    ) -> Bool {
      let isMoreWhole =
        count > eventCount
        || (count == eventCount
          && (lossy < lossyCount || (lossy == lossyCount && !isCopyDamaged && isDamaged)))
      return isMoreWhole && (!isCopyDamaged || isDamaged)
    }
  }

  /// The stored copy of a run, if the database holds one.
  private func storedCopy(runID: String, attempt: Int) throws -> StoredCopy? {
    try Row.fetchOne(
      db.cachedStatement(
        sql: """
          SELECT r.event_count, r.damaged,
                 (SELECT COUNT(*) FROM events e
                   WHERE e.run_id = r.run_id AND e.attempt = r.attempt AND e.lossy = 1)
            FROM runs r
           WHERE r.run_id = ? AND r.attempt = ?
          """),
      arguments: RunStore.storable([runID, attempt])
    ).map { row in
      StoredCopy(eventCount: row[0], lossyCount: row[2], isDamaged: row[1])
    }
  }

  /// Whether `run` should be written: it is new, or it replaces the stored copy (which is then
  /// removed, after the source's savepoint), or it is left out.
  private func choose(_ run: Run, isDamaged: Bool, undo: inout SourceUndo) throws -> CopyChoice {
    guard let stored = try storedCopy(runID: run.runID, attempt: run.attempt) else { return .new }
    guard
      stored.isReplaced(
        byEventCount: run.events.count, lossyCount: run.events.count(where: \.isLossy),
        isDamaged: isDamaged)
    else { return .leftOut }
    try openSavepoint(&undo)
    try deleteRun(runID: run.runID, attempt: run.attempt)
    return .replacing
  }

  /// What became of one copy of a run that a source holds.
  private enum CopyChoice {
    /// Written; the database held no copy.
    case new
    /// Written in place of the stored copy.
    case replacing
    /// Left out for the stored copy.
    case leftOut
  }

  /// What a source did to each run it holds, counted once per run, by the copy that stayed.
  ///
  /// A source may hold a run twice (a stream read again from its start, files joined with
  /// `cat`); its second copy is judged against the first as against any stored copy. Counted
  /// copy by copy, a run held twice in a new database read as "already stored", or as two runs
  /// written, one "replacing a stored copy", with the events of both.
  private struct RunTally {
    private struct RunKey: Hashable {
      var runID: String
      var attempt: Int
    }

    private struct Outcome {
      var copies = 0
      /// The events written of the copy that stayed; nil while the database's own copy stays.
      var eventsWritten: Int?
      /// The copy that stayed replaced one the database held before the source.
      var isReplacingStoredCopy = false
    }

    private var outcomes: [RunKey: Outcome] = [:]

    mutating func count(_ run: Run, _ choice: CopyChoice, events: Int = 0) {
      let key = RunKey(runID: run.runID, attempt: run.attempt)
      var outcome = outcomes[key, default: Outcome()]
      outcome.copies += 1
      switch choice {
      case .new: outcome.eventsWritten = events
      case .replacing:
        // Replacing a copy of this source, the run still replaces what that copy replaced.
        if outcome.eventsWritten == nil { outcome.isReplacingStoredCopy = true }
        outcome.eventsWritten = events
      case .leftOut: break
      }
      outcomes[key] = outcome
    }

    var summary: StoreSummary {
      var summary = StoreSummary()
      for outcome in outcomes.values {
        if let events = outcome.eventsWritten {
          summary.runsWritten += 1
          summary.eventsWritten += events
          if outcome.isReplacingStoredCopy { summary.runsReplaced += 1 }
        } else {
          summary.runsAlreadyStored += 1
        }
        if outcome.copies > 1 { summary.runsHeldTwice += 1 }
      }
      return summary
    }
  }

  /// A stored copy of a run whose other copy comes in pieces: its rows of the kinds pieces
  /// carry (events, chunks, messages) are moved to another run id while the pieces are stored
  /// under the run's own, and its other rows stay (the new copy's are written at its end). The
  /// run's end deletes the copy that loses.
  ///
  /// Moving the stored copy aside costs a rewrite of its events; the alternatives cost more.
  /// Keeping the pieces in memory until the run's end held the whole run (a 600 MB run
  /// replacing a stored half peaked at 842 MB). Deleting the stored copy inside a savepoint
  /// and rolling back when it wins brought all its pages back into memory at once (806 MB),
  /// since SQLite cannot spill pages while it rolls back. Storing the pieces under another id
  /// would rewrite the new copy, the longer one in the usual case (a capture ingested while
  /// it was still being written, then again once done).
  private struct AsideCopy {
    var runID: String
    var attempt: Int
    var asideRunID: String
    var stored: StoredCopy
  }

  /// Begins storing a run whose first events came ahead of it, moving a stored copy aside.
  private func startOpenRun(runID: String, attempt: Int, undo: inout SourceUndo) throws
    -> OpenRun
  {
    let lastRowID = try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM messages") ?? 0
    guard let stored = try storedCopy(runID: runID, attempt: attempt) else {
      if !undo.hasSavepoint { undo.addedRuns.append((runID, attempt)) }
      return OpenRun(runID: runID, attempt: attempt, messagesAfterRowID: lastRowID)
    }
    var asideRunID = runID + " (stored copy)"
    while try hasPieceRows(runID: asideRunID, attempt: attempt) { asideRunID += "'" }
    let aside = AsideCopy(
      runID: runID, attempt: attempt, asideRunID: asideRunID, stored: stored)
    try moveRows(from: runID, to: asideRunID, attempt: attempt)
    // After the savepoint, rolling back to it is what puts the copy back.
    if !undo.hasSavepoint { undo.asideCopies.append(aside) }
    return OpenRun(runID: runID, attempt: attempt, messagesAfterRowID: lastRowID, aside: aside)
  }

  /// Deletes what the other copy stored of the run's pieces and moves the stored copy back.
  private func putBack(_ aside: AsideCopy) throws {
    try deleteRun(runID: aside.runID, attempt: aside.attempt, from: Self.pieceTables)
    try moveRows(from: aside.asideRunID, to: aside.runID, attempt: aside.attempt)
  }

  private func moveRows(from runID: String, to newRunID: String, attempt: Int) throws {
    for table in Self.pieceTables {
      try db.execute(
        sql: "UPDATE \(table) SET run_id = ? WHERE run_id = ? AND attempt = ?",
        arguments: RunStore.storable([newRunID, runID, attempt]))
    }
  }

  private func hasPieceRows(runID: String, attempt: Int) throws -> Bool {
    try Self.pieceTables.contains { table in
      try Bool.fetchOne(
        db, sql: "SELECT 1 FROM \(table) WHERE run_id = ? AND attempt = ?",
        arguments: RunStore.storable([runID, attempt])) ?? false
    }
  }

  /// Gives the chunks stored ahead of `run` the ids their messages ended up with. Only those
  /// chunks are stored yet (the run was new when they came), and no message's key is another
  /// message's id, so each update touches the chunks of one message.
  private func renameStoredChunkMessages(_ run: Run) throws {
    for (key, messageID) in run.provisionalChunkMessageIDs {
      try db.cachedStatement(
        sql: """
          UPDATE message_chunks SET message_id = ?
           WHERE run_id = ? AND attempt = ? AND message_id = ?
          """
      ).execute(arguments: RunStore.storable([messageID, run.runID, run.attempt, key]))
    }
  }

  private func insertChunks(_ chunks: [MessageChunk], runID: String, attempt: Int) throws {
    for chunk in chunks {
      let statement = inserter.chunk
      statement.bind(1, runID)
      statement.bind(2, attempt)
      statement.bind(3, chunk.messageID)
      statement.bind(4, chunk.seq)
      statement.bind(5, chunk.node)
      statement.bind(6, chunk.namespace)
      statement.bind(7, chunk.content)
      statement.bind(8, chunk.toolCallChunks)
      statement.bind(9, chunk.usage)
      try statement.execute()
    }
  }

  private func insertEvents(_ events: [RunEvent], runID: String, attempt: Int) throws {
    for event in events {
      let statement = inserter.event
      statement.bind(1, runID)
      statement.bind(2, attempt)
      statement.bind(3, event.seq)
      statement.bind(4, event.event)
      statement.bind(5, event.mode)
      statement.bind(6, event.namespace)
      statement.bind(8, event.line)
      statement.bind(9, event.streamID)
      statement.bind(10, event.isLossy)
      // Event payloads are canonical JSON text (RunEvent.data).
      try statement.execute(bindingInPlace: 7, event.data, isJSON: true)
    }
  }

  private func insertMessage(
    _ message: Message, position: Int, runID: String, attempt: Int, statement: InsertStatement
  ) throws {
    let callID = message.modelCallID
    statement.bind(1, runID)
    statement.bind(2, attempt)
    statement.bind(3, position)
    statement.bind(4, message.messageID)
    statement.bind(5, message.type)
    statement.bind(6, message.node)
    statement.bind(7, message.namespace)
    statement.bind(8, message.content)
    statement.bind(9, message.toolCallsJSON ?? ToolCall.canonicalJSON(message.toolCalls))
    statement.bind(10, message.toolCallID)
    statement.bind(11, message.chunkCount)
    statement.bind(12, message.usage?.inputTokens)
    statement.bind(13, message.usage?.outputTokens)
    statement.bind(14, message.usage?.totalTokens)
    statement.bind(15, message.usage?.json)
    statement.bind(16, message.model)
    statement.bind(17, message.provider)
    statement.bind(18, message.firstSeq)
    statement.bind(19, callID)
    statement.bind(20, callID.flatMap(UUIDv7.isoTimestamp(of:)))
    statement.bind(21, callID.flatMap(UUIDv7.milliseconds(of:)).map(Int.init))
    try statement.execute()
  }

  /// Writes the messages of a run some of whose messages were stored ahead of it: the rows that
  /// changed since are fixed, the rest written, and the full-text rows of all of them made from
  /// the stored rows in order, as `insert` makes them for a run stored at once. The run's rows
  /// come after `afterRowID`, mostly in order: reading them by rowid reads the pages in turn,
  /// where reading them through the key's index jumped between pages (a tenth of the time of
  /// a run of 200,000 messages went to reading pages back from the file).
  private func finishMessagesStoredAhead(_ run: Run, afterRowID: Int64) throws {
    let storedAhead = run.messagesStoredAhead
    let key = RunStore.storable([run.runID, run.attempt])
    for messageID in storedAhead.removedIDs {
      try db.cachedStatement(
        sql: "DELETE FROM messages WHERE run_id = ? AND attempt = ? AND message_id = ?"
      ).execute(arguments: RunStore.storable([run.runID, run.attempt, messageID]))
    }
    for update in storedAhead.updates {
      try db.cachedStatement(
        sql: """
          UPDATE messages SET position = ?, node = ?, namespace = ?, model = ?, provider = ?
           WHERE run_id = ? AND attempt = ? AND message_id = ?
          """
      ).execute(
        arguments: RunStore.storable([
          update.position, update.node, update.namespace, update.model, update.provider,
          run.runID, run.attempt, update.messageID,
        ]))
    }
    for (index, message) in run.messages.enumerated() {
      try insertMessage(
        message, position: message.position ?? index, runID: run.runID, attempt: run.attempt,
        statement: inserter.message)
    }
    try db.cachedStatement(
      sql: """
        INSERT INTO search_index (text, run_id, attempt, message_id, node, kind)
        SELECT content, run_id, attempt, message_id, node, type FROM messages
         WHERE rowid > ? AND +run_id = ? AND +attempt = ? AND content != ''
         ORDER BY position
        """
    ).execute(arguments: [afterRowID] + key)
  }

  /// A run whose first events came ahead of it.
  private struct OpenRun {
    var runID: String
    var attempt: Int
    /// Events stored so far, and how many of them are lossy.
    var storedCount = 0
    var storedLossyCount = 0
    /// Message rows stored for the run come after this rowid: the largest in the table when
    /// the run began.
    ///
    /// That holds only while the row with this rowid stays until the run is written. SQLite
    /// gives a new row the rowid after the largest one in the table, so a deleted row's rowid
    /// comes back once no row above it is left:
    // > https://www.sqlite.org/autoinc.html: "the usual algorithm is to give the newly created
    // > row a ROWID that is one larger than the largest ROWID in the table prior to the insert."
    /// Which happened when a run replaced a stored copy that held the table's last rows: the
    /// copy was deleted before the run's end, the run's end rewrote the rows its pieces had
    /// stored, and the rewritten rows took the copy's rowids, which the full-text rows are
    /// made after, so those messages could not be searched. Nothing deletes the row with this
    /// rowid before the run's rows are written: it belongs to another run, or to the stored
    /// copy, which is deleted after them.
    var messagesAfterRowID: Int64
    /// The copy the database held, moved aside until the run's end chooses between the two.
    var aside: AsideCopy?
  }

  /// The reader sent the first events of a run and then not the run.
  struct IncompleteRun: Error, CustomStringConvertible {
    var runID: String
    var description: String { "the reader sent events of run \(runID) but not the run" }
  }

  /// Stores `run`, and whether it was damaged; its first `eventsBefore` events were stored
  /// before, in pieces.
  private func insert(
    _ run: Run, isDamaged: Bool, sourcePath: String, sourceID: Int64, eventsBefore: Int = 0,
    messagesAfterRowID: Int64 = 0
  )
    throws
  {
    try db.cachedStatement(
      sql: """
        INSERT INTO runs (run_id, attempt, thread_id, graph_id, assistant_id, status, error,
                          error_type, event_count, started_at, message_count, tool_call_count,
                          source, source_id, damaged)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(
      arguments: RunStore.storable([
        run.runID, run.attempt, run.threadID, run.graphID, run.assistantID, run.status.rawValue,
        run.error, run.errorType, eventsBefore + run.events.count,
        UUIDv7.isoTimestamp(of: run.runID),
        run.messages.count + run.messagesStoredAhead.keptCount, run.toolCalls.count, sourcePath,
        sourceID, isDamaged,
      ]))

    if let error = run.error {
      try inserter.index(
        error, runID: run.runID, attempt: run.attempt, messageID: nil, node: nil, kind: "error")
    }

    try insertEvents(run.events, runID: run.runID, attempt: run.attempt)

    try insertChunks(run.chunks, runID: run.runID, attempt: run.attempt)

    let storedAhead = run.messagesStoredAhead
    if storedAhead.isEmpty {
      for (position, message) in run.messages.enumerated() {
        if !message.content.isEmpty {
          try inserter.index(
            message.content, runID: run.runID, attempt: run.attempt,
            messageID: message.messageID, node: message.node, kind: message.type)
        }
        try insertMessage(
          message, position: position, runID: run.runID, attempt: run.attempt,
          statement: inserter.message)
      }
    } else {
      try finishMessagesStoredAhead(run, afterRowID: messagesAfterRowID)
    }

    for call in run.toolCalls {
      let statement =
        call.resultMessageID == nil ? inserter.toolCall : inserter.toolCallWithStoredResult
      statement.bind(1, run.runID)
      statement.bind(2, run.attempt)
      statement.bind(3, call.messageID)
      statement.bind(4, call.toolCallID)
      statement.bind(5, call.name)
      statement.bind(6, call.args)
      statement.bind(7, call.argsValid)
      statement.bind(8, call.result)
      statement.bind(9, call.node)
      if let resultMessageID = call.resultMessageID { statement.bind(8, resultMessageID) }
      try statement.execute()
      try inserter.index(
        "\(call.name) \(call.args)", runID: run.runID, attempt: run.attempt,
        messageID: call.messageID, node: call.node, kind: "tool_call")
    }
  }
}
