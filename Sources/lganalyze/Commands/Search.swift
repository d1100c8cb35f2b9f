import ArgumentParser
import LGAnalyzeCore

extension LGAnalyze {
  /// `lganalyze search`: full-text search.
  struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Find messages, tool calls, tool results and run errors containing every word.",
      discussion: """
        Searches message text, tool names and arguments, tool results and the errors failed \
        runs ended with; the kind column says which. The words may come in any order.

        Example: lganalyze search quota exceeded
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "At most this many matches (at least 1).")
    var limit = 50

    @Argument(help: "The words to find.")
    var words: [String]

    func validate() throws {
      try ArgumentChecks.limit(limit)
      if words.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) {
        throw ValidationError("give at least one word to search for")
      }
    }

    func run() async throws {
      let store = try RunStore.openReadOnly(path: database.path)
      try output.print(try store.search(words.joined(separator: " "), limit: limit))
    }
  }
}
