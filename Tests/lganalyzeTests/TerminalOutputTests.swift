import Foundation
import Testing

/// What lganalyze prints from the data when its output is a terminal: no control character,
/// escape sequence or bidirectional override from a capture reaches it, whichever command
/// prints and whatever the format. Files and pipes get the data exactly.
@Suite struct TerminalOutputTests {
  /// A run whose message holds a colour code, a window-title OSC and a right-to-left
  /// override, then an event whose name holds a colour code and whose data does not parse.
  private static let capture = """
    event: metadata
    data: {"run_id":"01a20560-0000-7000-8000-0000000000e5","attempt":1}

    event: values
    data: {"messages":[{"content":"red \\u001b[31mALERT\\u001b[0m title \\u001b]0;pwned\\u0007 bidi \\u202egnp.exe","type":"human","id":"h1"}]}

    event: \u{1B}[31mX
    data: {bad


    """
  private static let runID = "01a20560-0000-7000-8000-0000000000e5"
  /// What must not reach a terminal from the data: ESC, BEL and the override.
  private static let forbidden: [Unicode.Scalar] = ["\u{1B}", "\u{07}", "\u{202E}"]

  private let folder: URL
  private let database: String
  private let input: String

  init() throws {
    folder = try TestScratch.folder("terminal")
    database = folder.appendingPathComponent("t.db").path
    input = folder.appendingPathComponent("hostile.sse").path
    try Data(Self.capture.utf8).write(to: URL(fileURLWithPath: input))
    let ingest = try run(["ingest", "-q", "--db", database, input])
    #expect(ingest.status == 1, "the bad event is an error: \(ingest.stderr)")
  }

  private struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Runs lganalyze with standard output, or standard error, on a pseudo-terminal.
  private func run(
    _ arguments: [String], terminalOutput: Bool = false, terminalError: Bool = false
  ) throws -> Outcome {
    let process = Process()
    process.executableURL = try BuiltExecutable.url()
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    process.environment = environment
    let terminal = try PseudoTerminal()
    let out = folder.appendingPathComponent(UUID().uuidString + ".out")
    let err = folder.appendingPathComponent(UUID().uuidString + ".err")
    for file in [out, err] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
    let outFile = try FileHandle(forWritingTo: out)
    let errFile = try FileHandle(forWritingTo: err)
    defer {
      try? outFile.close()
      try? errFile.close()
    }
    process.standardOutput = terminalOutput ? terminal.terminal : outFile
    process.standardError = terminalError ? terminal.terminal : errFile
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    let onTerminal = try terminal.output()
    let stdout = try String(contentsOf: out, encoding: .utf8)
    let stderr = try String(contentsOf: err, encoding: .utf8)
    return Outcome(
      status: process.terminationStatus, stdout: terminalOutput ? onTerminal : stdout,
      stderr: terminalError ? onTerminal : stderr)
  }

  private func expectSafe(_ text: String, _ comment: Comment) {
    #expect(!text.unicodeScalars.contains { Self.forbidden.contains($0) }, comment)
  }

  @Test func ingestErrorsOnATerminalQuoteTheDataWithoutEscapes() throws {
    let other = folder.appendingPathComponent("other.db").path
    let onTerminal = try run(["ingest", "-q", "--db", other, input], terminalError: true)
    #expect(onTerminal.status == 1)
    #expect(onTerminal.stderr.contains("hostile.sse"), "\(onTerminal.stderr)")
    expectSafe(onTerminal.stderr, "\(onTerminal.stderr.debugDescription)")
    // Piped, the message quotes the event name as it is.
    let third = folder.appendingPathComponent("third.db").path
    let piped = try run(["ingest", "-q", "--db", third, input])
    #expect(piped.stderr.contains("\u{1B}[31mX"), "\(piped.stderr.debugDescription)")
  }

  @Test(arguments: ["markdown", "json", "csv", "html", "jsonl"])
  func exportToATerminalIsSafeAndToAFileExact(_ format: String) throws {
    let shown = try run(
      ["export", Self.runID, "--format", format, "--db", database], terminalOutput: true)
    #expect(shown.status == 0, "\(shown.stderr)")
    #expect(shown.stdout.contains("ALERT"), "\(shown.stdout)")
    expectSafe(shown.stdout, "\(format): \(shown.stdout.debugDescription)")

    let file = folder.appendingPathComponent("run.\(format)").path
    let written = try run([
      "export", Self.runID, "--format", format, "--db", database, "--out", file,
    ])
    #expect(written.status == 0, "\(written.stderr)")
    #expect(try String(contentsOfFile: file, encoding: .utf8).contains("\u{202E}gnp.exe"))
  }

  @Test(arguments: ["csv", "json", "table"])
  func queryResultsOnATerminalAreSafeAndPipedExact(_ format: String) throws {
    let sql = "SELECT content FROM messages"
    let shown = try run(
      ["query", sql, "--format", format, "--db", database], terminalOutput: true)
    #expect(shown.status == 0, "\(shown.stderr)")
    #expect(shown.stdout.contains("ALERT"), "\(shown.stdout)")
    expectSafe(shown.stdout, "\(format): \(shown.stdout.debugDescription)")

    let piped = try run(["query", sql, "--format", format, "--db", database])
    if format == "csv" {
      #expect(piped.stdout.contains("\u{1B}[31mALERT"), "\(piped.stdout.debugDescription)")
    } else if format == "json" {
      #expect(piped.stdout.contains("\u{202E}gnp.exe"), "\(piped.stdout.debugDescription)")
    } else {
      // A table is for reading, wherever it goes.
      expectSafe(piped.stdout, "\(piped.stdout.debugDescription)")
    }
  }

  @Test func showRemovesBidirectionalOverrides() throws {
    for onTerminal in [true, false] {
      let shown = try run(["show", Self.runID, "--db", database], terminalOutput: onTerminal)
      #expect(shown.status == 0, "\(shown.stderr)")
      #expect(shown.stdout.contains("bidi gnp.exe"), "\(shown.stdout.debugDescription)")
      expectSafe(shown.stdout, "\(shown.stdout.debugDescription)")
    }
  }
}
