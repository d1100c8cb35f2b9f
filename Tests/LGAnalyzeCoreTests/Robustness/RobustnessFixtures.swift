import Foundation
import GRDB
import Testing

@testable import LGAnalyzeCore

/// What the robustness suites share: the sample captures, scratch folders, a seeded random
/// source, and looks into a store that tell whether a run is still exactly as it was.
enum RobustnessFixtures {
  static let samples = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Samples")

  /// True when LGANALYZE_LONG_TESTS=1 asks for many more generated cases.
  static var isLong: Bool { ProcessInfo.processInfo.environment["LGANALYZE_LONG_TESTS"] == "1" }

  /// A sample capture and the reader it needs.
  struct Sample: Sendable, CustomStringConvertible {
    var path: String
    var kind: FormatKind
    var name: String { (path as NSString).lastPathComponent }
    var description: String { name }
  }

  /// Every capture in Samples/sse, jsonl, transcripts and edge, in a stable order.
  static func sampleFiles() throws -> [Sample] {
    var files: [Sample] = []
    for folder in ["sse", "jsonl", "transcripts", "edge"] {
      let url = samples.appendingPathComponent(folder)
      for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() {
        let kind: FormatKind =
          name.hasSuffix(".sse") ? .sse : name.hasSuffix(".jsonl") ? .jsonl : .transcript
        files.append(Sample(path: url.appendingPathComponent(name).path, kind: kind))
      }
    }
    return files
  }

  /// The bytes of a file.
  static func bytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// A new empty folder under the temporary directory; remove it with `removeScratch`.
  static func scratchFolder(_ label: String) throws -> URL {
    try TestScratch.folder(label)
  }

  static func removeScratch(_ folder: URL) {
    try? FileManager.default.removeItem(at: folder)
  }

  /// Writes `bytes` to `name` in `folder` and returns the file's path.
  @discardableResult
  static func write(_ bytes: [UInt8], named name: String, in folder: URL) throws -> String {
    let url = folder.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
  }

  /// The rows of `sql` as tab-separated canonical JSON cells.
  static func rows(_ store: RunStore, _ sql: String, _ arguments: [String] = []) throws
    -> [String]
  {
    try store.table(sql: sql, arguments: arguments).rows.map { row in
      row.map(\.canonicalText).joined(separator: "\t")
    }
  }

  /// The single integer `sql` answers.
  static func integer(_ store: RunStore, _ sql: String, _ arguments: [String] = []) throws -> Int {
    let table = try store.table(sql: sql, arguments: arguments)
    return table.rows.first?.first?.intValue ?? -1
  }

  /// What `PRAGMA integrity_check` says: "ok" for a sound database.
  static func integrity(_ store: RunStore) throws -> String {
    try store.table(sql: "PRAGMA integrity_check").rows
      .map { $0.first?.stringValue ?? "?" }.joined(separator: "; ")
  }

  /// Every stored row of a run — the run, its events, chunks, messages and tool calls — in a
  /// stable order: equal snapshots mean the run was left untouched.
  static func snapshot(of runID: String, in store: RunStore) throws -> [String] {
    let queries = [
      "SELECT * FROM runs WHERE run_id = ? ORDER BY attempt",
      "SELECT * FROM events WHERE run_id = ? ORDER BY attempt, seq",
      """
      SELECT * FROM message_chunks WHERE run_id = ?
       ORDER BY attempt, seq, message_id, content, tool_call_chunks, usage
      """,
      "SELECT * FROM messages WHERE run_id = ? ORDER BY attempt, position",
      """
      SELECT * FROM tool_calls WHERE run_id = ?
       ORDER BY attempt, message_id, tool_call_id, name, args, result
      """,
    ]
    var snapshot: [String] = []
    for sql in queries { snapshot += try rows(store, sql, [runID]) }
    return snapshot
  }

  /// The run ids a store holds.
  static func runIDs(in store: RunStore) throws -> [String] {
    try store.table(sql: "SELECT DISTINCT run_id FROM runs ORDER BY run_id").rows.compactMap {
      $0.first?.stringValue
    }
  }

  /// Makes a database at `path` as an earlier version of lganalyze left it: the schema up to
  /// migration `version`, holding what `fill` writes.
  static func earlierDatabase(
    at path: String, upTo version: String, _ fill: (Database) throws -> Void = { _ in }
  ) throws {
    let queue = try DatabaseQueue(path: path)
    try Schema.migrator.migrate(queue, upTo: version)
    try queue.write(fill)
    try queue.close()
  }

  /// A store in a fresh database file of `folder`.
  static func newStore(in folder: URL, name: String = "lganalyze.db") throws -> RunStore {
    try RunStore(path: folder.appendingPathComponent(name).path)
  }

  /// Text as a store keeps it: U+0000 cannot pass through to SQLite and becomes U+FFFD.
  static func stored(_ text: String) -> String {
    text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
  }

  /// The offset where each line starts (index 0 is line 1), with CRLF, LF and a lone CR each
  /// ending a line: the same rule the readers follow, written out byte by byte.
  static func lineStarts(_ bytes: [UInt8]) -> [Int] {
    var starts = [0]
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      if byte == 0x0D, index < bytes.count, bytes[index] == 0x0A { index += 1 }
      if byte == 0x0A || byte == 0x0D { starts.append(index) }
    }
    return starts
  }
}
