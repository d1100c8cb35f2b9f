import Foundation
import LGAnalyzeCore

/// Standard output and standard error, written so that a failed write is never silent (a full
/// disk, a closed descriptor) and never a crash: `FileHandle.write(_:)` traps on errors.
///
/// Text that carries data from the inputs goes through `display(_:)`: on a terminal it loses
/// control characters, escape sequences and bidirectional overrides (`TerminalText`), so that
/// a capture cannot drive the reader's terminal; to a file or a pipe it stays exact.
enum StandardOutput {
  static let isTerminal = Terminal.isTerminal(STDOUT_FILENO)

  /// Writes all of `bytes`, or throws a failure that names standard output.
  static func write(_ bytes: some DataProtocol) throws(CommandFailure) {
    do {
      try FileHandle.standardOutput.write(contentsOf: bytes)
    } catch {
      throw CommandFailure("cannot write to standard output", cause: error)
    }
  }

  /// Writes `text` exactly, escape sequences and all (`show`'s own colours).
  static func write(_ text: String) throws(CommandFailure) {
    try write(Data(text.utf8))
  }

  /// Writes text that holds data, made safe when standard output is a terminal.
  static func display(_ text: String) throws(CommandFailure) {
    try write(isTerminal ? TerminalText.sanitize(text) : text)
  }
}

enum StandardError {
  static let isTerminal = Terminal.isTerminal(STDERR_FILENO)

  /// Writes `text` exactly; when even standard error fails there is nobody left to tell, so
  /// the failure is dropped (the exit status still says what went wrong).
  static func write(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
  }

  /// Writes text that holds data, made safe when standard error is a terminal.
  static func display(_ text: String) {
    write(isTerminal ? TerminalText.sanitize(text) : text)
  }
}
