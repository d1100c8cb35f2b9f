// RunBoundaryFinder decides, event by event, where the runs of a source begin. A `metadata`
// event opens every attempt of a run (wire-format §1.1), so it is the boundary:
//
//   metadata {"run_id":"R","attempt":1}       starts run R, attempt 1 (a retry, attempt 2, is
//                                             a run of its own)
//   metadata {"status":"run_done",…}          a thread stream's end-of-run note: an event of
//                                             the run, no boundary
//   metadata with no usable run_id            starts a run of its own, whose id is made
//   ({"run_iX":…}, "run_id":7, null, {…})     from its events; reported, the run damaged: its
//                                             events are another run's, not the one before
//   metadata of the run being read, again     held until the next event tells which it is:
//     next event = the run's first event        the stream starts over (read again from its
//                                               start, or `cat a.sse a.sse`): a second copy,
//                                               reported as a note; the copy with more events
//                                               is kept
//     any other event                           the stream goes on (`cat part1.sse part2.sse`
//                                               of a reconnected stream): one run, both parts
//   metadata of a run read earlier, with      a second part that cannot be joined to the first
//   other runs between                        any more: reported as a note; the part with more
//                                             events is kept
//
// Carried state: the run being read (its id, attempt and first event after its metadata), the
// runs read before, and a held metadata event.

/// Decides where the runs of a source begin, and reports the boundaries a clean stream does not
/// have.
struct RunBoundaryFinder {
  /// What to do with an event.
  enum Step {
    /// The event belongs to the run being read (or to a run with no metadata, if none is).
    case add
    /// The event begins a new run.
    case start(runID: String?, attempt: Int)
    /// The event is kept back until the next one tells what it is.
    case hold
    /// The held event belongs to the run being read: add it, then ask again for this event.
    case join(SourceEvent)
    /// The held event begins a new copy of the run being read; this event follows it.
    case restart(SourceEvent, runID: String, attempt: Int)
  }

  private struct RunKey: Hashable {
    var runID: String
    var attempt: Int
  }

  /// The run being read, when its metadata named it.
  private var current: RunKey?
  /// The first event after the current run's metadata (name and payload bytes), once read.
  private var firstEvent: (name: String, bytes: [UInt8]?)?
  private var isAwaitingFirstEvent = false
  /// The line of each named run's first metadata event.
  private var seen: [RunKey: Int] = [:]
  private var held: SourceEvent?
  /// What was found wrong, in line order.
  private(set) var issues: [SourceIssue] = []

  /// The step for the next event.
  mutating func step(_ event: SourceEvent) -> Step {
    if let metadata = held {
      held = nil
      let startsOver =
        firstEvent.map { $0.name == event.name && $0.bytes == event.document?.bytes } ?? false
      guard startsOver, let current else { return .join(metadata) }
      issues.append(
        SourceIssue(
          line: metadata.line,
          message: "run \(current.runID) (attempt \(current.attempt)) starts over here with "
            + "the events it started with: the file holds two copies of it (a stream read "
            + "again from its start, or files joined with cat), and the copy with more events "
            + "is kept",
          excerpt: Self.excerpt(of: metadata), damagesRun: false))
      return .restart(metadata, runID: current.runID, attempt: current.attempt)
    }
    switch Self.boundary(of: event) {
    case .none:
      if isAwaitingFirstEvent {
        firstEvent = (event.name, event.document?.bytes)
        isAwaitingFirstEvent = false
      }
      return .add
    case .damaged(let why, let attempt):
      issues.append(
        SourceIssue(
          line: event.line,
          message: "this metadata event has no usable run_id (\(why)): the events after it "
            + "are stored as a run of their own, under an id made from their content, and the "
            + "run is marked damaged",
          excerpt: Self.excerpt(of: event)))
      current = nil
      firstEvent = nil
      isAwaitingFirstEvent = false
      return .start(runID: nil, attempt: attempt)
    case .start(let runID, let attempt):
      let key = RunKey(runID: runID, attempt: attempt)
      if key == current {
        held = event
        return .hold
      }
      if let firstLine = seen[key] {
        issues.append(
          SourceIssue(
            line: event.line,
            message: "run \(runID) (attempt \(attempt)) began before, at line \(firstLine), "
              + "with other runs between: the two parts cannot be joined into one run, so the "
              + "one with more events is kept and the other left out",
            excerpt: Self.excerpt(of: event), damagesRun: false))
      } else {
        seen[key] = event.line
      }
      current = key
      firstEvent = nil
      isAwaitingFirstEvent = true
      return .start(runID: runID, attempt: attempt)
    }
  }

  /// Ends the source; returns a held event, which belongs to the run being read.
  mutating func finish() -> SourceEvent? {
    defer { held = nil }
    return held
  }

  /// Hands over the issues found since the last call.
  mutating func takeIssues() -> [SourceIssue] {
    defer { issues = [] }
    return issues
  }

  /// The first bytes of an event's payload, for an issue's excerpt.
  private static func excerpt(of event: SourceEvent) -> String {
    guard let bytes = event.document?.bytes else { return "" }
    return SourceIssue.excerpt(of: bytes, range: 0..<bytes.count)
  }

  // MARK: - Metadata events

  private enum Boundary {
    case none
    case start(runID: String, attempt: Int)
    case damaged(why: String, attempt: Int)
  }

  /// What a `metadata` event says about runs; `none` for every other event.
  private static func boundary(of event: SourceEvent) -> Boundary {
    guard event.name == "metadata" else { return .none }
    guard let root = event.document?.root else {
      return .damaged(why: "it carries no data", attempt: 1)
    }
    guard root.kind == .object else {
      return .damaged(why: "its data is not an object", attempt: 1)
    }
    // A thread stream's `{"status": "run_done", "run_id": …}` closes a run, it starts none.
    if root["status"]?.stringValue == "run_done" { return .none }
    let attempt = root["attempt"]?.intValue ?? 1
    guard let runID = root["run_id"] else {
      return .damaged(why: "it has no run_id", attempt: attempt)
    }
    guard let text = runID.stringValue else {
      return .damaged(why: "its run_id is \(runID.kind.phrase), not a string", attempt: attempt)
    }
    guard !text.isEmpty else { return .damaged(why: "its run_id is empty", attempt: attempt) }
    return .start(runID: text, attempt: attempt)
  }
}

extension JSONTape.Kind {
  /// The kind in words, for messages: "a number", "null".
  fileprivate var phrase: String {
    switch self {
    case .null: "null"
    case .true, .false: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }
}
