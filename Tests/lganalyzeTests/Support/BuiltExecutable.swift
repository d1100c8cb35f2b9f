import Foundation

/// The `lganalyze` executable of the build under test.
enum BuiltExecutable {
  /// Why it could not be found.
  struct NotFound: Error, CustomStringConvertible {
    var searched: [String]
    var description: String { "no lganalyze executable near \(searched)" }
  }

  /// The executable in the products folder that holds the running test binary, or in a folder
  /// above it (where the test bundle is a directory).
  static func url() throws -> URL {
    var starts: [URL] = []
    if let running = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      starts.append(URL(fileURLWithPath: running))
    }
    starts.append(URL(fileURLWithPath: CommandLine.arguments[0]))
    if let running = Bundle.main.executableURL { starts.append(running) }
    starts.append(Bundle.main.bundleURL)
    for start in starts {
      var folder = start.deletingLastPathComponent()
      for _ in 0..<4 {
        let candidate = folder.appendingPathComponent("lganalyze")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
          !isDirectory.boolValue, FileManager.default.isExecutableFile(atPath: candidate.path)
        {
          return candidate
        }
        folder = folder.deletingLastPathComponent()
      }
    }
    throw NotFound(searched: starts.map(\.path))
  }
}
