import Foundation

/// Standard output and standard error, written so that a failed write is never silent (a full
/// disk, a closed descriptor) and never a crash: `FileHandle.write(_:)` traps on errors.
enum StandardOutput {
  /// Writes all of `bytes`, or throws a failure that names standard output.
  static func write(_ bytes: some DataProtocol) throws(CommandFailure) {
    do {
      try FileHandle.standardOutput.write(contentsOf: bytes)
    } catch {
      throw CommandFailure("cannot write to standard output", cause: error)
    }
  }

  static func write(_ text: String) throws(CommandFailure) {
    try write(Data(text.utf8))
  }
}

enum StandardError {
  /// Writes `text`; when even standard error fails there is nobody left to tell, so the
  /// failure is dropped (the exit status still says what went wrong).
  static func write(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
  }
}
