import ArgumentParser
import Foundation
import LGAnalyzeCore

extension ExportFormat: ExpressibleByArgument {}

extension LGAnalyze {
  /// `lganalyze export`: reassembled transcripts as documents.
  struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Export reassembled transcripts as markdown, html, json, jsonl or csv.",
      discussion: """
        json is an array of runs, each {run_id, attempt, thread_id, graph_id, status, damaged, \
        error, input_tokens, output_tokens, total_tokens, interrupts, messages} (damaged is \
        true when not all of the run's lines could be read or it was cut off); jsonl is one run \
        a line; csv is one row a message (a run without messages is one row), with the run's \
        status and error; html is one self-contained page that escapes all model text. A run \
        named twice is exported once. A retried run named is exported as its latest attempt \
        unless --attempt names another; --all exports every attempt.

        Example: lganalyze export 01a20557 --format html --out run.html
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputFileOptions

    @Option(help: "markdown, html, json, jsonl or csv.")
    var format: ExportFormat = .markdown

    @Flag(help: "Export every run.")
    var all = false

    @Option(help: "This attempt of each run named, when retried (default: the latest).")
    var attempt: Int?

    @Argument(help: "Run ids or unique prefixes.")
    var runs: [String] = []

    func validate() throws {
      if runs.isEmpty && !all { throw ValidationError("name runs to export, or pass --all") }
      if !runs.isEmpty && all { throw ValidationError("name runs or pass --all, not both") }
      for run in runs { try ArgumentChecks.runPrefix(run) }
      try ArgumentChecks.attempt(attempt)
      if attempt != nil && all {
        throw ValidationError(
          "--attempt picks an attempt of the runs named; --all exports every attempt")
      }
    }

    func run() async throws {
      let store = try RunStore.openReadOnly(path: database.path)
      var named = Set<String>()
      let chosen: [RunSummary] =
        if all {
          try store.runs().reversed()
        } else {
          try runs.map { try store.resolveRun($0, attempt: attempt) }
        }
      let summaries = chosen.filter { named.insert("\($0.runID) \($0.attempt)").inserted }
      let transcripts = try summaries.map(store.transcript(of:))
      try output.write(Array(TranscriptExporter.render(transcripts, as: format).utf8))
    }
  }
}
