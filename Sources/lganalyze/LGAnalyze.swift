import ArgumentParser
import Foundation

/// The `lganalyze` command: saved LangGraph streams into one SQLite database.
@main
struct LGAnalyze: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lganalyze",
    abstract: "Turn saved LangGraph API streams into a SQLite database you can query.",
    discussion: """
      Ingest `curl -N` captures of /runs/stream, SDK transcripts and JSONL dumps, then query \
      runs, messages, tool calls and per-node tokens with SQL.

      Exit status: 0 when every input was read cleanly or with notes only (a run held twice in \
      one file; noted on stderr all the same), 1 when any input had errors (each is summarized \
      on stderr and recorded in ingest_errors) or a file or the output could not be read or \
      written (one line on stderr names it), 2 for usage errors.
      """,
    version: "0.1.0",
    subcommands: [
      Ingest.self, Runs.self, Show.self, Stats.self, Export.self, Query.self, Search.self,
      Convert.self,
    ]
  )

  /// Runs the command, mapping argument errors to exit status 2 as the README promises.
  static func main() async {
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      if exitCode(for: error) == .validationFailure {
        StandardError.write(fullMessage(for: error) + "\n")
        Foundation.exit(2)
      }
      exit(withError: error)
    }
  }
}
