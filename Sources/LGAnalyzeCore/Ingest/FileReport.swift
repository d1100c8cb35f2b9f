import Foundation

/// What happened to one input of an ingest.
public struct FileReport: Sendable {
  /// How the input ended.
  public enum Outcome: Sendable, Equatable {
    /// Read and stored (possibly with issues, listed in `issues`).
    case stored(StoreSummary)
    /// The same content was ingested before; nothing was added.
    case alreadyIngested
    /// Left out of a directory walk because it does not look like a saved stream.
    case skipped(String)
    /// Could not be read at all.
    case failed(String)
  }

  public var path: String
  public var format: String?
  public var outcome: Outcome
  public var eventCount = 0
  public var runCount = 0
  /// What was wrong or worth a note, by line: errors (lines that could not be read, every
  /// other event of the file kept) and notes (`SourceIssue.damagesRun` false: how the file was
  /// read, with nothing of its runs missing).
  public var issues: [SourceIssue] = []

  /// True when the input's runs were written.
  public var isStored: Bool {
    if case .stored = outcome { true } else { false }
  }

  /// True when the input was read without any problem, and nothing about it needs a note.
  public var isClean: Bool {
    switch outcome {
    case .stored: issues.isEmpty
    case .alreadyIngested, .skipped: true
    case .failed: false
    }
  }

  /// True when the input could not be read, or some of it could not: what the exit status of
  /// `ingest` follows. A file whose only issues are notes was stored whole, and has none.
  public var hasErrors: Bool {
    switch outcome {
    case .stored: issues.contains(where: \.damagesRun)
    case .alreadyIngested, .skipped: false
    case .failed: true
    }
  }

  /// One line for a person: what was read and what went wrong.
  public var summary: String {
    switch outcome {
    case .stored(let stored):
      var text = "\(path): \(format ?? "?"), \(eventCount) events, \(runCount) runs"
      var counts: [String] = []
      if stored.runsReplaced > 0 { counts.append("\(stored.runsReplaced) replacing a stored copy") }
      if stored.runsAlreadyStored > 0 {
        counts.append("\(stored.runsAlreadyStored) already stored")
      }
      if stored.runsHeldTwice > 0 {
        counts.append("\(stored.runsHeldTwice) held twice in the file")
      }
      if stored.runsAlreadyStored > 0 || stored.runsHeldTwice > 0 {
        // What was added then differs from what the file holds: say both.
        counts.append(
          stored.runsWritten == 0
            ? "nothing added"
            : "\(stored.runsWritten) run(s), \(stored.eventsWritten) event(s) added")
      }
      if !counts.isEmpty { text += " (\(counts.joined(separator: "; ")))" }
      let errors = issues.filter(\.damagesRun)
      let notes = issues.filter { !$0.damagesRun }
      if let first = errors.first ?? notes.first {
        let counts = [(errors, "error(s)"), (notes, "note(s)")].filter { !$0.0.isEmpty }
          .map { issues, kind in
            let lines = issues.prefix(5).map { String($0.line) }.joined(separator: ", ")
            return "\(issues.count) \(kind) at line \(lines)\(issues.count > 5 ? ", …" : "")"
          }
        text += "; \(counts.joined(separator: ", ")) — see ingest_errors; the first: "
        text += first.message
      }
      return text
    case .alreadyIngested: return "\(path): already ingested (same content); nothing added"
    case .skipped(let why): return "\(path): skipped, \(why)"
    case .failed(let why): return "\(path): \(why)"
    }
  }
}
