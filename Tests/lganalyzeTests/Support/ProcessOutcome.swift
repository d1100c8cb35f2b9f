import Foundation
import Testing

/// What a run of the built `lganalyze` gave: its exit status and what it wrote.
struct ProcessOutcome {
  var status: Int32
  var stdout: String
  var stderr: String
}

extension BuiltExecutable {
  /// Runs `lganalyze` with `arguments` in `folder`, with LGANALYZE_DB unset unless
  /// `environment` sets it, and `input` on standard input through a pipe. `prefix` (a program
  /// and its arguments) runs it through another program, such as `setpriv`.
  ///
  /// Output goes to files in `folder`: a full pipe nobody reads would stall the process. A run
  /// still going after 120 s is stopped and recorded as an issue.
  static func run(
    _ arguments: [String], in folder: URL, environment: [String: String] = [:],
    input: Data? = nil, through prefix: [String] = []
  ) throws -> ProcessOutcome {
    let process = Process()
    let executable = try url()
    if let program = prefix.first {
      process.executableURL = URL(fileURLWithPath: program)
      process.arguments = Array(prefix.dropFirst()) + [executable.path] + arguments
    } else {
      process.executableURL = executable
      process.arguments = arguments
    }
    process.currentDirectoryURL = folder
    var variables = ProcessInfo.processInfo.environment
    variables["LGANALYZE_DB"] = nil
    variables.merge(environment) { $1 }
    process.environment = variables
    let label = UUID().uuidString
    let stdout = folder.appendingPathComponent("\(label).out")
    let stderr = folder.appendingPathComponent("\(label).err")
    _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: stdout)
    let errHandle = try FileHandle(forWritingTo: stderr)
    defer {
      try? outHandle.close()
      try? errHandle.close()
    }
    process.standardOutput = outHandle
    process.standardError = errHandle
    let pipe = input.map { _ in Pipe() }
    process.standardInput = pipe ?? FileHandle.nullDevice
    try process.run()
    if let pipe, let input {
      // Written while the process reads, so input larger than the pipe's buffer goes through.
      let writer = pipe.fileHandleForWriting
      DispatchQueue.global().async {
        try? writer.write(contentsOf: input)
        try? writer.close()
      }
    }
    let deadline = Date.now.addingTimeInterval(120)
    while process.isRunning && Date.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
    if process.isRunning {
      process.terminate()
      Issue.record("lganalyze \(arguments) still ran after 120 s; stopped")
    }
    process.waitUntilExit()
    return ProcessOutcome(
      status: process.terminationStatus,
      stdout: (try? String(contentsOf: stdout, encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
  }
}
