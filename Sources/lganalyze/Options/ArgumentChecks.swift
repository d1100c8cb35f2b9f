import ArgumentParser

/// Checks that several verbs' `validate()` share, so that they refuse alike.
enum ArgumentChecks {
  /// Refuses a `--limit` below 1: `runs` and `search` both take at least one row.
  static func limit(_ limit: Int?) throws {
    if let limit, limit < 1 {
      throw ValidationError("--limit must be at least 1 (got \(limit))")
    }
  }
}
