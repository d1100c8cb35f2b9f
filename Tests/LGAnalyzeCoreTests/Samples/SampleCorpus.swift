import Foundation
import LGAnalyzeCore

/// The sample corpus in Samples/: real LangGraph streams saved as SSE, JSONL and transcripts,
/// listed in manifest.json, each with the analysis LangGraph's and langchain_core's own code
/// made of it in expected/<file>.json.
enum SampleCorpus {
  /// The Samples folder of this checkout, found from this file's place in Tests/.
  static let folder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // Samples (tests)
    .deletingLastPathComponent()  // LGAnalyzeCoreTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // the package
    .appendingPathComponent("Samples")

  /// One file of the manifest.
  struct Entry: Sendable, CustomStringConvertible {
    /// The path below Samples/, e.g. `sse/weather_values.sse`.
    var file: String
    /// sse, jsonl or transcript.
    var format: String
    /// How the file was made (`curl`, `awk`, `python sdk print`, …).
    var source: String
    /// Another manifest file that holds the same run, when the manifest says so.
    var sameRunAs: String?

    var description: String { file }

    /// The file's absolute path.
    var path: String { SampleCorpus.path(of: file) }

    /// The transcript is a rendering that elided nested parts (JavaScript's console.log).
    var isLossy: Bool { source.contains("lossy") }
  }

  /// Why the corpus could not be read.
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Every manifest entry, in manifest order; empty when the manifest cannot be read (a test
  /// of `loadManifest()` then says why).
  static let entries: [Entry] = (try? loadManifest()) ?? []

  /// The entries of files in one of the corpus folders (`sse`, `jsonl`, `transcripts`, `edge`).
  static func entries(in folder: String) -> [Entry] {
    entries.filter { $0.file.hasPrefix(folder + "/") }
  }

  /// The manifest entry of `file`.
  static func entry(_ file: String) throws -> Entry {
    guard let entry = entries.first(where: { $0.file == file }) else {
      throw Failure(description: "\(file) is not in the manifest")
    }
    return entry
  }

  /// The absolute path of a file below Samples/.
  static func path(of file: String) -> String {
    folder.appendingPathComponent(file).path
  }

  /// Reads manifest.json.
  static func loadManifest() throws -> [Entry] {
    let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
    guard let items = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
      throw Failure(description: "manifest.json is not an array of objects")
    }
    return try items.map { item in
      guard let file = item["file"] as? String, let format = item["format"] as? String else {
        throw Failure(description: "a manifest entry without file or format: \(item)")
      }
      return Entry(
        file: file, format: format, source: item["source"] as? String ?? "",
        sameRunAs: item["same_run_as"] as? String)
    }
  }

  /// The expected analysis of `file` (expected/<file>.json).
  static func expected(_ file: String) throws -> Expected {
    let url = folder.appendingPathComponent("expected/\(file).json")
    let data = try Data(contentsOf: url)
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw Failure(description: "expected/\(file).json is not an object")
    }
    return Expected(object: object)
  }

  /// The expected analysis of one file, as its JSON says.
  struct Expected {
    var object: [String: Any]

    /// The runs, each as its JSON object.
    var runs: [[String: Any]] { object["runs"] as? [[String: Any]] ?? [] }
    /// Only runs and events are compared: the rendering elided nested parts.
    var isLossy: Bool { object["lossy"] as? Bool ?? false }
    /// The lines an ingest error must be recorded on.
    var errorLines: [Int] {
      (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int }
    }
  }

  /// A new, empty store in a temporary folder of its own.
  static func makeStore(_ label: String = "samples") throws -> RunStore {
    let folder = try TestScratch.folder(label)
    return try RunStore(path: folder.appendingPathComponent("t.db").path)
  }

  /// A store holding `files` (paths below Samples/), ingested in order; and the reports.
  static func ingest(_ files: [String], label: String = "samples") throws
    -> (store: RunStore, reports: [FileReport])
  {
    let store = try makeStore(label)
    let reports = Ingestor(store: store).ingest(paths: files.map(path(of:)))
    return (store, reports)
  }
}

// MARK: - Comparing JSON

extension SampleCorpus {
  /// `value` (parsed by JSONSerialization) as compact JSON with sorted keys, so that equal
  /// values give equal text whatever order their keys came in; `nil` and null give "null".
  static func canonical(_ value: Any?) -> String {
    guard let value, !(value is NSNull) else { return "null" }
    guard
      let data = try? JSONSerialization.data(
        withJSONObject: [value], options: [.sortedKeys, .fragmentsAllowed])
    else { return "\(value)" }
    // Written inside an array so that strings and numbers serialize too; drop the brackets.
    let text = String(decoding: data, as: UTF8.self)
    return String(text.dropFirst().dropLast())
  }

  /// JSON text as JSONSerialization reads it, or nil when it is not JSON.
  static func parse(_ text: String) -> Any? {
    try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
  }
}

// MARK: - Reading a store

extension SampleCorpus {
  /// The rows `sql` gives on `store`, each keyed by column name.
  static func rows(_ store: RunStore, _ sql: String, _ arguments: String...) throws
    -> [[String: JSONValue]]
  {
    let table = try store.table(sql: sql, arguments: arguments)
    return table.rows.map { Dictionary(uniqueKeysWithValues: zip(table.columns, $0)) }
  }

  /// The single integer `sql` gives on `store`.
  static func integer(_ store: RunStore, _ sql: String, _ arguments: String...) throws -> Int {
    let table = try store.table(sql: sql, arguments: arguments)
    guard let value = table.rows.first?.first?.intValue else {
      throw Failure(description: "no integer from \(sql)")
    }
    return value
  }

  /// The number of rows in each table an ingest writes to.
  static func tableCounts(_ store: RunStore) throws -> [String: Int] {
    var counts: [String: Int] = [:]
    for name in [
      "sources", "runs", "events", "message_chunks", "messages", "tool_calls", "ingest_errors",
    ] {
      counts[name] = try integer(store, "SELECT COUNT(*) FROM \(name)")
    }
    return counts
  }
}
