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
        json is an array of runs, each {run_id, thread_id, graph_id, status, error, messages}; \
        jsonl is one run a line; html is one self-contained page that escapes all model text.

        Example: lganalyze export 01a20557 --format html --out run.html
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputFileOptions

    @Option(help: "markdown, html, json, jsonl or csv.")
    var format: ExportFormat = .markdown

    @Flag(help: "Export every run.")
    var all = false

    @Argument(help: "Run ids or unique prefixes.")
    var runs: [String] = []

    func validate() throws {
      if runs.isEmpty && !all { throw ValidationError("name runs to export, or pass --all") }
      if !runs.isEmpty && all { throw ValidationError("name runs or pass --all, not both") }
      for run in runs { try ArgumentChecks.runPrefix(run) }
    }

    func run() async throws {
      let store = try RunStore.openReadOnly(path: database.path)
      let summaries = all ? try store.runs().reversed() : try runs.map(store.resolveRun)
      let transcripts = try summaries.map(store.transcript(of:))
      try output.write(Array(TranscriptExporter.render(transcripts, as: format).utf8))
    }
  }
}
