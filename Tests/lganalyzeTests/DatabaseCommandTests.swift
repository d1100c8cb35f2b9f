import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs the built `lganalyze` on databases that hold what real captures rarely bring, and
/// checks that every command still answers: the database is the user's, whatever it holds.
@Suite struct DatabaseCommandTests {
  private static let samples = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Samples")

  private let folder: URL

  init() throws {
    folder = try TestScratch.folder("database-commands")
  }

  private typealias Outcome = ProcessOutcome

  /// Runs `lganalyze` with `arguments` in this test's folder; `prefix` (a command and its
  /// arguments) runs it through another program.
  private func lganalyze(_ arguments: [String], through prefix: [String] = []) throws -> Outcome {
    try BuiltExecutable.run(arguments, in: folder, environment: ["NO_COLOR": "1"], through: prefix)
  }

  private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

  private func write(_ text: String, to name: String) throws -> String {
    try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    return path(name)
  }

  private static func sample(_ file: String) -> String {
    samples.appendingPathComponent(file).path
  }

  // MARK: - Stored values

  @Test func tokenCountsPastTheIntegerRangeLeaveEveryCommandWorking() throws {
    let capture = try write(
      """
      {"event":"metadata","data":{"run_id":"r-overflow","attempt":1}}
      {"event":"messages","data":[{"content":"a","type":"AIMessageChunk","id":"m1","usage_metadata":{"input_tokens":9223372036854775807,"output_tokens":0,"total_tokens":0}},{"langgraph_node":"n"}]}
      {"event":"messages","data":[{"content":"b","type":"AIMessageChunk","id":"m2","usage_metadata":{"input_tokens":1,"output_tokens":0,"total_tokens":0}},{"langgraph_node":"n"}]}

      """, to: "overflow.jsonl")
    let db = path("t.db")
    let ingest = try lganalyze(
      ["ingest", "-q", "--db", db, Self.sample("sse/weather_values.sse"), capture])
    #expect(ingest.status == 0, "\(ingest.stderr)")
    for command in [
      ["runs"], ["stats"], ["stats", "--by", "run"], ["export", "--all"], ["show", "r-overflow"],
      ["query", "SELECT * FROM node_stats"],
    ] {
      let outcome = try lganalyze(command + ["--db", db])
      #expect(outcome.status == 0, "\(command): \(outcome.stderr)")
    }
    let runs = try lganalyze(["runs", "--db", db, "--format", "json"])
    let rows = try #require(
      try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
    #expect(rows.count == 2)
  }

  // MARK: - Retried runs

  private static let failedRun = "01a20557-a042-7610-8d1f-df233c579166"

  private static func jsonArray(_ text: String) throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
  }

  /// A retry is the same run id with a higher attempt: machine formats give the id as it is
  /// and the attempt beside it, and stats counts each attempt on its own.
  @Test func aRetriedRunIsListedAndCountedByAttempt() throws {
    let first = try String(contentsOfFile: Self.sample("sse/failing_error.sse"), encoding: .utf8)
    #expect(first.contains(#""attempt":1"#))
    let retry = try write(
      first.replacingOccurrences(of: #""attempt":1"#, with: #""attempt":2"#), to: "retry.sse")
    let db = path("t.db")
    let ingest = try lganalyze(
      ["ingest", "-q", "--db", db, Self.sample("sse/failing_error.sse"), retry])
    #expect(ingest.status == 0, "\(ingest.stderr)")

    let runs = try Self.jsonArray(try lganalyze(["runs", "--db", db, "--format", "json"]).stdout)
    #expect(runs.map { $0["run_id"] as? String } == [Self.failedRun, Self.failedRun])
    #expect(Set(runs.compactMap { $0["attempt"] as? Int }) == [1, 2])
    let tokens = try #require(runs.first?["tokens"] as? Int)
    #expect(tokens > 0)
    #expect(runs.allSatisfy { $0["tokens"] as? Int == tokens })

    let csv = try lganalyze(["runs", "--db", db, "--format", "csv"]).stdout
      .split(separator: "\r\n")
    #expect(csv.first?.hasPrefix("run_id,attempt,") == true)
    #expect(csv.dropFirst().allSatisfy { $0.hasPrefix(Self.failedRun + ",") })
    let table = try lganalyze(["runs", "--db", db, "--format", "table"]).stdout
    #expect(table.contains("\(Self.failedRun) (attempt 2)"))

    // One attempt, the latest (the one `show` shows), whatever the grouping.
    for grouping in ["node", "run", "model", "graph"] {
      let stats = try Self.jsonArray(
        try lganalyze(
          ["stats", "--db", db, "--run", "01a20557-a042", "--by", grouping, "--format", "json"]
        ).stdout)
      #expect(
        stats.reduce(0) { $0 + ($1["total_tokens"] as? Int ?? 0) } == tokens, "by \(grouping)")
    }
    let byRun = try Self.jsonArray(
      try lganalyze(["stats", "--db", db, "--by", "run", "--format", "json"]).stdout)
    #expect(byRun.map { $0["run"] as? String } == [Self.failedRun, Self.failedRun])
    #expect(Set(byRun.compactMap { $0["attempt"] as? Int }) == [1, 2])
    #expect(byRun.allSatisfy { $0["total_tokens"] as? Int == tokens })
    let latest = try Self.jsonArray(
      try lganalyze([
        "stats", "--db", db, "--run", Self.failedRun, "--by", "run", "--format", "json",
      ])
      .stdout)
    #expect(latest.map { $0["attempt"] as? Int } == [2])
  }

  /// `show` and `export` give a retried run's latest attempt, or the one `--attempt` names; an
  /// attempt the run does not have is an error naming the run and the attempts it has.
  @Test func showAndExportPickAnAttemptOfARetriedRun() throws {
    let first = try String(contentsOfFile: Self.sample("sse/failing_error.sse"), encoding: .utf8)
    #expect(first.contains(#""content":"Start""#))
    let retry = try write(
      first.replacingOccurrences(of: #""attempt":1"#, with: #""attempt":2"#)
        .replacingOccurrences(of: #""content":"Start""#, with: #""content":"Restart""#),
      to: "retry.sse")
    let db = path("t.db")
    let ingest = try lganalyze(
      ["ingest", "-q", "--db", db, Self.sample("sse/failing_error.sse"), retry])
    #expect(ingest.status == 0, "\(ingest.stderr)")

    let latest = try lganalyze(["show", "--db", db, "01a20557-a042"])
    #expect(latest.status == 0, "\(latest.stderr)")
    #expect(latest.stdout.contains("Restarting the analysis"), "\(latest.stdout)")
    let earlier = try lganalyze(["show", "--db", db, "01a20557-a042", "--attempt", "1"])
    #expect(earlier.status == 0, "\(earlier.stderr)")
    #expect(earlier.stdout.contains("Starting the analysis"), "\(earlier.stdout)")
    #expect(!earlier.stdout.contains("Restarting"))

    for (chosen, attempt) in [([], 2), (["--attempt", "1"], 1), (["--attempt", "2"], 2)] {
      let export = try lganalyze(
        ["export", "--db", db, "--format", "json", "01a20557-a042"] + chosen)
      #expect(export.status == 0, "\(chosen): \(export.stderr)")
      let runs = try Self.jsonArray(export.stdout)
      #expect(runs.map { $0["attempt"] as? Int } == [attempt], "\(chosen)")
    }

    for command in ["show", "export"] {
      let missing = try lganalyze([command, "--db", db, "01a20557-a042", "--attempt", "3"])
      #expect(missing.status == 1, "\(command)")
      #expect(missing.stdout.isEmpty, "\(command)")
      #expect(
        missing.stderr.contains("run \(Self.failedRun) has no attempt 3: its attempts are 1, 2"),
        "\(command): \(missing.stderr)")
    }
    #expect(try lganalyze(["show", "--db", db, Self.failedRun, "--attempt", "0"]).status == 2)
    #expect(try lganalyze(["export", "--db", db, "--all", "--attempt", "1"]).status == 2)
  }

  /// `stats --run` counts a retried run's latest attempt, or the one `--attempt` names, with
  /// the same checks and errors as `show` and `export`.
  @Test func statsCountsTheAttemptItIsGiven() throws {
    let first = try String(contentsOfFile: Self.sample("sse/failing_error.sse"), encoding: .utf8)
    let usage = #""output_tokens":12,"total_tokens":16"#
    #expect(first.contains(usage))
    let retry = try write(
      first.replacingOccurrences(of: #""attempt":1"#, with: #""attempt":2"#)
        .replacingOccurrences(of: usage, with: #""output_tokens":112,"total_tokens":116"#),
      to: "retry.sse")
    let db = path("t.db")
    let ingest = try lganalyze(
      ["ingest", "-q", "--db", db, Self.sample("sse/failing_error.sse"), retry])
    #expect(ingest.status == 0, "\(ingest.stderr)")

    for (chosen, attempt, tokens) in [
      ([], 2, 116), (["--attempt", "1"], 1, 16), (["--attempt", "2"], 2, 116),
    ] {
      let stats = try lganalyze(
        ["stats", "--db", db, "--run", "01a20557-a042", "--by", "run", "--format", "json"]
          + chosen)
      #expect(stats.status == 0, "\(chosen): \(stats.stderr)")
      let rows = try Self.jsonArray(stats.stdout)
      #expect(rows.map { $0["attempt"] as? Int } == [attempt], "\(chosen)")
      #expect(rows.map { $0["total_tokens"] as? Int } == [tokens], "\(chosen)")
    }

    let missing = try lganalyze(
      ["stats", "--db", db, "--run", "01a20557-a042", "--attempt", "3"])
    #expect(missing.status == 1)
    #expect(missing.stdout.isEmpty)
    #expect(
      missing.stderr.contains("run \(Self.failedRun) has no attempt 3: its attempts are 1, 2"),
      "\(missing.stderr)")
    let zero = try lganalyze(["stats", "--db", db, "--run", Self.failedRun, "--attempt", "0"])
    #expect(zero.status == 2)
    let withoutRun = try lganalyze(["stats", "--db", db, "--attempt", "1"])
    #expect(withoutRun.status == 2)
    #expect(withoutRun.stderr.contains("--attempt needs --run"), "\(withoutRun.stderr)")
    #expect(withoutRun.stdout.isEmpty)
  }

  // MARK: - Damaged runs

  private static let cleanRun = "01a20557-0000-7000-8000-000000000001"
  private static let damagedRun = "01a20557-0000-7000-8000-000000000002"

  /// A database holding a clean run and, from the same file, a run with a line among its events
  /// that cannot be read.
  private func cleanAndDamagedRuns() throws -> String {
    func metadata(_ runID: String) -> String {
      "event: metadata\r\ndata: {\"run_id\":\"\(runID)\",\"attempt\":1}\r\n\r\n"
    }
    func chunk(_ text: String, id: String) -> String {
      "event: messages\r\ndata: [{\"content\":\"\(text)\",\"type\":\"AIMessageChunk\","
        + "\"id\":\"\(id)\"},{\"langgraph_node\":\"agent\"}]\r\n\r\n"
    }
    let capture = try write(
      metadata(Self.cleanRun) + chunk("Hel", id: "m1") + chunk("lo", id: "m1")
        + metadata(Self.damagedRun) + chunk("Wor", id: "m2")
        + "event: messages\r\ndata: [{\"content\":\"XX\", BROKEN\r\n\r\n" + chunk("ld", id: "m2"),
      to: "damaged.sse")
    let db = path("t.db")
    let ingest = try lganalyze(["ingest", "-q", "--db", db, capture])
    #expect(ingest.status == 1, "\(ingest.stderr)")
    return db
  }

  /// The `damaged` field of each run in `runs`, by run id.
  private static func damage(_ runs: [[String: Any]]) -> [String: Bool] {
    Dictionary(
      runs.compactMap { row in
        guard let runID = row["run_id"] as? String, let isDamaged = row["damaged"] as? Bool
        else { return nil }
        return (runID, isDamaged)
      }, uniquingKeysWith: { first, _ in first })
  }

  /// `runs`, `show` and `export` say which runs are damaged, so that nobody takes what a
  /// damaged run holds for all of it; the clean run beside it is not marked.
  @Test func aDamagedRunIsMarkedWhereRunsAreListedShownAndExported() throws {
    let db = try cleanAndDamagedRuns()
    let expected = [Self.cleanRun: false, Self.damagedRun: true]

    // true and false, not the 0 and 1 of runs.damaged, which JSON readers differ on.
    let json = try lganalyze(["runs", "--db", db, "--format", "json"]).stdout
    #expect(Self.damage(try Self.jsonArray(json)) == expected)
    #expect(json.contains(#""damaged":true"#) && json.contains(#""damaged":false"#))

    let csv = try lganalyze(["runs", "--db", db, "--format", "csv"]).stdout
      .split(separator: "\r\n").map(String.init)
    #expect(csv.first?.hasPrefix("run_id,attempt,graph,status,damaged,started,") == true)
    #expect(csv.contains { $0.hasPrefix("\(Self.cleanRun),1,,success,0,") }, "\(csv)")
    #expect(csv.contains { $0.hasPrefix("\(Self.damagedRun),1,,success,1,") }, "\(csv)")

    let table = try lganalyze(["runs", "--db", db, "--format", "table"]).stdout
    #expect(table.split(separator: "\n").first?.contains("damaged") == false, "\(table)")
    #expect(table.components(separatedBy: "success (damaged)").count == 2, "\(table)")

    let damaged = try lganalyze(["show", "--db", db, Self.damagedRun])
    #expect(damaged.status == 0, "\(damaged.stderr)")
    #expect(
      damaged.stdout.contains(
        "  damaged not all of its lines could be read, or it was cut off; see ingest_errors\n"),
      "\(damaged.stdout)")
    let clean = try lganalyze(["show", "--db", db, Self.cleanRun])
    #expect(clean.status == 0, "\(clean.stderr)")
    #expect(!clean.stdout.contains("damaged"), "\(clean.stdout)")

    let exported = try lganalyze(["export", "--db", db, "--all", "--format", "json"]).stdout
    #expect(Self.damage(try Self.jsonArray(exported)) == expected)
    #expect(exported.contains(#""damaged": true"#), "\(exported)")
    let jsonl = try lganalyze(["export", "--db", db, "--all", "--format", "jsonl"]).stdout
    let lines = jsonl.split(separator: "\n").map { "[" + $0 + "]" }
    #expect(Self.damage(try lines.flatMap { try Self.jsonArray($0) }) == expected)
    #expect(jsonl.contains(#""damaged":true"#) && jsonl.contains(#""damaged":false"#))
  }

  // MARK: - Where the database is

  /// Runs `arguments` as a user who cannot write `folder`: as nobody when the tests run as root
  /// (root writes anywhere), else as the user running the tests.
  private func lganalyzeWithoutWriteAccess(_ arguments: [String]) throws -> Outcome {
    guard getuid() == 0 else { return try lganalyze(arguments) }
    let setpriv = "/usr/bin/setpriv"
    try #require(FileManager.default.isExecutableFile(atPath: setpriv), "root needs setpriv")
    return try lganalyze(
      arguments, through: [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"])
  }

  /// A database in WAL mode in a folder the reader cannot write, so that SQLite cannot make the
  /// shared-memory file a WAL reader needs: read commands still answer.
  @Test func readCommandsWorkInAFolderTheUserCannotWrite() throws {
    let shared = folder.appendingPathComponent("shared #1?")
    try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
    let db = shared.appendingPathComponent("runs.db").path
    let ingest = try lganalyze(["ingest", "-q", "--db", db, Self.sample("sse")])
    #expect(ingest.status == 0, "\(ingest.stderr)")
    // What the log held is in the database file once the ingest ends.
    let log = try? FileManager.default.attributesOfItem(atPath: db + "-wal")
    #expect((log?[.size] as? Int ?? 0) == 0)
    let expected = try lganalyze(["runs", "--db", db, "--format", "json"])
    #expect(expected.status == 0)
    try? FileManager.default.removeItem(atPath: db + "-shm")
    try? FileManager.default.removeItem(atPath: db + "-wal")
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: shared.path)
    defer {
      try? FileManager.default.setAttributes(
        [.posixPermissions: 0o755], ofItemAtPath: shared.path)
    }
    let runs = try lganalyzeWithoutWriteAccess(["runs", "--db", db, "--format", "json"])
    #expect(runs.status == 0, "\(runs.stderr)")
    #expect(runs.stdout == expected.stdout)
    #expect(runs.stdout.count > 100)
    for command in [
      ["stats"], ["show", "01a20557-a042"], ["search", "quota"], ["export", "--all"],
      ["query", "SELECT COUNT(*) FROM events"],
    ] {
      let outcome = try lganalyzeWithoutWriteAccess(command + ["--db", db])
      #expect(outcome.status == 0, "\(command): \(outcome.stderr)")
    }

    // A log that holds changes cannot be read without the shared memory: read as immutable,
    // the database would look as it was before them. That is an error saying so.
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: shared.path)
    #expect(FileManager.default.createFile(atPath: db + "-wal", contents: Data(count: 4096)))
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: shared.path)
    let withLog = try lganalyzeWithoutWriteAccess(["runs", "--db", db])
    #expect(withLog.status == 1)
    #expect(withLog.stderr.contains("write-ahead log \(db)-wal, which holds changes"))
    #expect(withLog.stdout.isEmpty)
  }
}
