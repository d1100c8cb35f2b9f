import Foundation
import GRDB

/// A source ready to be stored: its identity and what its reader made of it.
public struct SourceRecord: Sendable {
  public var path: String
  public var sha256: String
  public var format: String
  public var byteCount: Int

  public init(path: String, sha256: String, format: String, byteCount: Int) {
    self.path = path
    self.sha256 = sha256
    self.format = format
    self.byteCount = byteCount
  }
}

/// What storing one source added.
public struct StoreSummary: Sendable, Equatable {
  /// Runs written.
  public var runsWritten = 0
  /// Runs left out because the database already held them at least as whole.
  public var runsAlreadyStored = 0
  public var eventsWritten = 0
}

/// Why the database could not be used, with what to do about it.
public struct StoreError: Error, CustomStringConvertible {
  public var path: String
  public var message: String

  public var description: String { "\(path): \(message)" }
}

/// The lganalyze database: opens (and migrates) it, and writes each source in one transaction.
///
/// A source is written whole or not at all, so a failure halfway through a file leaves the
/// database as it was. A run already stored from another source (the same capture saved in two
/// formats) is kept once: the copy with more events wins, unless it comes from lines that could
/// not all be read and the stored copy's source read cleanly — a damaged copy never replaces a
/// good one.
public final class RunStore: Sendable {
  /// The path the database was opened at.
  public let path: String
  let queue: DatabaseQueue

  /// Opens the database at `path`, creating it and its schema when needed.
  public init(path: String, readOnly: Bool = false) throws(StoreError) {
    self.path = path
    var configuration = Configuration()
    configuration.readonly = readOnly
    // Another ingest may hold the write lock for the length of one file's transaction, which
    // for a file of gigabytes takes a while: wait for it rather than fail.
    configuration.busyMode = .timeout(600)
    do {
      queue = try DatabaseQueue(path: path, configuration: configuration)
      if !readOnly { try Self.prepare(queue) }
    } catch {
      throw StoreError(path: path, message: "cannot open the database: \(error)")
    }
  }

  /// Sets the database up for writing and migrates its schema.
  ///
  /// Two ingests that open a new database at the same moment race for both steps. Switching the
  /// journal mode needs the database to itself and fails with SQLITE_BUSY at once, without
  /// waiting out the busy timeout; and the migrator reads which migrations are applied before it
  /// takes the write lock, so the slower process replays a migration the other has just
  /// committed and fails on tables that now exist. Retried, both steps find the work done.
  private static func prepare(_ queue: DatabaseQueue) throws {
    let deadline = Date.now.addingTimeInterval(30)
    while true {
      do {
        try queue.writeWithoutTransaction { db in
          // Measured on a 53 MB mixed corpus (2-core machine): 64 KiB pages ingest 20% faster
          // than the 4 KiB default (1.02 s against 1.29 s) because event payloads of about a
          // kilobyte then rarely spill to overflow pages; 16 KiB sat in between (1.21 s). The
          // page size only takes effect on a new database, before WAL is switched on.
          try db.execute(sql: "PRAGMA page_size = 65536")
          // WAL lets readers (query, runs) work while an ingest writes, and a killed ingest
          // leaves the last committed file intact. NORMAL synchronous is durable across
          // application crashes in WAL mode; OFF measured no faster (1.18–1.29 s).
          _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
          try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        break
      } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
        guard Date.now < deadline else { throw error }
        Thread.sleep(forTimeInterval: 0.005)
      }
    }
    var attempts = 0
    while true {
      do {
        try Schema.migrator.migrate(queue)
        return
      } catch {
        attempts += 1
        if (try? queue.read(Schema.migrator.hasCompletedMigrations)) == true { return }
        guard attempts < 5 else { throw error }
      }
    }
  }

  /// True when a source with this digest was ingested before.
  public func containsSource(sha256: String) throws -> Bool {
    try queue.read { db in
      try Bool.fetchOne(db, sql: "SELECT 1 FROM sources WHERE sha256 = ?", arguments: [sha256])
        ?? false
    }
  }

  /// Writes a source, its runs and its issues in one transaction.
  @discardableResult
  public func write(source: SourceRecord, runs: [Run], issues: [SourceIssue]) throws -> StoreSummary
  {
    var remaining = zip(runs, Self.damagedRuns(runs, issues: issues)).map { ($0, $1) }[...]
    return try write(
      source: source, nextRun: { remaining.popFirst() },
      finish: { (source.format, issues) })
  }

  /// The content was ingested before (by this process or another one).
  public struct AlreadyIngested: Error {}

  /// Writes a source in one transaction while its runs are still being read: `nextRun` is
  /// called until it returns nil, giving each run and whether its lines could not all be read;
  /// then `finish` gives the source's final format name and its issues. Nothing of the source
  /// is stored unless all of it is.
  /// - Throws: `AlreadyIngested` when the database already holds this content.
  @discardableResult
  public func write(
    source: SourceRecord, nextRun: () throws -> (run: Run, isDamaged: Bool)?,
    finish: () -> (format: String, issues: [SourceIssue])
  ) throws -> StoreSummary {
    let now = Date.now.ISO8601Format()
    return try queue.write { db in
      var summary = StoreSummary()
      if try Bool.fetchOne(
        db, sql: "SELECT 1 FROM sources WHERE sha256 = ?", arguments: [source.sha256]) ?? false
      {
        throw AlreadyIngested()
      }
      try db.execute(
        sql: """
          INSERT INTO sources (path, sha256, format, bytes, ingested_at)
          VALUES (?, ?, ?, ?, ?)
          """,
        arguments: [source.path, source.sha256, source.format, source.byteCount, now])
      let sourceID = db.lastInsertedRowID
      let inserter = try RunInserter(db)
      var eventCount = 0
      var runCount = 0
      while let (run, isDamaged) = try nextRun() {
        eventCount += run.events.count
        runCount += 1
        if try replaceableRun(run, isDamaged: isDamaged, in: db) {
          try insert(
            run, sourcePath: source.path, sourceID: sourceID, with: inserter, in: db)
          summary.runsWritten += 1
          summary.eventsWritten += run.events.count
        } else {
          summary.runsAlreadyStored += 1
        }
      }
      let (format, issues) = finish()
      for issue in issues {
        try db.execute(
          sql: """
            INSERT INTO ingest_errors (source, sha256, line, message, excerpt, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
          arguments: Self.storable([
            source.path, source.sha256, issue.line, issue.message, issue.excerpt, now,
          ]))
      }
      try db.execute(
        sql: """
          UPDATE sources SET format = ?, event_count = ?, run_count = ?, error_count = ?
           WHERE source_id = ?
          """,
        arguments: [format, eventCount, runCount, issues.count, sourceID])
      return summary
    }
  }

  /// The digests of every source ingested so far.
  public func sourceDigests() throws -> Set<String> {
    try queue.read { db in Set(try String.fetchAll(db, sql: "SELECT sha256 FROM sources")) }
  }

  /// Records a problem with a source that could not be read at all (so nothing else is stored).
  public func recordError(
    source: String, sha256: String?, line: Int?, message: String, excerpt: String? = nil
  ) throws {
    try queue.write { db in
      try db.execute(
        sql: """
          INSERT INTO ingest_errors (source, sha256, line, message, excerpt, recorded_at)
          VALUES (?, ?, ?, ?, ?, ?)
          """,
        arguments: Self.storable([
          source, sha256, line, message, excerpt, Date.now.ISO8601Format(),
        ]))
    }
  }

  /// True when `run` should be written: it is new, or it is more whole than the stored copy
  /// (which is then removed) and is not a damaged copy of a run stored from a clean source.
  /// More whole: more events, or as many with fewer lossy ones (the capture a Node transcript
  /// with elided parts was printed from).
  private func replaceableRun(_ run: Run, isDamaged: Bool, in db: Database) throws -> Bool {
    guard
      let stored = try Row.fetchOne(
        db.cachedStatement(
          sql: """
            SELECT r.event_count, COALESCE(s.error_count, 0),
                   (SELECT COUNT(*) FROM events e
                     WHERE e.run_id = r.run_id AND e.attempt = r.attempt AND e.lossy = 1)
              FROM runs r LEFT JOIN sources s ON s.source_id = r.source_id
             WHERE r.run_id = ? AND r.attempt = ?
            """),
        arguments: Self.storable([run.runID, run.attempt]))
    else { return true }
    let storedEvents: Int = stored[0]
    let storedSourceErrors: Int = stored[1]
    let storedLossyEvents: Int = stored[2]
    let isMoreWhole =
      run.events.count > storedEvents
      || (run.events.count == storedEvents
        && run.events.count(where: \.isLossy) < storedLossyEvents)
    guard isMoreWhole, !isDamaged || storedSourceErrors > 0 else {
      return false
    }
    for table in ["runs", "events", "message_chunks", "messages", "tool_calls", "search_index"] {
      try db.execute(
        sql: "DELETE FROM \(table) WHERE run_id = ? AND attempt = ?",
        arguments: Self.storable([run.runID, run.attempt]))
    }
    return true
  }

  /// For each run, whether its part of the source could not all be read: the run is cut off,
  /// or an issue lies on its lines. Runs follow one another in a source, so each owns the lines
  /// from its first event to the next run's first event; issues before the first run count
  /// for the first.
  static func damagedRuns(_ runs: [Run], issues: [SourceIssue]) -> [Bool] {
    var damaged = runs.map { $0.status == .incomplete }
    let starts = runs.map { $0.events.first?.line ?? Int.max }
    for issue in issues where !runs.isEmpty {
      damaged[starts.lastIndex { $0 <= issue.line } ?? 0] = true
    }
    return damaged
  }

  /// The arguments with U+0000 in text replaced by U+FFFD. GRDB hands text to SQLite as a C
  /// string, which ends at the first NUL: the rest would be lost without a word (of an excerpt
  /// of a file with NUL bytes, of an event name a flipped byte damaged, of a run id).
  static func storable(_ values: [(any DatabaseValueConvertible)?]) -> StatementArguments {
    StatementArguments(
      values.map { value -> (any DatabaseValueConvertible)? in
        guard let text = value as? String, TextBytes.containsNUL(text) else { return value }
        return text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
      })
  }

  private func insert(
    _ run: Run, sourcePath: String, sourceID: Int64, with inserter: RunInserter, in db: Database
  ) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO runs (run_id, attempt, thread_id, graph_id, assistant_id, status, error,
                          error_type, event_count, started_at, message_count, tool_call_count,
                          source, source_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(
      arguments: Self.storable([
        run.runID, run.attempt, run.threadID, run.graphID, run.assistantID, run.status.rawValue,
        run.error, run.errorType, run.events.count, UUIDv7.isoTimestamp(of: run.runID),
        run.messages.count, run.toolCalls.count, sourcePath, sourceID,
      ]))

    if let error = run.error {
      try db.execute(
        sql: """
          INSERT INTO search_index (text, run_id, attempt, message_id, node, kind)
          VALUES (?, ?, ?, NULL, NULL, 'error')
          """,
        arguments: Self.storable([error, run.runID, run.attempt]))
    }

    for event in run.events {
      let statement = inserter.event
      statement.bind(1, run.runID)
      statement.bind(2, run.attempt)
      statement.bind(3, event.seq)
      statement.bind(4, event.event)
      statement.bind(5, event.mode)
      statement.bind(6, event.namespace)
      statement.bind(7, event.data)
      statement.bind(8, event.line)
      statement.bind(9, event.streamID)
      statement.bind(10, event.isLossy)
      try statement.execute()
    }

    for chunk in run.chunks {
      let statement = inserter.chunk
      statement.bind(1, run.runID)
      statement.bind(2, run.attempt)
      statement.bind(3, chunk.messageID)
      statement.bind(4, chunk.seq)
      statement.bind(5, chunk.node)
      statement.bind(6, chunk.namespace)
      statement.bind(7, chunk.content)
      statement.bind(8, chunk.toolCallChunks)
      statement.bind(9, chunk.usage)
      try statement.execute()
    }

    for (position, message) in run.messages.enumerated() {
      if !message.content.isEmpty {
        try inserter.index(
          message.content, runID: run.runID, attempt: run.attempt, messageID: message.messageID,
          node: message.node, kind: message.type)
      }
      let callID = message.modelCallID
      let statement = inserter.message
      statement.bind(1, run.runID)
      statement.bind(2, run.attempt)
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

    for call in run.toolCalls {
      let statement = inserter.toolCall
      statement.bind(1, run.runID)
      statement.bind(2, run.attempt)
      statement.bind(3, call.messageID)
      statement.bind(4, call.toolCallID)
      statement.bind(5, call.name)
      statement.bind(6, call.args)
      statement.bind(7, call.argsValid)
      statement.bind(8, call.result)
      statement.bind(9, call.node)
      try statement.execute()
      try inserter.index(
        "\(call.name) \(call.args)", runID: run.runID, attempt: run.attempt,
        messageID: call.messageID, node: call.node, kind: "tool_call")
    }
  }
}
