import Foundation
import Testing

/// README.md and the commands' help say what the built `lganalyze` does: the tour's tables
/// have the columns the commands print, and what the README says of every command holds.
@Suite struct DocumentationTests {
  private static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  private static let verbs = [
    "ingest", "runs", "show", "stats", "export", "query", "search", "convert",
  ]

  private let folder: URL
  private let database: String
  private let readme: String

  init() throws {
    folder = try TestScratch.folder("docs")
    database = folder.appendingPathComponent("t.db").path
    readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
    let sample = Self.root.appendingPathComponent("Samples/sse/react_messages_tuple.sse").path
    #expect(try Self.run(["ingest", "-q", "--db", database, sample]).status == 0)
  }

  private static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
    let process = Process()
    process.executableURL = try BuiltExecutable.url()
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// The column names of the table printed after `$ lganalyze COMMAND` in the README's tour.
  private func tourColumns(after command: String) throws -> [Substring] {
    let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
    let start = try #require(lines.firstIndex { $0.hasPrefix("$ lganalyze \(command)") })
    return lines[start + 1].split(separator: " ", omittingEmptySubsequences: true)
  }

  @Test(arguments: [("stats --by node", ["stats", "--by", "node"]), ("runs", ["runs"])])
  func theTourTablesHaveTheColumnsTheCommandsPrint(_ command: String, _ arguments: [String])
    throws
  {
    // The tour shows tables, whose columns can differ from csv's (runs gives the attempt a
    // column of its own in csv and json only).
    let table = try Self.run(arguments + ["--db", database, "--format", "table"])
    let header = try #require(table.stdout.split(separator: "\n").first)
    #expect(try tourColumns(after: command) == header.split(separator: " "))
  }

  @Test func theReadmeNamesEveryCommandThatTakesNoDatabase() throws {
    for verb in Self.verbs {
      let help = try Self.run([verb, "--help"])
      #expect(help.status == 0)
      if !help.stdout.contains("--db") {
        #expect(readme.contains("Every command but `\(verb)`"), "\(verb) takes no --db")
      }
    }
  }

  @Test func theReadmeAndTheHelpTellHowToPickAnAttempt() throws {
    for verb in ["show", "export", "stats"] {
      #expect(try Self.run([verb, "--help"]).stdout.contains("--attempt <attempt>"), "\(verb)")
    }
    #expect(readme.contains("`--attempt N`"))
  }

  @Test func searchHelpSaysItSearchesRunErrors() throws {
    #expect(try Self.run(["search", "--help"]).stdout.contains("run errors"))
  }
}
