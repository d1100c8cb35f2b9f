import ArgumentParser
import Foundation
import LGAnalyzeCore

extension LGAnalyze {
  /// `lganalyze runs`: one row a run.
  struct Runs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List runs: id, graph, status, start, events, messages, tool calls, tokens.",
      discussion: """
        Start times are read from the UUIDv7 run ids (streams carry no clock), so they are \
        inferred. Newest first. A damaged run (not all of its lines could be read, or it was \
        cut off; ingest_errors says where) has (damaged) after its status in a table, and \
        damaged 1 in csv, true in json.

        Example: lganalyze runs --status error --since 2026-11-01
        """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Only runs with this status: success, error, interrupted or incomplete.")
    var status: String?

    @Option(help: "Only runs of this graph.")
    var graph: String?

    @Option(help: "Only runs started on or after this date (YYYY-MM-DD or ISO 8601).")
    var since: String?

    @Option(help: "At most this many runs (at least 1).")
    var limit: Int?

    func validate() throws {
      try ArgumentChecks.limit(limit)
      if let status, !["success", "error", "interrupted", "incomplete"].contains(status) {
        throw ValidationError("--status must be success, error, interrupted or incomplete")
      }
      if let since, DateArgument.parse(since) == nil {
        throw ValidationError(
          "--since takes a day or time that exists, like 2026-11-01 or 2026-11-01T12:00:00Z "
            + "(got \(since))")
      }
    }

    func run() async throws {
      let store = try RunStore.openReadOnly(path: database.path)
      let runs = try store.runs(
        matching: RunFilter(
          status: status, graph: graph, since: since.flatMap(DateArgument.parse), limit: limit))
      try output.print(RunTable.make(runs, for: output.resolvedFormat))
    }
  }
}

/// Dates given on the command line.
enum DateArgument {
  /// The time `text` names: a day (2026-11-01, from midnight UTC) or an ISO 8601 time
  /// (2026-11-01T12:00:00Z); nil for anything else, and for days and times that do not exist
  /// (2026-02-30, 25:00), which the ISO 8601 parser would roll over into the next.
  static func parse(_ text: String) -> Date? {
    guard
      let fields = text.prefixMatch(of: /(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?/),
      let year = Int(fields.1), let month = Int(fields.2), let day = Int(fields.3),
      (1...12).contains(month), (1...daysIn(month: month, of: year)).contains(day),
      (Int(fields.4 ?? "0") ?? 99) < 24, (Int(fields.5 ?? "0") ?? 99) < 60,
      (Int(fields.6 ?? "0") ?? 99) < 60
    else { return nil }
    if let date = try? Date(text, strategy: .iso8601) { return date }
    return try? Date(text + "T00:00:00Z", strategy: .iso8601)
  }

  private static func daysIn(month: Int, of year: Int) -> Int {
    let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    return [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
  }
}

/// The `runs` listing as a table.
///
/// A retried run is listed once per attempt. For a person (`table`) the attempt follows the id
/// when it is not the first, and a damaged run's status says so; csv and json give the id as it
/// is, which other tools and `lganalyze show` take, and the attempt and the damage in columns
/// of their own.
enum RunTable {
  static func make(_ runs: [RunSummary], for format: TableFormat) -> ResultTable {
    let isForPeople = format == .table
    let columns =
      ["run_id"] + (isForPeople ? [] : ["attempt"]) + ["graph", "status"]
      + (isForPeople ? [] : ["damaged"])
      + ["started", "events", "messages", "tool_calls", "tokens", "source"]
    let rows: [[JSONValue]] = runs.map { run in
      let id: [JSONValue] =
        isForPeople
        ? [.string(run.attempt > 1 ? "\(run.runID) (attempt \(run.attempt))" : run.runID)]
        : [.string(run.runID), .number(String(run.attempt))]
      let status: [JSONValue] =
        switch format {
        case .table: [.string(run.isDamaged ? "\(run.status) (damaged)" : run.status)]
        case .csv: [.string(run.status), .number(run.isDamaged ? "1" : "0")]
        // A Boolean, not runs.damaged's 0 or 1: jq takes only false and null for false, so
        // `select(.damaged)` over 0s would pick every run.
        case .json: [.string(run.status), .bool(run.isDamaged)]
        }
      return id + [run.graphID.map(JSONValue.string) ?? .null] + status + [
        UUIDv7.isoTimestamp(of: run.runID).map(JSONValue.string) ?? .null,
        .number(String(run.eventCount)),
        .number(String(run.messageCount)),
        .number(String(run.toolCallCount)),
        .number(String(run.totalTokens)),
        .string(run.source),
      ]
    }
    return ResultTable(columns: columns, rows: rows)
  }
}
