import ArgumentParser
import Foundation
import LGAnalyzeCore

extension CaptureFormat: ExpressibleByArgument {}

extension LGAnalyze {
  /// `lganalyze convert`: rewrite a capture in another format.
  struct Convert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Rewrite a saved stream as SSE, JSONL or an awk-style transcript.",
      discussion: """
        Nothing is lost: ingesting the converted file gives the same runs, messages and tool \
        calls as ingesting the original. Events the input could not read are reported on \
        stderr and left out. Events of a Node printout, whose nested parts were elided, stay \
        marked lossy in SSE and JSONL; a transcript cannot mark them, nor hold stream ids, so \
        converting such input to a transcript needs --force. A capture cut off inside an \
        event converts to one cut off inside that event, so it still reads as incomplete.

        Example: lganalyze convert run.py.txt --to sse --out run.sse
        """
    )

    @OptionGroup var output: OutputFileOptions

    @Option(help: "sse, jsonl or transcript.")
    var to: CaptureFormat

    @Option(help: "Read the input as this format instead of detecting it.")
    var format: FormatKind?

    @Argument(help: "The capture to convert, or - for standard input.")
    var input: String

    func run() async throws {
      let converted = try CaptureConverter.convert(
        path: input, to: to, forcedFormat: format, allowingLoss: output.force)
      for issue in converted.issues {
        Terminal.printError("\(input): \(issue)")
      }
      try output.write(converted.bytes)
      if !converted.issues.isEmpty { throw ExitCode.failure }
    }
  }
}
