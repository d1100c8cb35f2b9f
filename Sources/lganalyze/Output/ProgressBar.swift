import Dispatch
import Foundation
import LGAnalyzeCore

/// The ingest progress line on a terminal's stderr, redrawn five times a second.
final class ProgressBar {
  let progress = IngestProgress()
  private let timer: DispatchSourceTimer

  /// A running progress bar when stderr is a terminal; nil when it is piped or redirected.
  static func startIfTerminal() -> ProgressBar? {
    StandardError.isTerminal ? ProgressBar() : nil
  }

  private init() {
    timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "lganalyze.progress"))
    let progress = progress
    timer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
    timer.setEventHandler {
      StandardError.write("\r\u{1B}[K" + progress.line())
    }
    timer.resume()
  }

  /// Erases the line, so that a report printed now starts at the left margin.
  func clear() {
    StandardError.write("\r\u{1B}[K")
  }

  /// Stops redrawing and erases the line.
  func stop() {
    timer.cancel()
    clear()
  }
}
