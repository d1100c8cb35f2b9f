import ArgumentParser

/// Checks that several verbs' `validate()` share, so that they refuse alike.
enum ArgumentChecks {
  /// Refuses a `--limit` below 1: `runs` and `search` both take at least one row.
  static func limit(_ limit: Int?) throws {
    if let limit, limit < 1 {
      throw ValidationError("--limit must be at least 1 (got \(limit))")
    }
  }

  /// Refuses an `--attempt` below 1: LangGraph counts attempts from 1.
  static func attempt(_ attempt: Int?) throws {
    if let attempt, attempt < 1 {
      throw ValidationError("--attempt must be at least 1 (got \(attempt))")
    }
  }

  /// Refuses an empty run id: it would be a prefix of every run.
  static func runPrefix(_ prefix: String?) throws {
    if let prefix, prefix.isEmpty {
      throw ValidationError("the run id is empty; give a run id or a unique prefix of one")
    }
  }
}
