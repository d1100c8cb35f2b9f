import Foundation

/// What a parser worker hands the writer about one input, in order.
enum IngestItem: Sendable {
  /// The input was settled without reading it through (already ingested, skipped, unreadable),
  /// with the problem to record, if any.
  case settled(FileReport, problem: IngestErrorRecord? = nil)
  /// The input is being read: write it as this source.
  case begin(SourceRecord)
  /// The first events, chunks and whole messages of a run still being read (see
  /// `SourcePart.runEvents`).
  case runEvents(
    runID: String, attempt: Int, events: [RunEvent], chunks: [MessageChunk], messages: [Message])
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
/// writer waits for room instead of reading on. Room is counted in payload bytes, not items:
/// runs range from a few hundred bytes to many megabytes, and a bound in items either starves
/// the writer of small runs (the worker of the next input stops a few runs in, and the writer
/// then waits on it) or lets large ones pile up.
final class RunChannel: @unchecked Sendable {
  // Guarded by `condition`; unchecked Sendable because NSCondition is not checked for it.
  private let condition = NSCondition()
  // Taken items are cleared at once (a run can be large) and their slots dropped in bulk.
  private var items: [(item: IngestItem?, weight: Int)] = []
  private var head = 0
  private var bufferedWeight = 0
  private let capacity: Int

  /// A channel holding at most `capacity` bytes of payload, or one item of any size.
  init(capacity: Int) {
    self.capacity = capacity
  }

  /// Adds an item, waiting while the channel is full.
  func send(_ item: IngestItem) {
    let weight = item.payloadWeight
    condition.lock()
    defer { condition.unlock() }
    while head < items.count && bufferedWeight + weight > capacity { condition.wait() }
    items.append((item, weight))
    bufferedWeight += weight
    condition.broadcast()
  }

  /// Takes the next item, waiting until there is one.
  func receive() -> IngestItem {
    condition.lock()
    defer { condition.unlock() }
    while head == items.count { condition.wait() }
    guard let item = items[head].item else { preconditionFailure("a taken slot is never read") }
    let weight = items[head].weight
    items[head].item = nil
    head += 1
    if head == items.count {
      items.removeAll(keepingCapacity: true)
      head = 0
    } else if head >= 64 && head * 2 >= items.count {
      items.removeFirst(head)
      head = 0
    }
    bufferedWeight -= weight
    condition.broadcast()
    return item
  }
}

extension IngestItem {
  /// About the bytes this item holds: the payloads of a run's events and the text of its
  /// chunks, and a little per row for the rest of it. Native strings know their UTF-8 length
  /// without counting.
  var payloadWeight: Int {
    let events: [RunEvent]
    let chunks: [MessageChunk]
    switch self {
    case .run(let run, _): (events, chunks) = (run.events, run.chunks)
    case .runEvents(_, _, let first, let firstChunks, _): (events, chunks) = (first, firstChunks)
    default: return 0
    }
    var weight = 0
    for event in events { weight += 64 + (event.data?.utf8.count ?? 0) }
    for chunk in chunks { weight += 64 + chunk.content.utf8.count }
    return weight
  }
}
