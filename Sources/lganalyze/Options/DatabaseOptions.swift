import ArgumentParser
import Foundation

/// The database every verb works on.
struct DatabaseOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The SQLite database file (default: $LGANALYZE_DB, else lganalyze.db).", valueName: "path"))
  var db: String?

  /// `--db`, else the LGANALYZE_DB environment variable, else `lganalyze.db` here.
  var path: String {
    if let db { return db }
    if let fromEnvironment = ProcessInfo.processInfo.environment["LGANALYZE_DB"],
      !fromEnvironment.isEmpty
    {
      return fromEnvironment
    }
    return "lganalyze.db"
  }
}
