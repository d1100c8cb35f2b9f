import CStoreTuning
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
  /// Of the runs written, those that replaced a stored copy of themselves (one with fewer
  /// events, or a lossy one).
  public var runsReplaced = 0
  /// Runs left out because the database already held them at least as whole (before the
  /// source: a copy the source itself holds again is not one).
  public var runsAlreadyStored = 0
  /// Runs the source holds more than once (a stream read again from its start, files joined
  /// with `cat`), each counted once above, by the copy that stayed.
  public var runsHeldTwice = 0
  public var eventsWritten = 0
}

/// Why the database could not be used, with what to do about it.
public struct StoreError: Error, CustomStringConvertible {
  public var path: String
  public var message: String
  /// True when `message` is a sentence that names the database itself.
  var namesThePath = false

  public init(path: String, message: String) {
    self.path = path
    self.message = message
  }

  /// `--db` names a database of another program.
  static func notLganalyze(_ path: String) -> StoreError {
    var error = StoreError(path: path, message: "\(path) is not an lganalyze database")
    error.namesThePath = true
    return error
  }

  public var description: String { namesThePath ? message : "\(path): \(message)" }
}

/// The lganalyze database: opens (and migrates) it, and writes sources through a `BatchWriter`.
///
/// A source is written whole or not at all, so a failure halfway through a file leaves the
/// database as it was. A run already stored from another source (the same capture saved in two
/// formats) is kept once: the copy with more events wins, unless it comes from lines that could
/// not all be read and the stored copy's did not — a damaged copy never replaces a good one.
public final class RunStore: Sendable {
  /// Seconds to wait for a lock another connection holds (see `init`).
  static let busyTimeout = 600

  /// The path the database was opened at.
  public let path: String
  let queue: DatabaseQueue
  /// True when the database held nothing before this store opened it: batch writers then write
  /// without waiting for the disk (see `withBatchWriter`).
  let createdDatabase: Bool

  /// Opens the database at `path`, creating it and its schema when needed.
  public init(path: String, readOnly: Bool = false) throws(StoreError) {
    self.path = path
    var configuration = Configuration()
    configuration.readonly = readOnly
    // Another ingest may hold the write lock for the length of one file's transaction, which
    // for a file of gigabytes takes a while: wait for it rather than fail.
    configuration.busyMode = .timeout(TimeInterval(Self.busyTimeout))
    _ = Self.memoryStatisticsStopped
    _ = Self.uriFilenamesAccepted
    do {
      queue =
        readOnly
        ? try Self.openForReading(path: path, configuration: configuration)
        : try DatabaseQueue(path: path, configuration: configuration)
      if readOnly {
        createdDatabase = false
        switch try queue.read(Self.contents(of:)) {
        case .lganalyze: break
        case .empty:
          throw StoreError(
            path: path, message: "the database is empty; run `lganalyze ingest --db \(path)` first")
        case .other: throw StoreError.notLganalyze(path)
        }
      } else {
        createdDatabase = try Self.prepare(queue)
      }
    } catch let error as StoreError {
      throw error
    } catch is NotLganalyze {
      throw StoreError.notLganalyze(path)
    } catch {
      throw StoreError(path: path, message: "cannot open the database: \(error)")
    }
  }

  /// The `application_id` in the header of lganalyze's databases: "LGAn" in ASCII.
  static let applicationID = 0x4C47_416E

  /// What a database file holds, as far as lganalyze can tell.
  enum Contents {
    /// Nothing yet: a new or zero-byte file, or one without tables.
    case empty
    /// An lganalyze database, of this version or an earlier one.
    case lganalyze
    /// Another program's database.
    case other
  }

  /// The database holds another program's tables.
  private struct NotLganalyze: Error {}

  /// Tells lganalyze's databases from others without changing anything.
  ///
  /// `--db` takes any path. Opening another program's database for reading printed the failed
  /// SQL of the first query ("no such table: runs"), and an ingest added lganalyze's tables to
  /// it. Its databases carry `applicationID` in the header since migration
  /// v4-application-id; those written before are known by their migrations and tables. The
  /// migration table alone is not enough: other programs use GRDB's migrations too, and "v1" is
  /// a common name for a first migration.
  static func contents(of db: Database) throws -> Contents {
    // One read transaction, so that all is read from one state of the file: another process
    // may be migrating a new database meanwhile.
    guard db.isInsideTransaction else {
      var contents = Contents.other
      try db.inTransaction(.deferred) {
        contents = try Self.contents(of: db)
        return .commit
      }
      return contents
    }
    let application = try Int.fetchOne(db, sql: "PRAGMA application_id")
    if application == applicationID { return .lganalyze }
    // SQLite's own objects (sqlite_autoindex_…, sqlite_sequence) say nothing of the program.
    let names = Set(
      try String.fetchAll(
        db, sql: #"SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\'"#))
    // A migrator creates its table before the first migration, outside its transaction: a
    // database seen at that moment holds that empty table alone.
    let migrations =
      names.contains("grdb_migrations")
      ? Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) : []
    if names.subtracting(["grdb_migrations"]).isEmpty && migrations.isEmpty { return .empty }
    let tables: Set = [
      "sources", "runs", "events", "message_chunks", "messages", "tool_calls", "ingest_errors",
      "search_index",
    ]
    let isEarlierVersion =
      application == 0 && migrations.contains("v1") && tables.isSubset(of: names)
    return isEarlierVersion ? .lganalyze : .other
  }

  /// SQLite's memory statistics take a process-wide mutex on every allocation; nothing here reads
  /// them. Measured on the single writer thread that bounds ingest speed: 4–5% of ingest time
  /// (median of 8 runs on a 212 MB corpus). It only works before SQLite starts, so it is done
  /// before the first database is opened.
  private static let memoryStatisticsStopped: Void = {
    _ = lga_sqlite_stop_memory_statistics()
  }()

  /// SQLite takes `file:` URIs as database names (see `openForReading`). Like the memory
  /// statistics, this only works before SQLite starts.
  private static let uriFilenamesAccepted: Void = {
    _ = lga_sqlite_accept_uri_filenames()
  }()

  /// Opens a database for reading, also in WAL mode in a folder the user cannot write.
  ///
  /// A reader of a WAL database needs the shared-memory file beside it (`-shm`), which SQLite
  /// creates when it is missing; where the user cannot create files, opening failed with
  /// "attempt to write a readonly database" (a database shared read-only, or copied by another
  /// user). SQLite then reads a database only when told it is immutable:
  // > https://www.sqlite.org/wal.html#readonly: "a read-only WAL-mode database file can be
  // > opened if the -shm and -wal files already exist or those files can be created or the
  // > database is immutable."
  /// An immutable database is read without locks and without its WAL, which is right when the
  /// WAL is absent or empty: an ingest ends by copying its WAL into the database. A WAL that
  /// holds changes would be skipped, so that case is an error that says what to do. What an
  /// ingest writes to such a database while it is read as immutable can make the read fail.
  static func openForReading(path: String, configuration: Configuration) throws
    -> DatabaseQueue
  {
    do {
      return try DatabaseQueue(path: path, configuration: configuration)
    } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_READONLY_ROLLBACK {
      // An ingest into a new database, which writes it with a rollback journal
      // (`useRollbackJournal`), was killed in a transaction. Only a connection that can write
      // plays the journal back; that restores what was committed and changes nothing else.
      do {
        _ = try DatabaseQueue(path: path).read { db in
          try Int.fetchOne(db, sql: "PRAGMA page_count")
        }
      } catch {
        throw StoreError(
          path: path,
          message: "cannot read it: an ingest into it was cut off, and its journal \(path)-journal "
            + "must be played back first, which needs write access (\(error)); have a user who "
            + "can write there run `sqlite3 \(path) \"PRAGMA quick_check\"`")
      }
      return try DatabaseQueue(path: path, configuration: configuration)
    } catch let error as DatabaseError
      where error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_CANTOPEN
    {
      let folder = (path as NSString).deletingLastPathComponent
      let folderPath = folder.isEmpty ? "." : folder
      guard !FileManager.default.isWritableFile(atPath: folderPath) else { throw error }
      let log = (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size]
      if let size = log as? Int, size > 0 {
        throw StoreError(
          path: path,
          message: "cannot read it: the folder \(folderPath) is not writable for you, so SQLite "
            + "cannot open the write-ahead log \(path)-wal, which holds changes not yet in the "
            + "database; have a user who can write there run `sqlite3 \(path) \"PRAGMA "
            + "wal_checkpoint(TRUNCATE)\"`, or copy the database with its -wal file to a folder "
            + "of yours")
      }
      let absolute = URL(fileURLWithPath: path).standardizedFileURL
      return try DatabaseQueue(
        path: absolute.absoluteString + "?immutable=1", configuration: configuration)
    }
  }

  /// Sets the database up for writing and migrates its schema. Returns true when the database
  /// held nothing yet (a new or empty file).
  ///
  /// Two ingests that open a new database at the same moment race for both steps. Switching the
  /// journal mode needs the database to itself and fails with SQLITE_BUSY at once, without
  /// waiting out the busy timeout; and the migrator reads which migrations are applied before it
  /// takes the write lock, so the slower process replays a migration the other has just
  /// committed and fails on tables that now exist. Retried, both steps find the work done.
  private static func prepare(_ queue: DatabaseQueue) throws -> Bool {
    let deadline = Date.now.addingTimeInterval(30)
    var isEmpty = false
    while true {
      do {
        try queue.writeWithoutTransaction { db in
          // Before anything is changed: the page size and WAL below would be set on another
          // program's database too.
          guard try contents(of: db) != .other else { throw NotLganalyze() }
          isEmpty = try Int.fetchOne(db, sql: "PRAGMA page_count") == 0
          // 64 KiB pages: event payloads of a kilobyte or more stay on their row's page, and
          // SQLite makes a quarter of the system calls it makes at 16 KiB. Measured on a 212 MB
          // corpus (bytes written by an ingest, database size, wall time over 4–10 runs):
          // 4 KiB 720 MB, 317 MB, 3.2–3.8 s (payloads spill to overflow pages); 16 KiB 667 MB,
          // 284 MB, 2.5–3.1 s; 64 KiB 669 MB, 276 MB, 2.3–2.9 s. The page size only takes
          // effect on a new database, before WAL is switched on.
          try db.execute(sql: "PRAGMA page_size = 65536")
          // WAL lets readers (query, runs) work while an ingest writes, and a killed ingest
          // leaves the last committed batch intact. NORMAL syncs the WAL before each checkpoint
          // copies it into the database, so that a power cut cannot tear pages the database
          // held before; batch writers lift that for a database they created (withBatchWriter).
          do {
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
          } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && !isEmpty {
            // The ingest that created the database writes it with a rollback journal and holds
            // it meanwhile (see `useRollbackJournal`); it switches the database to WAL when it
            // ends, and this connection then follows. Until then this one writes with a
            // rollback journal too, and waits for the other's transactions like any writer.
          }
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
        return isEmpty
      } catch {
        attempts += 1
        if (try? queue.read(Schema.migrator.hasCompletedMigrations)) == true { return isEmpty }
        guard attempts < 5 else { throw error }
      }
    }
  }

  /// True when content with this digest was ingested before and gave runs: ingesting it again
  /// would add nothing. Content that gave none (read with the wrong `--format`, an empty file)
  /// is read again when it comes again (see `BatchWriter.write`).
  public func containsSource(sha256: String) throws -> Bool {
    try queue.read { db in
      try Bool.fetchOne(
        db, sql: "SELECT 1 FROM sources WHERE sha256 = ? AND run_count > 0", arguments: [sha256])
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

  /// Writes a source in one transaction while its runs are still being read (see
  /// `BatchWriter.write`). Nothing of the source is stored unless all of it is.
  /// - Throws: `AlreadyIngested` when the database already holds this content.
  @discardableResult
  public func write(
    source: SourceRecord, nextRun: () throws -> (run: Run, isDamaged: Bool)?,
    finish: () -> (format: String, issues: [SourceIssue])
  ) throws -> StoreSummary {
    try withBatchWriter { writer in
      let summary = try writer.write(source: source, nextRun: nextRun, finish: finish)
      try writer.commit()
      return summary
    }
  }

  /// Holds the database for `body`, which writes through one `BatchWriter`. What `body` leaves
  /// uncommitted is rolled back; what it committed is on disk when this returns.
  ///
  /// Into a database this store created, the writer commits and checkpoints without syncing
  /// (synchronous OFF) and the files are synced once at the end. Syncing the WAL before every
  /// checkpoint writes each page to disk twice, once in the WAL and once in the database; without
  /// it, a WAL that is reset and written again mostly stays in the page cache. Measured on a
  /// 212 MB corpus into a new database (median of 6 runs, files synced at the end in both):
  /// NORMAL 1.76 s, OFF 1.44 s. The price is that a power cut or OS crash during the ingest can
  /// leave the database torn; it held nothing before, so what is lost is this ingest, which can
  /// be run again. A killed process loses nothing committed either way. A database that held
  /// data keeps NORMAL throughout.
  ///
  /// A database this store created is also written with a rollback journal rather than the WAL
  /// (see `useRollbackJournal`).
  public func withBatchWriter<T>(_ body: (BatchWriter) throws -> T) throws -> T {
    try queue.writeWithoutTransaction { db in
      if createdDatabase { try db.execute(sql: "PRAGMA synchronous = OFF") }
      let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size")
      try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
      defer { if let cacheSize { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") } }
      let databaseFile = createdDatabase ? FileHandle(forReadingAtPath: path) : nil
      defer { try? databaseFile?.close() }
      if createdDatabase { useRollbackJournal(db) }
      let outcome = Result { () throws -> T in
        let writer = try BatchWriter(db: db)
        defer { writer.rollback() }
        if let databaseFile {
          // A commit checkpoints the WAL into the database file. Writing those pages out now,
          // while the ingest goes on, leaves less for the sync at the end, which nothing
          // overlaps: 1.55 s → 1.48 s (median of 8 runs).
          writer.afterCommit = { _ = lga_start_writeback(databaseFile.fileDescriptor) }
        }
        // Into a database that held data, each checkpoint first syncs the WAL (NORMAL), and the
        // writer waits for the disk. Writing the WAL out after each source, while the ingest
        // goes on, leaves that sync little to wait for. A 203 MB corpus into a database holding
        // two others: the writer's syncs 0.51 → 0.36 s; into one holding another, ingest
        // 1.86 → 1.79 s (medians of 8 runs).
        var logFile: FileHandle?
        defer { try? logFile?.close() }
        if !createdDatabase {
          writer.afterSource = {
            // The WAL appears with the first write, so it is opened once it exists.
            if logFile == nil { logFile = FileHandle(forReadingAtPath: self.path + "-wal") }
            if let logFile { _ = lga_start_writeback(logFile.fileDescriptor) }
          }
        }
        return try body(writer)
      }
      do {
        if createdDatabase {
          // Back to WAL before the sync, so that the switch is synced too; when it fails (a
          // reader holds the database past the busy timeout), the next ingest switches it in
          // `prepare`. A second ingest may have switched it meanwhile: then the WAL may hold
          // pages, which go into the database first.
          _ = try? String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
          emptyLog(db)
        }
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
        try syncFiles()
      } catch {
        // What failed in `body` matters more to the caller than a sync after it.
        _ = try outcome.get()
        throw error
      }
      return try outcome.get()
    }
  }

  /// Puts a database this store created in rollback-journal mode for a batch writer, which
  /// switches it back to WAL mode when done.
  ///
  /// In WAL mode every page an ingest writes is written twice: appended to the WAL, then
  /// copied into the database by a checkpoint. A rollback journal holds only the pages that a
  /// transaction changes among those the file had when it began; pages appended to the file
  /// are written straight into the database:
  // > SQLite's doc/pager-invariants.txt: a page may be overwritten when "The original content
  // > of the page as it was at the beginning of the transaction has been written into the
  // > rollback journal and synced", or when "The page number is greater than the largest page
  // > that existed in the database file at the start of the transaction."
  /// Into a new database that is nearly every page. Measured on a 212 MB corpus (medians of 6
  /// and 8 alternating runs): WAL 1.40 and 1.32 s, TRUNCATE 1.25 and 1.17 s, with 0.15–0.23 s
  /// less CPU. PERSIST and DELETE measured the same as TRUNCATE, which leaves no file behind.
  ///
  /// A killed ingest leaves the journal of its open transaction, and the next connection to
  /// open the database plays it back: what was committed stays, as with the WAL. Readers wait
  /// while a transaction writes, instead of reading beside it; only during this first ingest.
  /// The switch needs the database to itself: while another connection holds it (a reader, a
  /// second ingest), it fails and the ingest stays in WAL mode. A second ingest may switch the
  /// database back to WAL meanwhile: this connection's next transaction then finds WAL mode in
  /// the file header and uses the WAL too.
  private func useRollbackJournal(_ db: Database) {
    _ = try? String.fetchOne(db, sql: "PRAGMA journal_mode = TRUNCATE")
  }

  /// The page cache of a batch writer, in KiB.
  ///
  /// Each run adds index entries at a random place in the indexes keyed by run id (run ids are
  /// UUIDs), one or two pages per index and run. SQLite's default cache (2 MB, 31 pages of
  /// 64 KiB) holds none of them for long: into a database that already held runs, each such
  /// page was read from the file, written to the WAL when evicted, and read back for the next
  /// run that landed on it. Ingesting a 203 MB corpus into a database holding another one:
  /// the writer's reads and writes of pages 155,000 → 46,000, system time 1.08 → 0.64 s and
  /// wall time 2.67 → 2.31 s (medians of 8 runs; 0.83 → 0.52 s and 2.02 → 1.92 s in a round
  /// of 6 when the machine ran faster); into one holding two corpora (552 MB), 2.73 → 2.48 s.
  /// Into a new database, where the indexes start small, ingest was no faster (1.42 → 1.37 s,
  /// within the noise). Peak RSS grows by what the cache fills: 53 → 84 MB on that ingest
  /// (a new database's peak, 84 MB, comes from elsewhere and stayed), and 3–4 MB for the
  /// largest single runs measured, whose peak comes from the run itself.
  static let writerCacheKiB = 32 * 1024

  /// Copies the whole WAL into the database and truncates it, without syncing (a created
  /// database is written at synchronous OFF). The sync at the end then has only the database
  /// file to write: syncing the WAL first wrote up to a batch's worth of pages to the disk that
  /// the checkpoint when the database closes copied into the database file and wrote again
  /// (212 MB corpus, medians of 8 runs in two rounds: 2.14 → 1.83 s and 2.29 → 2.13 s).
  /// A reader or another writer still using the WAL keeps it from being emptied; the busy
  /// timeout is lifted for the checkpoint so that the ingest does not wait for them, and the
  /// WAL is then synced as before. Nothing depends on the checkpoint succeeding.
  private func emptyLog(_ db: Database) {
    try? db.execute(sql: "PRAGMA busy_timeout = 0")
    defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Self.busyTimeout * 1000)") }
    _ = try? Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
  }

  /// Writes the database file and its WAL through to the disk. Committing in WAL mode syncs
  /// nothing at NORMAL or OFF; this makes an ingest's commits durable once it returns. The
  /// database goes first: checkpoints copied pages into it whose WAL frames are gone since.
  private func syncFiles() throws {
    for file in [path, path + "-wal"] {
      guard let handle = FileHandle(forReadingAtPath: file) else { continue }
      defer { try? handle.close() }
      try handle.synchronize()
    }
  }

  /// The digests of the sources ingested so far that gave runs (see `containsSource`).
  public func sourceDigests() throws -> Set<String> {
    try queue.read { db in
      Set(try String.fetchAll(db, sql: "SELECT sha256 FROM sources WHERE run_count > 0"))
    }
  }

  /// Records a problem with a source that could not be read at all (so nothing else is stored).
  public func recordError(
    source: String, sha256: String?, line: Int?, message: String, excerpt: String? = nil
  ) throws {
    try withBatchWriter { writer in
      try writer.record(
        IngestErrorRecord(
          source: source, sha256: sha256, line: line, message: message, excerpt: excerpt))
      try writer.commit()
    }
  }

  /// For each run, whether its part of the source could not all be read: the run is cut off,
  /// or an issue that damages a run lies on its lines (a note does not). Runs follow one another
  /// in a source, so each owns the lines
  /// from its first event to the next run's first event; issues before the first run count
  /// for the first.
  static func damagedRuns(_ runs: [Run], issues: [SourceIssue]) -> [Bool] {
    var damaged = runs.map { $0.status == .incomplete }
    let starts = runs.map { $0.events.first?.line ?? Int.max }
    for issue in issues where !runs.isEmpty && issue.damagesRun {
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
}
