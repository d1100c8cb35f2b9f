import ArgumentParser
import Foundation

/// Where a command writes a document: standard output, or a file it never overwrites unless
/// told to.
struct OutputFileOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path"))
  var out: String?

  @Flag(help: "Overwrite the --out file if it exists.")
  var force = false

  func validate() throws {
    if let out, !force, FileManager.default.fileExists(atPath: out) {
      throw ValidationError("\(out) exists; pass --force to overwrite it")
    }
  }

  /// Writes `bytes` to the file or to standard output.
  func write(_ bytes: [UInt8]) throws {
    guard let out else {
      FileHandle.standardOutput.write(Data(bytes))
      return
    }
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic)
    } catch {
      throw ValidationError("cannot write \(out): \(error.localizedDescription)")
    }
  }
}
