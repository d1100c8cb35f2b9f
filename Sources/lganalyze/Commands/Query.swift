import ArgumentParser
import Foundation
import LGAnalyzeCore

extension LGAnalyze {
  /// `lganalyze query`: any SQL, read-only.
  struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run SQL against the database, opened read-only so that no query can change it.",
      discussion: """
        The argument is SQL text or the path of a .sql file (the canned queries in Queries/).

        Example: lganalyze query "SELECT node, SUM(total_tokens) FROM node_stats GROUP BY node"
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "SQL, or a .sql file.")
    var sql: String

    func run() async throws {
      var text = sql
      if sql.hasSuffix(".sql") {
        do {
          text = try String(contentsOfFile: sql, encoding: .utf8)
        } catch {
          throw CommandFailure("cannot read the SQL file \(sql)", cause: error)
        }
      }
      let store = try RunStore.openReadOnly(path: database.path)
      try output.print(try store.query(text))
    }
  }
}
