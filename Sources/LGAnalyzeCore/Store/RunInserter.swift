import GRDB

/// The insert statements of one write transaction, prepared once for all its runs.
final class RunInserter {
  let event: InsertStatement
  let chunk: InsertStatement
  let message: InsertStatement
  /// For a message stored ahead of its run, which a later copy of it may replace.
  let messageAhead: InsertStatement
  let toolCall: InsertStatement
  /// For a tool call whose result is the text of a message stored ahead of the run: that
  /// message's id is parameter 8.
  let toolCallWithStoredResult: InsertStatement
  private let search: InsertStatement

  init(_ db: Database) throws {
    event = try InsertStatement(
      sql: """
        INSERT INTO events (run_id, attempt, seq, event, mode, namespace, data, line, stream_id,
                            lossy)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """, in: db)
    chunk = try InsertStatement(
      sql: """
        INSERT INTO message_chunks (run_id, attempt, message_id, seq, node, namespace, content,
                                    tool_call_chunks, usage)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """, in: db)
    let messageColumns = """
      INTO messages (run_id, attempt, position, message_id, type, node, namespace, content,
                     tool_calls, tool_call_id, chunk_count, input_tokens, output_tokens,
                     total_tokens, usage, model, provider, first_seq, model_call_id, started_at,
                     started_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """
    message = try InsertStatement(sql: "INSERT OR IGNORE " + messageColumns, in: db)
    messageAhead = try InsertStatement(sql: "INSERT OR REPLACE " + messageColumns, in: db)
    toolCall = try InsertStatement(
      sql: """
        INSERT INTO tool_calls (run_id, attempt, message_id, tool_call_id, name, args, args_valid,
                                result, node)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """, in: db)
    toolCallWithStoredResult = try InsertStatement(
      sql: """
        INSERT INTO tool_calls (run_id, attempt, message_id, tool_call_id, name, args, args_valid,
                                result, node)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
                (SELECT content FROM messages
                  WHERE run_id = ?1 AND attempt = ?2 AND message_id = ?8), ?9)
        """, in: db)
    search = try InsertStatement(
      sql: """
        INSERT INTO search_index (text, run_id, attempt, message_id, node, kind)
        VALUES (?, ?, ?, ?, ?, ?)
        """, in: db)
  }

  /// Adds text to the full-text index.
  func index(
    _ text: String, runID: String, attempt: Int, messageID: String?, node: String?, kind: String
  ) throws {
    search.bind(1, text)
    search.bind(2, runID)
    search.bind(3, attempt)
    search.bind(4, messageID)
    search.bind(5, node)
    search.bind(6, kind)
    try search.execute()
  }
}
