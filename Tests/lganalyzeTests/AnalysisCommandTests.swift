import Foundation
import Testing

/// Runs the built `lganalyze` on a database of the samples and checks what each analysis
/// command prints: runs, show, stats, export, query, search and convert. Expected values come
/// from Samples/expected (LangGraph's and langchain_core's own analyses).
@Suite struct AnalysisCommandTests {
  private static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  private static let samples = root.appendingPathComponent("Samples")

  /// The run of Samples/sse/react_messages_tuple.sse and of Samples/sse/failing_error.sse.
  private static let reactRun = "01a20557-41a8-737c-9817-1262f25d13f1"
  private static let failedRun = "01a20557-a042-7610-8d1f-df233c579166"

  private let folder: URL
  private let database: String

  init() throws {
    folder = try TestScratch.folder("analysis")
    database = folder.appendingPathComponent("t.db").path
    let ingest = try Self.run(["ingest", "-q", "--db", database, Self.samples.path + "/sse"])
    #expect(ingest.status == 0, "\(ingest.stderr)")
  }

  // MARK: - Running the binary

  private struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Runs `lganalyze`; its standard output goes to `standardOutput` when given (and then
  /// reads as empty), else to a pipe.
  private static func run(
    _ arguments: [String], environment: [String: String] = [:],
    standardOutput: FileHandle? = nil
  ) throws -> Outcome {
    let process = Process()
    process.executableURL = try BuiltExecutable.url()
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { $1 }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = standardOutput ?? out
    process.standardError = err
    try process.run()
    if standardOutput != nil { try? out.fileHandleForWriting.close() }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Outcome(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  private func lganalyze(_ arguments: String...) throws -> Outcome {
    try Self.run(arguments + ["--db", database])
  }

  private static func expected(_ file: String) throws -> [String: Any] {
    let data = try Data(contentsOf: samples.appendingPathComponent("expected/\(file).json"))
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let runs = try #require(object["runs"] as? [[String: Any]])
    return try #require(runs.first)
  }

  private static func jsonArray(_ text: String) throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
  }

  // MARK: - runs

  @Test func runsListsEveryRunWithItsCounts() throws {
    let outcome = try lganalyze("runs", "--format", "json")
    #expect(outcome.status == 0)
    let rows = try Self.jsonArray(outcome.stdout)
    #expect(rows.count == 18)
    let react = try #require(rows.first { $0["run_id"] as? String == Self.reactRun })
    let expected = try Self.expected("sse/react_messages_tuple.sse")
    #expect(react["events"] as? Int == expected["events"] as? Int)
    #expect(react["messages"] as? Int == (expected["messages"] as? [Any])?.count)
    #expect(react["tool_calls"] as? Int == (expected["tool_calls"] as? [Any])?.count)
    #expect(react["graph"] as? String == "react")
    #expect((react["started"] as? String)?.hasPrefix("2026-11-22T22:18:54") == true)
  }

  @Test func runsFiltersByStatusAndLimits() throws {
    let failed = try Self.jsonArray(
      try lganalyze("runs", "--status", "error", "--format", "json").stdout)
    #expect(failed.map { $0["run_id"] as? String } == [Self.failedRun])
    let interrupted = try Self.jsonArray(
      try lganalyze("runs", "--status", "interrupted", "--format", "json").stdout)
    #expect(interrupted.count == 1)
    #expect(
      try Self.jsonArray(try lganalyze("runs", "--limit", "3", "--format", "json").stdout).count
        == 3)
    #expect(try lganalyze("runs", "--status", "bogus").status == 2)
  }

  @Test(arguments: [
    ["runs", "--limit=-1"], ["runs", "--limit", "0"], ["search", "quota", "--limit", "0"],
    ["search", "quota", "--limit=-1"],
  ])
  func runsAndSearchRefuseALimitBelowOneAlike(_ arguments: [String]) throws {
    let outcome = try Self.run(arguments + ["--db", database])
    #expect(outcome.status == 2, "\(outcome.stderr)")
    #expect(outcome.stderr.contains("--limit must be at least 1"), "\(outcome.stderr)")
    #expect(outcome.stdout.isEmpty)
  }

  @Test(arguments: [
    (["search", ""], "give at least one word"), (["search", " ", ""], "give at least one word"),
    (["show", ""], "the run id is empty"), (["export", ""], "the run id is empty"),
    (["stats", "--run", ""], "the run id is empty"),
    (["runs", "--since", "2026-02-30"], "--since takes a day or time that exists"),
    (["runs", "--since", "2026-02-29"], "--since takes a day or time that exists"),
    (["runs", "--since", "2026-11-22T25:00:00Z"], "--since takes a day or time that exists"),
    (["runs", "--since", "2026-11-22T22:60:00Z"], "--since takes a day or time that exists"),
  ])
  func emptyWordsAndIdsAndDaysThatDoNotExistAreUsageErrors(
    _ arguments: [String], _ message: String
  ) throws {
    let outcome = try Self.run(arguments + ["--db", database])
    #expect(outcome.status == 2, "\(outcome.stdout)\(outcome.stderr)")
    #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    #expect(outcome.stdout.isEmpty)
  }

  @Test func runsSinceTakesLeapDaysAndTimes() throws {
    let all = try Self.jsonArray(try lganalyze("runs", "--format", "json").stdout)
    let leap = try lganalyze("runs", "--since", "2024-02-29", "--format", "json")
    #expect(leap.status == 0, "\(leap.stderr)")
    #expect(try Self.jsonArray(leap.stdout).count == all.count)
    let later = try lganalyze("runs", "--since", "2026-11-22T22:19:18Z", "--format", "json")
    #expect(later.status == 0, "\(later.stderr)")
    let laterRuns = try Self.jsonArray(later.stdout)
    #expect(laterRuns.contains { $0["run_id"] as? String == Self.failedRun })
    #expect(laterRuns.count < all.count)
    #expect(laterRuns.allSatisfy { ($0["started"] as? String ?? "") >= "2026-11-22T22:19:18" })
  }

  @Test func runsPrintsCSVAndTables() throws {
    let csv = try lganalyze("runs", "--format", "csv").stdout
    let lines = csv.split(separator: "\r\n")
    #expect(
      lines.first
        == "run_id,attempt,graph,status,damaged,started,events,messages,tool_calls,tokens,source")
    #expect(lines.count == 19)
    let table = try lganalyze("runs", "--format", "table").stdout
    #expect(table.contains(Self.failedRun))
    #expect(table.split(separator: "\n")[1].allSatisfy { $0 == "-" || $0 == " " })
  }

  // MARK: - show

  @Test func showRendersTheConversationWithToolResults() throws {
    let outcome = try Self.run(
      ["show", "01a20557-41a8", "--db", database], environment: ["NO_COLOR": "1"])
    #expect(outcome.status == 0)
    #expect(outcome.stdout.contains(Self.reactRun))
    #expect(outcome.stdout.contains("get_weather"))
    #expect(outcome.stdout.contains("It is sunny in San Francisco, 24 °C."))
    #expect(outcome.stdout.contains("Here is the summary"))
    #expect(!outcome.stdout.contains("\u{1B}["), "no colour when piped")
  }

  @Test func showEndsAFailedRunWithItsError() throws {
    let outcome = try lganalyze("show", "01a20557-a042")
    #expect(outcome.stdout.contains("ValueError: upstream tool exploded: quota exceeded"))
  }

  @Test func ambiguousAndUnknownPrefixesAreErrors() throws {
    let ambiguous = try lganalyze("show", "01a2")
    #expect(ambiguous.status != 0)
    #expect(ambiguous.stderr.contains("ambiguous"))
    let unknown = try lganalyze("show", "ffff")
    #expect(unknown.status != 0)
    #expect(unknown.stderr.contains("no run id starts with 'ffff'"))
  }

  // MARK: - stats

  @Test func statsByNodeMatchTheExpectedNodeFigures() throws {
    let rows = try Self.jsonArray(
      try lganalyze("stats", "--by", "node", "--run", "01a20557-41a8", "--format", "json").stdout)
    let expected = try Self.expected("sse/react_messages_tuple.sse")
    let nodeStats = try #require(expected["node_stats"] as? [String: [String: Int]])
    for (node, figures) in nodeStats {
      let row = try #require(rows.first { $0["node"] as? String == node })
      #expect(row["chunks"] as? Int == figures["chunks"], "node \(node)")
      #expect(row["total_tokens"] as? Int == figures["total_tokens"], "node \(node)")
      #expect(row["messages"] as? Int == figures["messages"], "node \(node)")
    }
  }

  @Test func statsByModelCountsEachMessageOnce() throws {
    let rows = try Self.jsonArray(
      try lganalyze("stats", "--by", "model", "--format", "json").stdout)
    let all = try Self.jsonArray(
      try lganalyze("query", "SELECT COUNT(*) AS n FROM messages", "--format", "json").stdout)
    #expect(rows.reduce(0) { $0 + ($1["messages"] as? Int ?? 0) } == all.first?["n"] as? Int)
    #expect(rows.contains { $0["model"] as? String == "claude-scripted" })
  }

  // MARK: - export

  @Test func exportJSONHasTheDocumentedShape() throws {
    let outcome = try lganalyze("export", "01a20557-41a8", "--format", "json")
    #expect(outcome.status == 0)
    let runs = try Self.jsonArray(outcome.stdout)
    let run = try #require(runs.first)
    #expect(run["run_id"] as? String == Self.reactRun)
    #expect(run["status"] as? String == "success")
    let messages = try #require(run["messages"] as? [[String: Any]])
    let expected = try Self.expected("sse/react_messages_tuple.sse")
    let expectedMessages = try #require(expected["messages"] as? [[String: Any]])
    #expect(messages.map { $0["id"] as? String } == expectedMessages.map { $0["id"] as? String })
    #expect(
      messages.map { $0["content"] as? String } == expectedMessages.map { $0["text"] as? String })
    let calls = try #require(messages.first?["tool_calls"] as? [[String: Any]])
    #expect(calls.first?["name"] as? String == "get_weather")
    #expect((calls.first?["args"] as? [String: Any])?["city"] as? String == "San Francisco")
  }

  @Test func exportWritesFilesOnlyWithForceToOverwrite() throws {
    let out = folder.appendingPathComponent("runs.html").path
    #expect(try lganalyze("export", "--all", "--format", "html", "--out", out).status == 0)
    let html = try String(contentsOfFile: out, encoding: .utf8)
    #expect(html.contains("<html"))
    #expect(html.contains("quota exceeded"))
    let again = try lganalyze("export", "--all", "--format", "html", "--out", out)
    #expect(again.status == 2)
    #expect(again.stderr.contains("--force"))
    #expect(
      try lganalyze("export", "--all", "--format", "csv", "--out", out, "--force").status == 0)
    #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("run_id,"))
  }

  @Test func aRunNamedTwiceIsExportedOnce() throws {
    let outcome = try lganalyze(
      "export", "01a20557-41a8", Self.reactRun, Self.failedRun, "01a20557-41a8", "--format",
      "json")
    #expect(outcome.status == 0, "\(outcome.stderr)")
    let ids = try Self.jsonArray(outcome.stdout).map { $0["run_id"] as? String }
    #expect(ids == [Self.reactRun, Self.failedRun])
  }

  @Test func exportJSONLIsOneRunALine() throws {
    let lines = try lganalyze("export", "--all", "--format", "jsonl").stdout
      .split(separator: "\n")
    #expect(lines.count == 18)
    for line in lines {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      #expect(object?["run_id"] is String)
    }
  }

  // MARK: - Failures while running

  @Test func aFileThatCannotBeReadOrWrittenIsARuntimeErrorNamingIt() throws {
    let missingSQL = folder.appendingPathComponent("nosuch.sql").path
    let missingFolder = folder.appendingPathComponent("no/such/folder/x.md").path
    let cases: [(arguments: [String], path: String, reason: String)] = [
      (["query", missingSQL], missingSQL, "no such file or directory"),
      (["export", Self.reactRun, "--out", missingFolder], missingFolder, "no such file"),
      (["export", "--all", "--out", folder.path, "--force"], folder.path, "is a directory"),
    ]
    for (arguments, path, reason) in cases {
      let outcome = try Self.run(arguments + ["--db", database])
      #expect(outcome.status == 1, "\(arguments): \(outcome.stderr)")
      let lines = outcome.stderr.split(separator: "\n")
      #expect(lines.count == 1, "\(arguments): \(outcome.stderr)")
      #expect(lines.first?.contains(path) == true, "\(arguments): \(outcome.stderr)")
      #expect(lines.first?.contains(reason) == true, "\(arguments): \(outcome.stderr)")
      #expect(!outcome.stderr.contains("Usage"), "\(arguments): \(outcome.stderr)")
    }
  }

  @Test(arguments: [
    ["export", "--all"], ["export", reactRun, "--format", "json"], ["runs", "--format", "json"],
    ["show", reactRun], ["stats"], ["query", "SELECT 1"], ["search", "quota"],
    ["convert", samples.appendingPathComponent("sse/weather_values.sse").path, "--to", "sse"],
  ])
  func standardOutputThatCannotBeWrittenIsAnError(_ arguments: [String]) throws {
    // A descriptor open only for reading refuses every write (EBADF), as a full disk would.
    let readOnly = try FileHandle(forReadingFrom: URL(fileURLWithPath: database))
    defer { try? readOnly.close() }
    let database = arguments.first == "convert" ? [] : ["--db", database]
    let outcome = try Self.run(arguments + database, standardOutput: readOnly)
    #expect(outcome.status == 1, "\(outcome.stderr)")
    #expect(outcome.stderr.contains("cannot write to standard output"), "\(outcome.stderr)")
  }

  @Test func anIngestWhoseNotesCannotBeWrittenStoresItsInputsAndSaysSo() throws {
    let readOnly = try FileHandle(forReadingFrom: URL(fileURLWithPath: database))
    defer { try? readOnly.close() }
    let other = folder.appendingPathComponent("other.db").path
    let outcome = try Self.run(
      [
        "ingest", "--db", other, Self.samples.appendingPathComponent("sse/weather_values.sse").path,
      ],
      standardOutput: readOnly)
    #expect(outcome.status == 1, "\(outcome.stderr)")
    #expect(outcome.stderr.contains("cannot write to standard output"), "\(outcome.stderr)")
    let runs = try Self.run(["runs", "--db", other, "--format", "json"])
    #expect(try Self.jsonArray(runs.stdout).count == 1)
  }

  @Test func aDashAsOutIsStandardOutput() throws {
    let input = Self.samples.appendingPathComponent("sse/weather_values.sse").path
    let outcome = try Self.run(["convert", input, "--to", "sse", "--out", "-"])
    #expect(outcome.status == 0, "\(outcome.stderr)")
    #expect(outcome.stdout.contains("event: metadata"))
    #expect(!FileManager.default.fileExists(atPath: "-"))
    let export = try lganalyze("export", Self.reactRun, "--out", "-", "--format", "json")
    #expect(try Self.jsonArray(export.stdout).count == 1)
  }

  @Test func aPipeNamedByOutIsWrittenToAndNotReplacedByAFile() throws {
    let fifo = folder.appendingPathComponent("pipe").path
    try #require(mkfifo(fifo, 0o600) == 0)
    // Opened without waiting for a writer; read once lganalyze has written and gone.
    let descriptor = open(fifo, O_RDONLY | O_NONBLOCK)
    try #require(descriptor >= 0)
    let reader = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    let input = Self.samples.appendingPathComponent("sse/weather_values.sse").path
    let outcome = try Self.run(["convert", input, "--to", "jsonl", "--out", fifo, "--force"])
    #expect(outcome.status == 0, "\(outcome.stderr)")
    let received = String(decoding: try reader.readToEnd() ?? Data(), as: UTF8.self)
    #expect(received.hasPrefix(#"{"event":"metadata""#), "\(received)")
    let type = try FileManager.default.attributesOfItem(atPath: fifo)[.type] as? FileAttributeType
    #expect(type != .typeRegular)
  }

  @Test(.enabled(if: Self.isCharacterDevice("/dev/full")))
  func aFullDeviceNamedByOutIsAnError() throws {
    let input = Self.samples.appendingPathComponent("sse/weather_values.sse").path
    let outcome = try Self.run(["convert", input, "--to", "jsonl", "--out", "/dev/full", "--force"])
    #expect(outcome.status == 1)
    #expect(outcome.stderr.contains("cannot write /dev/full: no space left on device"))
    #expect(Self.isCharacterDevice("/dev/full"))
  }

  private static func isCharacterDevice(_ path: String) -> Bool {
    let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
    return type == .typeCharacterSpecial
  }

  // MARK: - query

  @Test func queryAnswersSQLAndRefusesToWrite() throws {
    let rows = try Self.jsonArray(
      try lganalyze(
        "query", "SELECT status, COUNT(*) AS n FROM runs GROUP BY status ORDER BY status",
        "--format", "json"
      ).stdout)
    #expect(rows.first { $0["status"] as? String == "error" }?["n"] as? Int == 1)
    let write = try lganalyze("query", "DELETE FROM runs")
    #expect(write.status == 1)
    #expect(write.stderr.contains("query is read-only; "), "\(write.stderr)")
    let two = try lganalyze("query", "SELECT 1; DELETE FROM runs")
    #expect(two.status == 1)
    #expect(two.stderr.contains("query runs one statement; "), "\(two.stderr)")
    #expect(!two.stderr.contains("Database.execute"), "\(two.stderr)")
    let count = try Self.jsonArray(
      try lganalyze("query", "SELECT COUNT(*) AS n FROM runs", "--format", "json").stdout)
    #expect(count.first?["n"] as? Int == 18)
  }

  @Test func queryTablesKeepTextWithAccentsAndEmojiWholeAndAligned() throws {
    let weather = "It is sunny in São Paulo 🌧️, 24 °C."
    let outcome = try lganalyze(
      "query", "SELECT '\(weather)' AS answer, 1 AS n UNION ALL SELECT '東京', 2",
      "--format", "table")
    #expect(outcome.status == 0, "\(outcome.stderr)")
    let lines = outcome.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 4, "\(outcome.stdout)")
    #expect(lines.contains(weather + "  1"), "\(outcome.stdout)")
    // 東京 takes four of the answer column's 35 terminal columns.
    #expect(lines.contains("東京" + String(repeating: " ", count: 31 + 2) + "2"), "\(outcome.stdout)")
  }

  @Test func queryRunsACannedQueryFile() throws {
    let file = Self.root.appendingPathComponent("Queries/failed_and_interrupted_runs.sql").path
    let rows = try Self.jsonArray(try lganalyze("query", file, "--format", "json").stdout)
    #expect(rows.contains { $0["run_id"] as? String == Self.failedRun })
  }

  // MARK: - search

  @Test func searchFindsMessagesToolCallsAndErrors() throws {
    let error = try Self.jsonArray(
      try lganalyze("search", "quota", "exceeded", "--format", "json").stdout)
    #expect(error.first?["run_id"] as? String == Self.failedRun)
    #expect((error.first?["snippet"] as? String)?.contains("[quota]") == true)
    let tool = try Self.jsonArray(try lganalyze("search", "Paulo", "--format", "json").stdout)
    #expect(tool.contains { $0["kind"] as? String == "tool_call" })
    #expect(tool.contains { $0["kind"] as? String == "tool" })
    #expect(
      try Self.jsonArray(try lganalyze("search", "xylophone", "--format", "json").stdout).isEmpty)
  }

  // MARK: - convert

  @Test(arguments: ["sse", "jsonl", "transcript"])
  func convertRoundTripsThroughEachFormat(_ format: String) throws {
    let input = Self.samples.appendingPathComponent("transcripts/react_messages_tuple.py.txt").path
    let converted = folder.appendingPathComponent("converted.\(format)").path
    let conversion = try Self.run(["convert", input, "--to", format, "--out", converted])
    #expect(conversion.status == 0, "\(conversion.stderr)")
    let original = folder.appendingPathComponent("original.db").path
    let roundTrip = folder.appendingPathComponent("round-trip-\(format).db").path
    #expect(try Self.run(["ingest", "-q", "--db", original, input]).status == 0)
    #expect(try Self.run(["ingest", "-q", "--db", roundTrip, converted]).status == 0)
    let sql = """
      SELECT r.run_id, r.status, r.event_count,
             (SELECT group_concat(message_id || ':' || type || ':' || content || ':' || tool_calls, '|')
                FROM (SELECT * FROM messages m WHERE m.run_id = r.run_id ORDER BY position)) AS m,
             (SELECT group_concat(name || args || COALESCE(result, ''), '|')
                FROM (SELECT * FROM tool_calls t WHERE t.run_id = r.run_id ORDER BY rowid)) AS t,
             (SELECT group_concat(data, '|')
                FROM (SELECT data FROM events e WHERE e.run_id = r.run_id ORDER BY seq)) AS e
        FROM runs r
      """
    let before = try Self.run(["query", sql, "--db", original, "--format", "json"]).stdout
    let after = try Self.run(["query", sql, "--db", roundTrip, "--format", "json"]).stdout
    #expect(!before.isEmpty && before == after)
  }
}
