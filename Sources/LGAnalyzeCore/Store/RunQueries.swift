import Foundation
import GRDB

/// A run id, or a prefix of one, that did not name exactly one run.
public struct RunLookupError: Error, CustomStringConvertible, Equatable {
  public var prefix: String
  /// The runs the prefix matches (empty when it matches none).
  public var candidates: [String]

  public var description: String {
    if candidates.isEmpty {
      return "no run id starts with '\(prefix)' (lganalyze runs lists them)"
    }
    let shown = candidates.prefix(5).joined(separator: ", ")
    return "'\(prefix)' is ambiguous: it starts \(candidates.count) run ids (\(shown)"
      + (candidates.count > 5 ? ", …" : "") + "); give more characters"
  }
}

/// A run asked for by the number of an attempt it does not have.
public struct RunAttemptError: Error, CustomStringConvertible, Equatable {
  public var runID: String
  /// The attempt asked for.
  public var attempt: Int
  /// The attempts the run has, in order.
  public var attempts: [Int]

  public var description: String {
    let numbers = attempts.map(String.init).joined(separator: ", ")
    let existing =
      attempts.count == 1
      ? "its only attempt is \(numbers) (leave --attempt out)"
      : "its attempts are \(numbers) (give one of those to --attempt, or leave it out for the "
        + "latest)"
    return "run \(runID) has no attempt \(attempt): \(existing)"
  }
}

/// Filters for listing runs.
public struct RunFilter: Sendable {
  public var status: String?
  public var graph: String?
  /// Runs that started at or after this time (from their UUIDv7 ids).
  public var since: Date?
  /// At most this many runs (none when below 1).
  public var limit: Int?

  public init(status: String? = nil, graph: String? = nil, since: Date? = nil, limit: Int? = nil) {
    self.status = status
    self.graph = graph
    self.since = since
    self.limit = limit
  }
}

/// A result table: column names and rows of values (numbers, text or null).
public struct ResultTable: Sendable, Equatable {
  public var columns: [String]
  public var rows: [[JSONValue]]

  public init(columns: [String], rows: [[JSONValue]]) {
    self.columns = columns
    self.rows = rows
  }
}

/// What `stats` groups by.
public enum StatsGrouping: String, Sendable, CaseIterable {
  case node, model, graph, run
}

extension RunStore {
  /// Opens an existing database read-only, so that nothing done through it can change it.
  public static func openReadOnly(path: String) throws(StoreError) -> RunStore {
    guard FileManager.default.fileExists(atPath: path) else {
      throw StoreError(
        path: path, message: "no database here; run `lganalyze ingest` first or pass --db")
    }
    return try RunStore(path: path, readOnly: true)
  }

  /// The query of run summaries, for the schema of `db`.
  ///
  /// A database is migrated only when it is written to, so that one written before
  /// v5-run-damage is read without `runs.damaged`: its runs are then judged by their source's
  /// errors, as that migration judges them.
  private static func summarySelect(_ db: Database) throws -> String {
    let hasDamage = try db.columns(in: "runs").contains { $0.name == "damaged" }
    let damaged =
      hasDamage
      ? "r.damaged"
      : "EXISTS (SELECT 1 FROM sources s WHERE s.source_id = r.source_id AND s.error_count > 0)"
    return summaryColumns + ", " + damaged + " FROM runs r"
  }

  private static let summaryColumns = """
    SELECT r.run_id, r.attempt, r.thread_id, r.graph_id, r.assistant_id, r.status, r.error,
           r.event_count, r.message_count, r.tool_call_count,
           (SELECT \(Schema.saturatingSum("input_tokens")) FROM messages m
             WHERE m.run_id = r.run_id AND m.attempt = r.attempt),
           (SELECT \(Schema.saturatingSum("output_tokens")) FROM messages m
             WHERE m.run_id = r.run_id AND m.attempt = r.attempt),
           (SELECT \(Schema.saturatingSum("total_tokens")) FROM messages m
             WHERE m.run_id = r.run_id AND m.attempt = r.attempt),
           r.source
    """

  private static func summary(_ row: Row) -> RunSummary {
    RunSummary(
      runID: row[0], attempt: row[1], threadID: row[2], graphID: row[3], assistantID: row[4],
      status: row[5], error: row[6], eventCount: row[7], messageCount: row[8],
      toolCallCount: row[9], inputTokens: row[10], outputTokens: row[11], totalTokens: row[12],
      source: row[13], isDamaged: row[14])
  }

  /// The stored runs that pass `filter`, newest first (by the time in their ids).
  public func runs(matching filter: RunFilter = RunFilter()) throws -> [RunSummary] {
    var conditions: [String] = []
    var arguments: [DatabaseValueConvertible?] = []
    if let status = filter.status {
      conditions.append("r.status = ?")
      arguments.append(status)
    }
    if let graph = filter.graph {
      conditions.append("r.graph_id = ?")
      arguments.append(graph)
    }
    let selection = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    var runs = try queue.read { db in
      try Row.fetchAll(
        db, sql: try Self.summarySelect(db) + selection + " ORDER BY r.rowid",
        arguments: StatementArguments(arguments)
      ).map(Self.summary)
    }
    if let since = filter.since {
      runs = runs.filter { ($0.startedAt ?? .distantPast) >= since }
    }
    runs.sort { ($0.startedAt ?? .distantPast) > ($1.startedAt ?? .distantPast) }
    if let limit = filter.limit { runs = Array(runs.prefix(max(0, limit))) }
    return runs
  }

  /// The run a full id or unique prefix names: its attempt `attempt`, or its latest attempt
  /// when that is nil (a retried run is stored once per attempt).
  public func resolveRun(_ prefix: String, attempt: Int? = nil) throws -> RunSummary {
    let escaped = prefix.replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    let matches = try queue.read { db in
      try String.fetchAll(
        db,
        sql: "SELECT DISTINCT run_id FROM runs WHERE run_id LIKE ? ESCAPE '\\' ORDER BY run_id",
        arguments: [escaped + "%"])
    }
    let exact = matches.filter { $0 == prefix }
    let chosen = exact.isEmpty ? matches : exact
    guard chosen.count == 1, let runID = chosen.first else {
      throw RunLookupError(prefix: prefix, candidates: matches)
    }
    return try queue.read { db in
      let row =
        if let attempt {
          try Row.fetchOne(
            db, sql: try Self.summarySelect(db) + " WHERE r.run_id = ? AND r.attempt = ?",
            arguments: [runID, attempt])
        } else {
          try Row.fetchOne(
            db,
            sql: try Self.summarySelect(db) + " WHERE r.run_id = ? ORDER BY r.attempt DESC LIMIT 1",
            arguments: [runID])
        }
      if let row { return Self.summary(row) }
      let attempts = try Int.fetchAll(
        db, sql: "SELECT attempt FROM runs WHERE run_id = ? ORDER BY attempt", arguments: [runID])
      guard let attempt, !attempts.isEmpty else {
        throw RunLookupError(prefix: prefix, candidates: [])
      }
      throw RunAttemptError(runID: runID, attempt: attempt, attempts: attempts)
    }
  }

  /// A run with its messages, tool calls and results, in order.
  public func transcript(of run: RunSummary) throws -> Transcript {
    try queue.read { db in
      let calls = try Row.fetchAll(
        db,
        sql: """
          SELECT message_id, tool_call_id, name, args, args_valid, result, node
            FROM tool_calls WHERE run_id = ? AND attempt = ? ORDER BY rowid
          """, arguments: [run.runID, run.attempt]
      ).map { row in
        ToolCall(
          messageID: row[0], toolCallID: row[1], name: row[2], args: row[3], argsValid: row[4],
          result: row[5], node: row[6])
      }
      let callsByMessage = Dictionary(grouping: calls, by: \.messageID)
      let messages = try Row.fetchAll(
        db,
        sql: """
          SELECT message_id, type, node, namespace, content, tool_call_id, chunk_count,
                 input_tokens, output_tokens, total_tokens, usage, model, provider, first_seq,
                 model_call_id
            FROM messages WHERE run_id = ? AND attempt = ? ORDER BY position
          """, arguments: [run.runID, run.attempt]
      ).map { row -> Message in
        let messageID: String = row[0]
        let usageJSON: String? = row[10]
        var message = Message(
          messageID: messageID, type: row[1], node: row[2], namespace: row[3], content: row[4],
          toolCalls: callsByMessage[messageID] ?? [], toolCallID: row[5], chunkCount: row[6],
          usage: usageJSON.map {
            TokenUsage(inputTokens: row[7], outputTokens: row[8], totalTokens: row[9], json: $0)
          }, model: row[11], provider: row[12], firstSeq: row[13])
        message.modelCallID = row[14]
        return message
      }
      let interrupts = try String.fetchAll(
        db,
        sql: """
          SELECT json_extract(data, '$.__interrupt__') FROM events
           WHERE run_id = ? AND attempt = ? AND mode IN ('updates', 'values')
             AND json_valid(data) AND json_extract(data, '$.__interrupt__') IS NOT NULL
           ORDER BY seq
          """, arguments: [run.runID, run.attempt])
      return Transcript(run: run, messages: messages, interrupts: Array(Set(interrupts)).sorted())
    }
  }

  /// Runs arbitrary SQL and returns its result as text. Open the store read-only first when
  /// the SQL comes from a person, so that no statement can change the database.
  public func table(sql: String, arguments: [String] = []) throws -> ResultTable {
    try queue.read { db in
      try Self.table(of: try db.makeStatement(sql: sql), arguments: arguments)
    }
  }

  /// What a prepared statement answers, as text.
  static func table(of statement: Statement, arguments: [String] = []) throws -> ResultTable {
    let columns = statement.columnNames
    let rows = try Row.fetchAll(statement, arguments: StatementArguments(arguments)).map { row in
      (0..<row.count).map { index -> JSONValue in
        let value = row[index] as DatabaseValue
        switch value.storage {
        case .null: return JSONValue.null
        case .int64(let number): return .number(String(number))
        case .double(let number): return number.isFinite ? .number(String(number)) : .null
        case .string(let text): return .string(text)
        case .blob(let data):
          return .string("x'" + data.map { String(format: "%02x", $0) }.joined() + "'")
        }
      }
    }
    return ResultTable(columns: columns, rows: rows)
  }

  /// Messages, chunks, tokens and tool calls per node, model, graph or run; each message counted
  /// once, whether it streamed in chunks, arrived whole, or both. Model calls and the time from
  /// each to the next call of its run are inferred from the UUIDv7 in the calls' lc_run ids
  /// (the column name says so): streams carry no clock. Token and time sums saturate rather
  /// than fail on values no real stream carries (`Schema.saturatingSum`).
  ///
  /// A retried run is stored once per attempt (`runs` is keyed by run id and attempt), and each
  /// attempt is a run of its own here: `run` names one attempt (`resolveRun` gives the latest,
  /// as `show` does, or the one asked for), and grouped by run the rows carry the attempt beside
  /// the run id.
  /// Grouping or filtering on the run id alone added the tokens of every attempt together.
  public func stats(by grouping: StatsGrouping, run: RunSummary? = nil) throws -> ResultTable {
    let keys: [(expression: String, name: String)]
    switch grouping {
    case .node: keys = [("m.node", "node")]
    case .model: keys = [("m.model", "model")]
    case .graph: keys = [("r.graph_id", "graph")]
    case .run: keys = [("m.run_id", "run"), ("m.attempt", "attempt")]
    }
    let sql = """
      SELECT \(keys.map { "\($0.expression) AS \($0.name)" }.joined(separator: ", ")),
             COUNT(*) AS messages,
             SUM(m.chunk_count) AS chunks,
             \(Schema.saturatingSum("m.input_tokens")) AS input_tokens,
             \(Schema.saturatingSum("m.output_tokens")) AS output_tokens,
             \(Schema.saturatingSum("m.total_tokens")) AS total_tokens,
             SUM((SELECT COUNT(*) FROM tool_calls t
                   WHERE t.run_id = m.run_id AND t.attempt = m.attempt
                     AND t.message_id = m.message_id)) AS tool_calls,
             COUNT(c.model_call_id) AS model_calls,
             CASE WHEN COUNT(c.until_next_call_ms) > 0
                  THEN \(Schema.saturatingSum("c.until_next_call_ms")) END
               AS inferred_ms_to_next_call
        FROM messages m JOIN runs r ON r.run_id = m.run_id AND r.attempt = m.attempt
        LEFT JOIN model_calls c
          ON c.run_id = m.run_id AND c.attempt = m.attempt AND c.message_id = m.message_id
       \(run.map { "WHERE m.run_id = ? AND m.attempt = \($0.attempt)" } ?? "")
       GROUP BY \(keys.map(\.expression).joined(separator: ", "))
       ORDER BY total_tokens DESC, messages DESC
      """
    return try table(sql: sql, arguments: run.map { [$0.runID] } ?? [])
  }

  /// Messages, tool calls and run errors whose text contains every word of `text`, best
  /// matches first; at most `limit` of them (none when it is below 1).
  public func search(_ text: String, limit: Int = 50) throws -> ResultTable {
    // Each word becomes a quoted FTS5 phrase, so that punctuation in what people type is text,
    // not query syntax.
    let query = text.split(whereSeparator: \.isWhitespace)
      .map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
      .joined(separator: " ")
    guard !query.isEmpty else {
      return ResultTable(columns: ["run_id", "node", "kind", "message_id", "snippet"], rows: [])
    }
    return try table(
      sql: """
        SELECT run_id, node, kind, message_id,
               snippet(search_index, 0, '[', ']', '…', 12) AS snippet
          FROM search_index WHERE search_index MATCH ? ORDER BY rank LIMIT \(max(0, limit))
        """, arguments: [query])
  }
}
