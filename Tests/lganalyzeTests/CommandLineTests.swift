import Foundation
import LGAnalyzeCore
import Testing

/// Runs the built `lganalyze ingest` as a separate process on the sample corpus and checks what
/// a person sees: exit statuses (0 clean, 1 for inputs with errors, 2 for usage errors), the
/// summaries on stdout and stderr, how the database is chosen (`--db`, LGANALYZE_DB, the
/// default), standard input, files in a directory that are not captures, and that ingesting
/// the same files again adds nothing. Expected figures come from Samples/expected.
@Suite struct CommandLineTests {
  private static let samples = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Samples")

  /// A folder of this test's own, also the working directory of the processes it starts.
  private let folder: URL

  init() throws {
    folder = try TestScratch.folder("cli")
  }

  // MARK: - ingest on the samples

  @Test func ingestingEverySSECaptureSucceedsAndSaysWhatItRead() throws {
    let database = path("t.db")
    let files = try Self.sampleFiles(in: "sse")
    let result = try lganalyze(["ingest", "--db", database, Self.sample("sse")])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.isEmpty)

    var runs = 0
    var events = 0
    let lines = result.stdout.split(separator: "\n").map(String.init)
    for file in files {
      let expected = try Self.expectedRuns(file)
      let fileEvents = expected.reduce(0) { $0 + ($1["events"] as? Int ?? 0) }
      runs += expected.count
      events += fileEvents
      // A line per file, naming it, with what it held.
      let line = lines.first { $0.contains(Self.sample(file)) }
      #expect(line?.contains("\(fileEvents) event") == true, "\(file): \(line ?? "no line")")
    }
    let summary = try #require(lines.last)
    #expect(summary.contains("\(files.count) file"), "\(summary)")
    #expect(summary.contains("\(runs) run"), "\(summary)")
    #expect(summary.contains("\(events) event"), "\(summary)")
    #expect(summary.contains(database), "\(summary)")

    let counts = try Self.counts(database)
    #expect(counts["sources"] == files.count)
    #expect(counts["runs"] == runs)
    #expect(counts["events"] == events)
    #expect(counts["ingest_errors"] == 0)
  }

  @Test func damagedCapturesExitWithOneAndAreNamedOnStderrWithTheirLine() throws {
    let database = path("t.db")
    let result = try lganalyze(["ingest", "--db", database, Self.sample("edge")])
    #expect(result.status == 1)

    // Damaged: the files whose expected analysis has an ingest error or a cut-off run.
    var damaged: [String: Int] = [:]
    for file in try Self.sampleFiles(in: "edge") {
      let object = try Self.expected(file)
      let errors = (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int }
      let runs = object["runs"] as? [[String: Any]] ?? []
      if let line = errors.first {
        damaged[file] = line
      } else if runs.contains(where: { $0["status"] as? String == "incomplete" }) {
        damaged[file] = try Self.lineCount(of: file)  // cut off in its last line
      }
    }
    #expect(damaged.count == 2, "\(damaged)")

    let errorLines = result.stderr.split(separator: "\n").map(String.init)
    #expect(errorLines.count == damaged.count, "\(result.stderr)")
    for (file, line) in damaged {
      let matching = errorLines.filter { $0.contains(Self.sample(file)) }
      #expect(matching.count == 1, "\(file): \(result.stderr)")
      #expect(matching.first?.contains("line \(line)") == true, "\(file): \(result.stderr)")
    }
    // The clean captures are reported on stdout and were all stored.
    for file in try Self.sampleFiles(in: "edge") where damaged[file] == nil {
      #expect(result.stdout.contains(Self.sample(file)), "\(file): \(result.stdout)")
      #expect(!result.stderr.contains(Self.sample(file)))
    }
    let counts = try Self.counts(database)
    #expect(counts["sources"] == 5)
    #expect(counts["ingest_errors"] == damaged.count)
  }

  /// A run held twice in one file (`cat a.sse a.sse`) gives a note, not an error: the file is
  /// stored whole, so ingest exits with 0, and the note still goes to stderr, also with -q. The
  /// summaries say the run was held twice, and count it once.
  @Test func aFileWithOnlyNotesIsStoredAndExitsWithZero() throws {
    let once = try Data(contentsOf: Self.samples.appendingPathComponent("sse/weather_values.sse"))
    let twice = path("twice.sse")
    try (once + once).write(to: URL(fileURLWithPath: twice))
    let noteLine = try Self.lineCount(of: "sse/weather_values.sse") + 1
    let database = path("t.db")
    let result = try lganalyze(["ingest", "--db", database, twice])
    #expect(result.status == 0, "\(result.stderr)")
    let note = result.stderr.split(separator: "\n").map(String.init)
    #expect(note.count == 1, "\(result.stderr)")
    #expect(note.first?.hasPrefix(twice) == true, "\(result.stderr)")
    #expect(note.first?.contains("1 note(s) at line \(noteLine)") == true, "\(result.stderr)")
    #expect(note.first?.contains("error(s)") == false, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    // The database was new: the run is held twice in the file, not already stored.
    let events = try Self.expectedRuns("sse/weather_values.sse").first?["events"] as? Int ?? -1
    #expect(
      note.first?.contains("(1 held twice in the file; 1 run(s), \(events) event(s) added)")
        == true, "\(result.stderr)")
    #expect(
      lines.last
        == "1 file(s), 1 run(s), \(events) event(s) stored into \(database); "
        + "1 run(s) held twice in a file, kept once; 1 file(s) with notes", "\(result.stdout)")
    #expect(!(result.stdout + result.stderr).contains("already stored"), "\(result.stdout)")
    let counts = try Self.counts(database)
    #expect(counts["runs"] == 1)
    #expect(counts["ingest_errors"] == 1)

    let quiet = try lganalyze(["ingest", "-q", "--db", path("quiet.db"), twice])
    #expect(quiet.status == 0, "\(quiet.stderr)")
    #expect(quiet.stdout.isEmpty)
    #expect(quiet.stderr == result.stderr)
  }

  @Test func aMissingInputExitsWithOneAndIsNamed() throws {
    let database = path("t.db")
    let missing = path("no-such-capture.sse")
    let result = try lganalyze([
      "ingest", "--db", database, Self.sample("sse/weather_values.sse"), missing,
    ])
    #expect(result.status == 1)
    #expect(result.stderr.contains(missing), "\(result.stderr)")
    // The input that exists was stored all the same.
    #expect(try Self.counts(database)["sources"] == 1)
  }

  @Test func anUnknownOptionIsAUsageErrorWithStatusTwo() throws {
    let database = path("t.db")
    let result = try lganalyze([
      "ingest", "--db", database, "--no-such-option", Self.sample("sse/weather_values.sse"),
    ])
    #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
    #expect(result.stderr.contains("--no-such-option"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: database))
  }

  @Test(arguments: [
    ["ingest"], ["ingest", "--jobs", "0", "-"], ["ingest", "--jobs", "257", "-"],
    ["ingest", "--jobs", "9223372036854775807", "-"], ["ingest", "-", "-"], ["no-such-command"],
  ])
  func otherUsageErrorsExitWithTwoAndTouchNoDatabase(_ arguments: [String]) throws {
    let database = path("t.db")
    let result = try lganalyze(arguments, environment: ["LGANALYZE_DB": database])
    #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
    #expect(!result.stderr.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: database))
  }

  @Test func standardInputNamedTwiceIsRefusedAsSuch() throws {
    let result = try lganalyze(["ingest", "--db", path("t.db"), "-", "-"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("can be read only once"), "\(result.stderr)")
  }

  @Test func anInputThatCannotBeOpenedIsReportedWithTheSystemsReason() throws {
    let first = path("loop-a.sse")
    let second = path("loop-b.sse")
    try FileManager.default.createSymbolicLink(atPath: first, withDestinationPath: second)
    try FileManager.default.createSymbolicLink(atPath: second, withDestinationPath: first)
    let result = try lganalyze(["ingest", "--db", path("t.db"), first])
    #expect(result.status == 1)
    let line = result.stderr.split(separator: "\n").first { $0.contains(first) }
    #expect(line?.contains("Too many levels of symbolic links") == true, "\(result.stderr)")
  }

  @Test func aNamedFileThatIsNoCaptureIsAnErrorAtTheLineIngestErrorsRecords() throws {
    let page = path("page.html")
    try Data("\n  \n<html><body>502 Bad Gateway</body></html>\n".utf8)
      .write(to: URL(fileURLWithPath: page))
    let database = path("t.db")
    let result = try lganalyze(["ingest", "--db", database, page])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains("\(page): line 3: not a saved LangGraph stream"), "\(result.stderr)")
    let store = try RunStore.openReadOnly(path: database)
    #expect(try store.table(sql: "SELECT line FROM ingest_errors").rows == [[.number("3")]])
  }

  // MARK: - Choosing the database

  @Test func theDatabaseOptionWinsOverTheEnvironment() throws {
    let fromOption = path("option.db")
    let fromEnvironment = path("environment.db")
    let result = try lganalyze(
      ["ingest", "--db", fromOption, Self.sample("sse/weather_values.sse")],
      environment: ["LGANALYZE_DB": fromEnvironment])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try Self.counts(fromOption)["runs"] == 1)
    #expect(!FileManager.default.fileExists(atPath: fromEnvironment))
    #expect(!FileManager.default.fileExists(atPath: path("lganalyze.db")))
  }

  @Test func theEnvironmentChoosesTheDatabaseWithoutTheOption() throws {
    let fromEnvironment = path("environment.db")
    let result = try lganalyze(
      ["ingest", Self.sample("sse/weather_values.sse")],
      environment: ["LGANALYZE_DB": fromEnvironment])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try Self.counts(fromEnvironment)["runs"] == 1)
    #expect(!FileManager.default.fileExists(atPath: path("lganalyze.db")))
  }

  @Test func withoutOptionOrEnvironmentTheDatabaseIsInTheWorkingDirectory() throws {
    let result = try lganalyze(["ingest", Self.sample("sse/weather_values.sse")])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try Self.counts(path("lganalyze.db"))["runs"] == 1)
  }

  // MARK: - Standard input

  @Test(arguments: ["sse/weather_values.sse", "transcripts/weather_updates.awk.txt"])
  func standardInputIsReadForADash(_ file: String) throws {
    let database = path("t.db")
    let bytes = try Data(contentsOf: Self.samples.appendingPathComponent(file))
    let result = try lganalyze(["ingest", "--db", database, "-"], input: bytes)
    #expect(result.status == 0, "\(result.stderr)")

    let expected = try Self.expectedRuns(file)
    let store = try RunStore.openReadOnly(path: database)
    let sources = try store.table(sql: "SELECT path, format, bytes FROM sources").rows
    #expect(sources.count == 1)
    #expect(sources.first?[0].stringValue == "-")
    let format = file.hasPrefix("sse/") ? "sse" : "transcript"
    #expect(sources.first?[1].stringValue?.hasPrefix(format) == true, "\(sources)")
    #expect(sources.first?[2].intValue == bytes.count)
    let runs = try store.table(sql: "SELECT run_id, event_count FROM runs").rows
    #expect(runs.map { $0[0].stringValue } == expected.map { $0["run_id"] as? String })
    #expect(runs.map { $0[1].intValue } == expected.map { $0["events"] as? Int })
  }

  // MARK: - Directories

  @Test func aFileThatIsNoCaptureIsSkippedInADirectoryWithANote() throws {
    let inputs = folder.appendingPathComponent("inputs")
    try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      at: Self.samples.appendingPathComponent("sse/weather_values.sse"),
      to: inputs.appendingPathComponent("weather_values.sse"))
    let readme = inputs.appendingPathComponent("README.txt")
    try Data("These captures were saved with curl -N on Tuesday.\n".utf8).write(to: readme)

    let database = path("t.db")
    let result = try lganalyze(["ingest", "--db", database, inputs.path])
    #expect(result.status == 0, "\(result.stderr)")
    let note = result.stdout.split(separator: "\n").first { $0.contains("README.txt") }
    #expect(note?.contains("skip") == true, "\(result.stdout)")
    #expect(!result.stderr.contains("README.txt"))

    let counts = try Self.counts(database)
    #expect(counts["sources"] == 1)
    #expect(counts["runs"] == 1)
    #expect(counts["ingest_errors"] == 0)
  }

  @Test func theClosingLineCountsWhatWasStoredAndWhatWasLeftOut() throws {
    // The same run saved twice (an awk transcript, then SSE), and a file that is no capture.
    let inputs = folder.appendingPathComponent("inputs")
    try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
    for file in ["sse/joke_custom.sse", "transcripts/joke_custom.awk.txt"] {
      try FileManager.default.copyItem(
        at: Self.samples.appendingPathComponent(file),
        to: inputs.appendingPathComponent(URL(fileURLWithPath: file).lastPathComponent))
    }
    try Data("notes, not a capture\n".utf8).write(to: inputs.appendingPathComponent("notes.txt"))
    let events = try Self.expectedRuns("transcripts/joke_custom.awk.txt").first?["events"] as? Int
    let database = path("t.db")

    let first = try lganalyze(["ingest", "--db", database, inputs.path])
    #expect(first.status == 0, "\(first.stderr)")
    let lines = first.stdout.split(separator: "\n").map(String.init)
    let copyLine = lines.first { $0.contains("joke_custom.sse") }
    #expect(copyLine?.hasSuffix("(1 already stored; nothing added)") == true, "\(first.stdout)")
    #expect(
      lines.last
        == "2 file(s), 1 run(s), \(events ?? -1) event(s) stored into \(database); "
        + "1 run(s) were already stored; 1 file(s) skipped, not captures", "\(first.stdout)")
    let counts = try Self.counts(database)
    #expect(counts["runs"] == 1)
    #expect(counts["events"] == events)

    let second = try lganalyze(["ingest", "--db", database, inputs.path])
    #expect(
      second.stdout.split(separator: "\n").map(String.init).last
        == "0 file(s), 0 run(s), 0 event(s) stored into \(database); "
        + "2 file(s) already ingested; 1 file(s) skipped, not captures", "\(second.stdout)")
  }

  // MARK: - Ingesting again

  @Test func ingestingTheSameFilesTwiceAddsNoRows() throws {
    let database = path("t.db")
    let inputs = [Self.sample("sse"), Self.sample("jsonl"), Self.sample("transcripts")]
    let first = try lganalyze(["ingest", "--db", database] + inputs)
    #expect(first.status == 0, "\(first.stderr)")
    let before = try Self.counts(database)
    #expect((before["runs"] ?? 0) > 0)

    let second = try lganalyze(["ingest", "--db", database] + inputs)
    #expect(second.status == 0, "\(second.stderr)")
    #expect(try Self.counts(database) == before)
    // Every file is named as already ingested.
    let files = try ["sse", "jsonl", "transcripts"].flatMap(Self.sampleFiles(in:))
    let lines = second.stdout.split(separator: "\n")
    for file in files {
      let line = lines.first { $0.contains(Self.sample(file)) }
      #expect(line?.contains("already") == true, "\(file): \(second.stdout)")
    }
  }

  // MARK: - Running lganalyze

  private typealias Outcome = ProcessOutcome

  private func path(_ name: String) -> String {
    folder.appendingPathComponent(name).path
  }

  /// Runs `lganalyze` in this test's folder, LGANALYZE_DB unset unless `environment` sets it,
  /// with `input` on standard input through a pipe.
  private func lganalyze(
    _ arguments: [String], environment: [String: String] = [:], input: Data? = nil
  ) throws -> Outcome {
    try BuiltExecutable.run(arguments, in: folder, environment: environment, input: input)
  }

  // MARK: - Samples and databases

  /// The absolute path of a file or folder below Samples/.
  private static func sample(_ file: String) -> String {
    samples.appendingPathComponent(file).path
  }

  /// The captures in a Samples folder, as paths below Samples/, sorted.
  private static func sampleFiles(in folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: sample(folder))
      .filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
  }

  /// The expected analysis of a sample file.
  private static func expected(_ file: String) throws -> [String: Any] {
    let data = try Data(contentsOf: samples.appendingPathComponent("expected/\(file).json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  private static func expectedRuns(_ file: String) throws -> [[String: Any]] {
    try expected(file)["runs"] as? [[String: Any]] ?? []
  }

  /// The number of lines in a sample (a last line without a line break counts).
  private static func lineCount(of file: String) throws -> Int {
    let bytes = try Data(contentsOf: samples.appendingPathComponent(file))
    let breaks = bytes.filter { $0 == 0x0A }.count
    return bytes.last == 0x0A ? breaks : breaks + 1
  }

  /// The rows in each table an ingest writes to, in the database at `path`.
  private static func counts(_ path: String) throws -> [String: Int] {
    let store = try RunStore.openReadOnly(path: path)
    var counts: [String: Int] = [:]
    for table in [
      "sources", "runs", "events", "message_chunks", "messages", "tool_calls", "ingest_errors",
    ] {
      let rows = try store.table(sql: "SELECT COUNT(*) FROM \(table)").rows
      counts[table] = rows.first?.first?.intValue
    }
    return counts
  }
}
