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
        counted once. inferred_ms_to_next_call sums, over the model calls, the time from each \
        call's start to the next call's start in its run, read from the UUIDv7 model-call ids: \
        an inference (it includes tool time), since streams carry no clock.

        --run limits the figures to one run: its latest attempt when it was retried, or the \
        one --attempt names.

        Example: lganalyze stats --by model
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Group by node, model, graph or run.")
    var by: StatsGrouping = .node

    @Option(
      name: .customLong("run"),
      help: "Only this run (a full id or a unique prefix; its latest attempt when retried).")
    var runPrefix: String?

    @Option(help: "With --run: this attempt of the run, when retried (default: the latest).")
    var attempt: Int?

    func validate() throws {
      try ArgumentChecks.runPrefix(runPrefix)
      try ArgumentChecks.attempt(attempt)
      if attempt != nil && runPrefix == nil {
        throw ValidationError(
          "--attempt needs --run: it picks an attempt of that run (--by run lists every attempt)")
      }
    }

    func run() async throws {
      let store = try RunStore.openReadOnly(path: database.path)
      let run = try runPrefix.map { try store.resolveRun($0, attempt: attempt) }
      try output.print(try store.stats(by: by, run: run))
    }
  }
}
