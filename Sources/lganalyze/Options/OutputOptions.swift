import ArgumentParser
import Foundation
import LGAnalyzeCore

extension TableFormat: ExpressibleByArgument {}

/// How result tables are printed.
struct OutputOptions: ParsableArguments {
  @Option(help: "Output format: table, csv or json (default: table on a terminal, else json).")
  var format: TableFormat?

  /// The chosen format, or the default for where standard output goes.
  var resolvedFormat: TableFormat {
    format ?? (StandardOutput.isTerminal ? .table : .json)
  }

  /// Prints `table` in the chosen format, or throws when standard output cannot take it.
  func print(_ table: ResultTable) throws(CommandFailure) {
    try StandardOutput.display(ResultTableWriter.render(table, as: resolvedFormat))
  }
}

/// Facts about the terminal the command runs in.
enum Terminal {
  static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

  /// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
  static var wantsColor: Bool {
    isTerminal(STDOUT_FILENO) && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
  }

  /// Prints a line on standard error, made safe for a terminal (it may quote the data).
  static func printError(_ message: String) {
    StandardError.display(message + "\n")
  }
}
