import Foundation
import Synchronization

/// Counters of an ingest under way, updated by its workers and read by whoever shows progress.
public final class IngestProgress: Sendable {
  /// A reading of the counters.
  public struct Snapshot: Sendable, Equatable {
    public var filesDone = 0
    public var filesTotal = 0
    public var bytesRead = 0
    public var eventsRead = 0
  }

  private let counters = Mutex(Snapshot())
  private let started = Date.now

  public init() {}

  /// The counters now.
  public var snapshot: Snapshot { counters.withLock { $0 } }

  /// Seconds since the ingest started.
  public var elapsed: TimeInterval { Date.now.timeIntervalSince(started) }

  func setTotal(_ files: Int) { counters.withLock { $0.filesTotal = files } }
  func add(bytes: Int, events: Int) {
    counters.withLock {
      $0.bytesRead += bytes
      $0.eventsRead += events
    }
  }
  func fileDone() { counters.withLock { $0.filesDone += 1 } }

  /// One line for a terminal: `files 3/16  120.4 MB  45210 events  52.1 MB/s  9034 events/s`.
  public func line() -> String {
    let now = snapshot
    let seconds = max(elapsed, 0.001)
    let megabytes = Double(now.bytesRead) / 1_000_000
    return String(
      format: "files %d/%d  %.1f MB  %d events  %.1f MB/s  %.0f events/s", now.filesDone,
      now.filesTotal, megabytes, now.eventsRead, megabytes / seconds,
      Double(now.eventsRead) / seconds)
  }
}
