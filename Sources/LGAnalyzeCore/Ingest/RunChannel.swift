import Dispatch
import Synchronization

/// What a parser worker hands the writer about one input, in order.
enum IngestItem: Sendable {
  /// The input was settled without reading it through (already ingested, skipped, unreadable),
  /// with the problem to record, if any.
  case settled(FileReport, problem: IngestErrorRecord? = nil)
  /// The input is being read: write it as this source.
  case begin(SourceRecord)
  /// A run read from the input, and whether its lines could not all be read.
  case run(Run, isDamaged: Bool)
  /// The input was read to its end.
  case end(format: String, issues: [SourceIssue], eventCount: Int, runCount: Int)
  /// Reading failed part way: nothing of the input may be stored.
  case abort(String)
}

/// A bounded queue of items from one parser worker to the writer.
///
/// The bound is what keeps memory flat however large the input: a worker that is ahead of the
/// writer waits for room instead of reading on.
final class RunChannel: Sendable {
  private let items = Mutex<[IngestItem]>([])
  private let available = DispatchSemaphore(value: 0)
  private let room: DispatchSemaphore

  init(capacity: Int) {
    room = DispatchSemaphore(value: capacity)
  }

  /// Adds an item, waiting while the channel is full.
  func send(_ item: IngestItem) {
    room.wait()
    items.withLock { $0.append(item) }
    available.signal()
  }

  /// Takes the next item, waiting until there is one.
  func receive() -> IngestItem {
    available.wait()
    let item = items.withLock { $0.removeFirst() }
    room.signal()
    return item
  }
}
