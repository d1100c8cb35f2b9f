import ArgumentParser
import LGAnalyzeCore

extension StatsGrouping: ExpressibleByArgument {}

extension LGAnalyze {
  /// `lganalyze stats`: where tokens went.
  struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Messages, chunks, input/output/total tokens and tool calls, grouped.",
      discussion: """
        A message that streamed in chunks and also arrived whole (in updates or values) is \
        counted once.

        Example: lganalyze stats --by model
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Group by node, model, graph or run.")
    var by: StatsGrouping = .node

    @Option(name: .customLong("run"), help: "Only this run (a full id or a unique prefix).")
    var runPrefix: String?

    func run() async throws {
      let store = try RunStore.openReadOnly(path: database.path)
      let runID = try runPrefix.map { try store.resolveRun($0).runID }
      output.print(try store.stats(by: by, runID: runID))
    }
  }
}
