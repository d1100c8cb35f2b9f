import GRDB

/// Why SQL that a person gave `query` did not run, said for that person rather than in
/// SQLite's or GRDB's terms.
public struct QueryError: Error, CustomStringConvertible, Equatable {
  public var description: String

  init(_ description: String) {
    self.description = description
  }
}

extension RunStore {
  /// Runs one SQL statement a person wrote and returns its answer as text. Open the store
  /// read-only first (`openReadOnly`): a statement that would change the database then fails.
  public func query(_ sql: String) throws(QueryError) -> ResultTable {
    do {
      return try queue.read { db in
        let statements = try db.allStatements(sql: sql)
        guard let statement = try statements.next() else {
          throw QueryError("query needs an SQL statement; the text holds none")
        }
        // Anything but blanks, comments and semicolons after the first statement is another.
        let hasMore: Bool
        do {
          hasMore = try statements.next() != nil
        } catch {
          hasMore = true  // what follows does not even parse
        }
        if hasMore {
          throw QueryError(
            "query runs one statement; this SQL holds more (run each on its own, or join "
              + "them into one with UNION or WITH)")
        }
        return try Self.table(of: statement)
      }
    } catch let error as QueryError {
      throw error
    } catch let error as DatabaseError {
      let message = error.message ?? "SQLite error \(error.resultCode.rawValue)"
      switch error.resultCode {
      case .SQLITE_READONLY:
        throw QueryError(
          "query is read-only; SQL that changes the database is refused (\(message))")
      default:
        throw QueryError("query failed: \(message)")
      }
    } catch {
      throw QueryError("query failed: \(error)")
    }
  }
}
