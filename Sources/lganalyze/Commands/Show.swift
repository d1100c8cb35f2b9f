import ArgumentParser
import Foundation
import LGAnalyzeCore

extension LGAnalyze {
  /// `lganalyze show`: one run's conversation in the terminal.
  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a run's reassembled conversation: nodes, messages, tool calls and results.",
      discussion: """
        RUN is a full run id or any unique prefix of one; a retried run shows its latest \
        attempt unless --attempt names another (lganalyze runs --format csv lists them). \
        Colour on a terminal; none when piped or with NO_COLOR set. Control and escape \
        sequences in model text are removed.

        Example: lganalyze show 01a20557-41a8 --attempt 1
        """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("A run id or a unique prefix of one.", valueName: "run"))
    var runPrefix: String

    @Option(help: "This attempt of a retried run (default: the latest).")
    var attempt: Int?

    func validate() throws {
      try ArgumentChecks.runPrefix(runPrefix)
      try ArgumentChecks.attempt(attempt)
    }

    func run() async throws {
      let store = try RunStore.openReadOnly(path: database.path)
      let transcript = try store.transcript(of: try store.resolveRun(runPrefix, attempt: attempt))
      try StandardOutput.write(TerminalRenderer.render(transcript, useColor: Terminal.wantsColor))
    }
  }
}
