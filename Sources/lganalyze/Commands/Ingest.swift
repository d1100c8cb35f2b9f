import ArgumentParser
import Foundation
import LGAnalyzeCore

extension FormatKind: ExpressibleByArgument {}

extension LGAnalyze {
  /// `lganalyze ingest`: read saved streams into the database.
  struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Read saved LangGraph streams (SSE, JSONL, transcripts) into the database.",
      discussion: """
        Formats are detected from each file's content. Directories are walked recursively; \
        files that are not saved streams are skipped with a note. Content ingested before is \
        not added again.

        Example: lganalyze ingest logs/*.sse transcripts/ --db runs.db
        """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Read every input as this format instead of detecting it.")
    var format: FormatKind?

    @Option(
      help: "Inputs read in parallel, 1 to \(Ingestor.maximumJobs) (default: the number of cores).")
    var jobs: Int?

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Argument(help: "Files, directories, or - for standard input.")
    var inputs: [String]

    func validate() throws {
      if let jobs, !(1...Ingestor.maximumJobs).contains(jobs) {
        throw ValidationError("--jobs must be from 1 to \(Ingestor.maximumJobs) (got \(jobs))")
      }
      if inputs.count(where: { $0 == "-" }) > 1 {
        throw ValidationError("- (standard input) can be read only once; name it once")
      }
    }

    func run() async throws {
      let store = try RunStore(path: database.path)
      var ingestor = Ingestor(store: store, forcedFormat: format, jobs: jobs)
      let bar = quiet ? nil : ProgressBar.startIfTerminal()
      ingestor.progress = bar?.progress
      // Standard output that fails (a full disk) stops the notes, not the ingest.
      var outputFailure: CommandFailure?
      func say(_ line: String) {
        guard outputFailure == nil else { return }
        do { try StandardOutput.display(line + "\n") } catch { outputFailure = error }
      }
      let reports = ingestor.ingest(paths: inputs) { report in
        bar?.clear()
        if !report.isClean {
          Terminal.printError(report.summary)
        } else if !quiet {
          say(report.summary)
        }
      }
      bar?.stop()
      let failed = reports.filter(\.hasErrors).count
      if !quiet { say(IngestTotals(reports).line(database: database.path)) }
      if let outputFailure { throw outputFailure }
      if failed > 0 { throw ExitCode.failure }
    }
  }
}
