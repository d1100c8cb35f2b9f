/// What an ingest did, all inputs together: what it stored, and what it left out and why.
///
/// The counts add up the inputs' own reports, so that the closing line of `ingest` agrees
/// with the line it printed for each file.
public struct IngestTotals: Sendable, Equatable {
  /// Files whose runs were written (possibly with lines that could not be read).
  public var filesStored = 0
  public var runsStored = 0
  public var eventsStored = 0
  /// Of the runs stored, those that replaced a copy the database held (a fuller copy wins).
  public var runsReplaced = 0
  /// Runs read that the database already held as whole (the same run saved in another format).
  public var runsAlreadyStored = 0
  /// Runs that one file held twice (a stream read again from its start, files joined with
  /// `cat`): counted once above, by the copy that stayed, whether stored or already there.
  public var runsHeldTwice = 0
  /// Files whose content was ingested before.
  public var filesAlreadyIngested = 0
  /// Files in a directory that are not captures.
  public var filesSkipped = 0
  /// Files with errors: stored with lines that could not be read, or not stored at all.
  public var filesWithErrors = 0
  /// Files stored whole with notes only (a run held twice in one file).
  public var filesWithNotes = 0

  public init(_ reports: [FileReport]) {
    for report in reports {
      if report.hasErrors {
        filesWithErrors += 1
      } else if !report.isClean {
        filesWithNotes += 1
      }
      switch report.outcome {
      case .stored(let stored):
        filesStored += 1
        runsStored += stored.runsWritten
        eventsStored += stored.eventsWritten
        runsReplaced += stored.runsReplaced
        runsAlreadyStored += stored.runsAlreadyStored
        runsHeldTwice += stored.runsHeldTwice
      case .alreadyIngested: filesAlreadyIngested += 1
      case .skipped: filesSkipped += 1
      case .failed: break
      }
    }
  }

  /// The closing line of an ingest into `database`.
  public func line(database: String) -> String {
    var text =
      "\(filesStored) file(s), \(runsStored) run(s), \(eventsStored) event(s) stored into "
      + database
    if runsReplaced > 0 { text += " (\(runsReplaced) of the runs replacing a stored copy)" }
    if runsAlreadyStored > 0 { text += "; \(runsAlreadyStored) run(s) were already stored" }
    if runsHeldTwice > 0 { text += "; \(runsHeldTwice) run(s) held twice in a file, kept once" }
    if filesAlreadyIngested > 0 { text += "; \(filesAlreadyIngested) file(s) already ingested" }
    if filesSkipped > 0 { text += "; \(filesSkipped) file(s) skipped, not captures" }
    if filesWithErrors > 0 { text += "; \(filesWithErrors) file(s) with errors" }
    if filesWithNotes > 0 { text += "; \(filesWithNotes) file(s) with notes" }
    return text
  }
}
