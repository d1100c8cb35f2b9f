import ArgumentParser
import Foundation

/// Where a command writes a document: standard output, or a file it never overwrites unless
/// told to.
struct OutputFileOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Write to this file instead of standard output (- is standard output).",
      valueName: "path"))
  var out: String?

  @Flag(help: "Overwrite the --out file if it exists.")
  var force = false

  /// The file to write, or nil for standard output.
  var file: String? { out == "-" ? nil : out }

  func validate() throws {
    if let file, !force, FileManager.default.fileExists(atPath: file) {
      throw ValidationError("\(file) exists; pass --force to overwrite it")
    }
  }

  /// Writes `bytes` to the file or to standard output, or throws a failure naming where. A
  /// terminal gets the document made safe to show (`StandardOutput.display`); a file or a pipe
  /// gets it exactly.
  func write(_ bytes: [UInt8]) throws(CommandFailure) {
    guard let file else {
      if StandardOutput.isTerminal {
        try StandardOutput.display(String(decoding: bytes, as: UTF8.self))
      } else {
        try StandardOutput.write(bytes)
      }
      return
    }
    try OutputFile.write(bytes, to: file)
  }
}

/// Writes a whole file.
enum OutputFile {
  /// Writes `bytes` to `path`. A regular file (or a new one) is written beside its place and
  /// renamed over it, so that a failure leaves what was there; anything else — a device such as
  /// /dev/null, a pipe — is written in place, never replaced by a regular file.
  static func write(_ bytes: [UInt8], to path: String) throws(CommandFailure) {
    var info = stat()
    let isMissing = stat(path, &info) != 0
    if isMissing && errno != ENOENT {
      throw CommandFailure("cannot write \(path): \(CommandFailure.errnoText(errno))")
    }
    let type = info.st_mode & S_IFMT
    if !isMissing && type == S_IFDIR {
      throw CommandFailure("cannot write \(path): \(CommandFailure.errnoText(EISDIR))")
    }
    do {
      if isMissing || type == S_IFREG {
        try Data(bytes).write(to: finalTarget(of: path), options: .atomic)
      } else {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.write(contentsOf: bytes)
      }
    } catch {
      throw CommandFailure("cannot write \(path)", cause: error)
    }
  }

  /// The file a chain of symbolic links ends at (which may not exist yet), so that renaming
  /// over it keeps the links.
  private static func finalTarget(of path: String) -> URL {
    var url = URL(fileURLWithPath: path)
    // Linux follows at most 40 links in a path; stat above has refused a loop.
    for _ in 0..<40 {
      guard let next = try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)
      else { break }
      url =
        URL(fileURLWithPath: next, relativeTo: url.deletingLastPathComponent())
        .standardizedFileURL
    }
    return url
  }
}
