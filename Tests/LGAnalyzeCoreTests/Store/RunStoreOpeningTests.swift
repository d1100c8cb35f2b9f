import Foundation
import GRDB
import Testing

@testable import LGAnalyzeCore

/// `--db` may name any file. A store opens lganalyze's databases of every version, sets up a
/// new or empty one, and refuses another program's database without reading or changing it.
@Suite struct RunStoreOpeningTests {
  /// A database of another program at `name` in `folder`, made by `sql`.
  private static func database(_ name: String, in folder: URL, sql: String) throws -> String {
    let path = folder.appendingPathComponent(name).path
    let queue = try DatabaseQueue(path: path)
    try queue.write { db in try db.execute(sql: sql) }
    try queue.close()
    return path
  }

  /// The files of a database, as bytes by name.
  private static func files(of path: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for suffix in ["", "-wal", "-shm", "-journal"] {
      if let data = FileManager.default.contents(atPath: path + suffix) { files[suffix] = data }
    }
    return files
  }

  @Test(arguments: [
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('x')",
    // Another program that uses GRDB's migrations, and names its first one as lganalyze does.
    """
    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
    INSERT INTO grdb_migrations VALUES ('v1');
    CREATE TABLE runs (id INTEGER PRIMARY KEY, distance REAL);
    """,
  ])
  func anotherProgramsDatabaseIsRefusedAndLeftAsItWas(sql: String) throws {
    let folder = try RobustnessFixtures.scratchFolder("open-foreign")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = try Self.database("other.db", in: folder, sql: sql)
    let before = try Self.files(of: path)
    let writing = #expect(throws: StoreError.self) { try RunStore(path: path) }
    #expect(writing?.description == "\(path) is not an lganalyze database")
    let reading = #expect(throws: StoreError.self) { try RunStore.openReadOnly(path: path) }
    #expect(reading?.description == "\(path) is not an lganalyze database")
    #expect(try Self.files(of: path) == before)
  }

  @Test func anEmptyDatabaseIsSetUp() throws {
    let folder = try RobustnessFixtures.scratchFolder("open-empty")
    defer { RobustnessFixtures.removeScratch(folder) }
    let zeroBytes = folder.appendingPathComponent("zero.db").path
    #expect(FileManager.default.createFile(atPath: zeroBytes, contents: Data()))
    // A database file that holds no tables (only a setting in its header).
    let noTables = try Self.database("empty.db", in: folder, sql: "PRAGMA user_version = 3")
    for path in [zeroBytes, noTables] {
      let store = try RunStore(path: path)
      #expect(try RobustnessFixtures.integer(store, "SELECT COUNT(*) FROM runs") == 0)
      _ = try RunStore.openReadOnly(path: path)
    }
  }

  @Test func aNewDatabaseIsRecognisedByItsHeader() throws {
    let folder = try RobustnessFixtures.scratchFolder("open-new")
    defer { RobustnessFixtures.removeScratch(folder) }
    let store = try RobustnessFixtures.newStore(in: folder)
    #expect(
      try RobustnessFixtures.integer(store, "PRAGMA application_id") == RunStore.applicationID)
  }

  /// Databases written before lganalyze marked its files keep opening, for reading and for
  /// ingest, at every earlier version of the schema.
  @Test(arguments: [
    "v1", "v2-events-in-insertion-order", "v3-saturating-token-sums", "v4-application-id",
  ])
  func anEarlierLganalyzeDatabaseOpens(version: String) throws {
    let folder = try RobustnessFixtures.scratchFolder("open-earlier")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = folder.appendingPathComponent("old.db").path
    try RobustnessFixtures.earlierDatabase(at: path, upTo: version)
    let reader = try RunStore.openReadOnly(path: path)
    #expect(try reader.runs().isEmpty)
    let store = try RunStore(path: path)
    #expect(
      try RobustnessFixtures.integer(store, "PRAGMA application_id") == RunStore.applicationID)
  }

  /// A database written before runs.damaged is read without migrating it (`openReadOnly`):
  /// its runs are damaged when their source had errors, as the migration would judge them, and
  /// the same once an ingest has migrated it.
  @Test func runsStoredBeforeTheirDamageWasRecordedAreJudgedByTheirSource() throws {
    let folder = try RobustnessFixtures.scratchFolder("open-before-damage")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = folder.appendingPathComponent("old.db").path
    try RobustnessFixtures.earlierDatabase(at: path, upTo: "v4-application-id") { db in
      try db.execute(
        sql: """
          INSERT INTO sources (source_id, path, sha256, format, bytes, ingested_at, error_count)
          VALUES (1, 'clean.sse', 'a', 'sse', 1, '', 0), (2, 'bad.sse', 'b', 'sse', 1, '', 2);
          INSERT INTO runs (run_id, status, event_count, message_count, tool_call_count,
                            source, source_id)
          VALUES ('clean', 'success', 1, 0, 0, 'clean.sse', 1),
                 ('bad', 'success', 1, 0, 0, 'bad.sse', 2);
          """)
    }
    for store in [try RunStore.openReadOnly(path: path), try RunStore(path: path)] {
      let damage = Dictionary(
        uniqueKeysWithValues: try store.runs().map { ($0.runID, $0.isDamaged) })
      #expect(damage == ["clean": false, "bad": true])
      #expect(try store.resolveRun("bad").isDamaged)
    }
  }

  @Test func aReadOnlyOpeningOfAnEmptyFileSaysThereIsNothingYet() throws {
    let folder = try RobustnessFixtures.scratchFolder("open-empty-read")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = folder.appendingPathComponent("zero.db").path
    #expect(FileManager.default.createFile(atPath: path, contents: Data()))
    let error = #expect(throws: StoreError.self) { try RunStore.openReadOnly(path: path) }
    #expect(error?.description.contains("lganalyze ingest") == true)
    #expect(try Self.files(of: path) == ["": Data()])
  }

  /// An ingest into a new database writes it with a rollback journal and ends in WAL mode.
  @Test func anIngestIntoANewDatabaseLeavesItInWALModeWithoutAJournal() throws {
    let folder = try RobustnessFixtures.scratchFolder("open-journal")
    defer { RobustnessFixtures.removeScratch(folder) }
    let store = try RobustnessFixtures.newStore(in: folder)
    let sample = RobustnessFixtures.samples.appendingPathComponent("sse").path
    _ = Ingestor(store: store).ingest(paths: [sample])
    #expect(try RobustnessFixtures.integer(store, "SELECT COUNT(*) FROM runs") > 0)
    #expect(try store.table(sql: "PRAGMA journal_mode").rows.first?.first?.stringValue == "wal")
    #expect(!FileManager.default.fileExists(atPath: store.path + "-journal"))
  }

  /// An ingest killed while it wrote a new database leaves the journal of its transaction: the
  /// database file holds pages of the transaction, the journal what they held before. A reader
  /// plays the journal back and reads what was committed.
  @Test func aReaderPlaysBackTheJournalOfAnIngestCutOffInATransaction() throws {
    let folder = try RobustnessFixtures.scratchFolder("open-hot-journal")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = folder.appendingPathComponent("lganalyze.db").path
    let committed = try {
      // The store lets go of the database at the end of this closure.
      let store = try RunStore(path: path)
      _ = Ingestor(store: store).ingest(paths: [
        RobustnessFixtures.samples.appendingPathComponent("sse").path
      ])
      return try RobustnessFixtures.runIDs(in: store)
    }()
    #expect(!committed.isEmpty)

    // The state a kill leaves, made by copying the files in the middle of a transaction whose
    // changes no longer fit the page cache and went to the database file.
    let cut = folder.appendingPathComponent("cut.db").path
    let writer = try DatabaseQueue(path: path)
    try writer.writeWithoutTransaction { db in
      _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = TRUNCATE")
      try db.execute(sql: "PRAGMA cache_size = 2")
      try db.execute(sql: "BEGIN IMMEDIATE")
      try db.execute(sql: "DELETE FROM events; DELETE FROM runs")
      for suffix in ["", "-journal"] {
        try FileManager.default.copyItem(atPath: path + suffix, toPath: cut + suffix)
      }
      try db.execute(sql: "ROLLBACK")
    }
    let journal = try FileManager.default.attributesOfItem(atPath: cut + "-journal")
    #expect((journal[.size] as? Int ?? 0) > 0)

    let reader = try RunStore.openReadOnly(path: cut)
    #expect(try RobustnessFixtures.runIDs(in: reader) == committed)
    #expect(try RobustnessFixtures.integrity(reader) == "ok")
  }
}
