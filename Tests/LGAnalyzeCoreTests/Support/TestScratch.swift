import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The temporary folders of one test run, all under one root that is removed when the test
/// process exits: each test makes databases of megabytes, which would otherwise pile up in the
/// temporary directory run after run.
enum TestScratch {
  static let root: URL = {
    let root = FileManager.default.temporaryDirectory
      .appendingPathComponent("lganalyze-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: TestScratch.root) }
    return root
  }()

  /// A new empty folder named after `label`.
  static func folder(_ label: String) throws -> URL {
    let folder = root.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }
}
