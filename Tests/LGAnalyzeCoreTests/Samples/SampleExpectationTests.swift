import Foundation
import LGAnalyzeCore
import Testing

/// Ingests every file of the sample corpus (Samples/manifest.json) alone into a new database and
/// compares the database with the file's expected analysis (Samples/expected/), by the rules of
/// the project's sample check: runs, statuses, errors, event counts, reassembled messages, tool
/// calls with their results, per-node figures and ingest errors with their lines. Also checks
/// format detection, the damaged and unusual captures in Samples/edge, that the same run saved
/// in several formats gives the same events, and that content ingested again adds nothing.
@Suite struct SampleExpectationTests {
  typealias Entry = SampleCorpus.Entry

  // MARK: - The corpus itself

  @Test func manifestListsEveryFileWithItsExpectedAnalysis() throws {
    let entries = try SampleCorpus.loadManifest()
    #expect(!entries.isEmpty)
    let manager = FileManager.default
    for entry in entries {
      #expect(manager.fileExists(atPath: entry.path), "\(entry.file) is missing")
      #expect(["sse", "jsonl", "transcript"].contains(entry.format), "\(entry.file)")
      let expected = SampleCorpus.folder.appendingPathComponent("expected/\(entry.file).json")
      #expect(manager.fileExists(atPath: expected.path), "no expected analysis of \(entry.file)")
      if let other = entry.sameRunAs {
        #expect(entries.contains { $0.file == other }, "\(entry.file): same run as \(other)?")
      }
    }
    // Every capture in the corpus folders is listed, so none escapes the comparison.
    let listed = Set(entries.map(\.file))
    for folder in ["sse", "jsonl", "transcripts", "edge"] {
      let names = try manager.contentsOfDirectory(
        atPath: SampleCorpus.folder.appendingPathComponent(folder).path)
      for name in names where !name.hasPrefix(".") {
        #expect(listed.contains("\(folder)/\(name)"), "\(folder)/\(name) is not in the manifest")
      }
    }
  }

  // MARK: - Each file against its expected analysis

  @Test(arguments: SampleCorpus.entries)
  func databaseMatchesTheExpectedAnalysis(_ entry: Entry) throws {
    let expected = try SampleCorpus.expected(entry.file)
    let (store, reports) = try SampleCorpus.ingest([entry.file], label: "expected")
    let report = try #require(reports.first)
    if case .failed(let why) = report.outcome {
      Issue.record("\(entry.file) was not stored: \(why)")
      return
    }
    let problems = try ExpectedComparison(store: store, expected: expected).problems()
    #expect(problems.isEmpty, "\(entry.file):\n  \(problems.joined(separator: "\n  "))")
  }

  /// Changes to an expected analysis, each of which the comparison must notice.
  private static var alterations: [(String, (inout [String: Any]) -> Void)] {
    [
      ("status", { $0["status"] = "error" }),
      ("event count", { $0["events"] = ($0["events"] as? Int ?? 0) + 1 }),
      (
        "message text",
        { alterFirst(&$0, "messages") { $0["text"] = ($0["text"] as? String ?? "") + "!" } }
      ),
      ("message type", { alterFirst(&$0, "messages") { $0["type"] = "system" } }),
      ("message node", { alterFirst(&$0, "messages") { $0["node"] = "elsewhere" } }),
      (
        "message tool call",
        {
          alterFirst(&$0, "messages") {
            $0["tool_calls"] = [["id": "x", "name": "y", "args": [:]]]
          }
        }
      ),
      ("message chunks", { alterFirst(&$0, "messages") { $0["chunks"] = 2 } }),
      (
        "message usage",
        { alterFirst(&$0, "messages") { $0["usage"] = ["input_tokens": 1, "output_tokens": 1] } }
      ),
      ("tool call name", { alterFirst(&$0, "tool_calls") { $0["name"] = "other" } }),
      ("tool call args", { alterFirst(&$0, "tool_calls") { $0["args"] = ["city": "Lyon"] } }),
      ("tool call result", { alterFirst(&$0, "tool_calls") { $0["result"] = "nothing" } }),
      (
        "node chunks",
        { run in
          var stats = run["node_stats"] as? [String: Any] ?? [:]
          stats["agent"] = ["chunks": 0, "input_tokens": 0, "output_tokens": 0, "total_tokens": 0]
          run["node_stats"] = stats
        }
      ),
    ]
  }

  /// Applies `change` to the first element of the array `key` of `run`.
  private static func alterFirst(
    _ run: inout [String: Any], _ key: String, _ change: (inout [String: Any]) -> Void
  ) {
    var elements = run[key] as? [[String: Any]] ?? []
    guard !elements.isEmpty else { return }
    change(&elements[0])
    run[key] = elements
  }

  @Test func theComparisonNoticesEveryKindOfDifference() throws {
    let file = "sse/react_messages_tuple.sse"
    let expected = try SampleCorpus.expected(file)
    let (store, _) = try SampleCorpus.ingest([file], label: "alter")
    #expect(try ExpectedComparison(store: store, expected: expected).problems().isEmpty)
    for (name, alteration) in Self.alterations {
      var altered = expected
      var runs = altered.runs
      alteration(&runs[0])
      altered.object["runs"] = runs
      let problems = try ExpectedComparison(store: store, expected: altered).problems()
      #expect(!problems.isEmpty, "an altered \(name) went unnoticed")
    }
    var withError = expected
    withError.object["errors"] = [["line": 7]]
    #expect(try !ExpectedComparison(store: store, expected: withError).problems().isEmpty)
    var withRun = expected
    withRun.object["runs"] = expected.runs + expected.runs
    #expect(try !ExpectedComparison(store: store, expected: withRun).problems().isEmpty)
  }

  @Test(arguments: SampleCorpus.entries)
  func formatIsDetectedAsTheManifestSays(_ entry: Entry) throws {
    // From the content alone: the file name must not be needed.
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: entry.path)))
    let detected = FormatDetector.detect(bytes)
    #expect(detected?.rawValue == entry.format, "\(entry.file)")

    let (store, reports) = try SampleCorpus.ingest([entry.file], label: "format")
    let report = try #require(reports.first)
    #expect(Self.formatFamily(report.format) == entry.format, "\(entry.file): \(report.summary)")
    let stored = try SampleCorpus.rows(store, "SELECT format FROM sources")
    #expect(stored.count == 1)
    #expect(Self.formatFamily(stored.first?["format"]?.stringValue) == entry.format)
  }

  /// `sse`, `jsonl` or `transcript` of a stored format name such as `transcript:awk`.
  private static func formatFamily(_ format: String?) -> String? {
    format?.split(separator: ":").first.map(String.init)
  }

  // MARK: - Ingesting again

  @Test(arguments: SampleCorpus.entries)
  func ingestingTheSameFileAgainAddsNothing(_ entry: Entry) throws {
    let (store, first) = try SampleCorpus.ingest([entry.file], label: "again")
    let before = try SampleCorpus.tableCounts(store)
    #expect(before["sources"] == 1)
    #expect((before["runs"] ?? 0) > 0, "\(entry.file): \(first.first?.summary ?? "")")

    let second = Ingestor(store: store).ingest(paths: [entry.path])
    #expect(second.first?.outcome == .alreadyIngested, "\(second.first?.summary ?? "")")
    #expect(try SampleCorpus.tableCounts(store) == before)
  }

  @Test func aDirectoryAndTheSameFilesAgainAddNothing() throws {
    let folder = SampleCorpus.path(of: "jsonl")
    let store = try SampleCorpus.makeStore("again-dir")
    let first = Ingestor(store: store).ingest(paths: [folder])
    #expect(first.count == SampleCorpus.entries(in: "jsonl").count)
    let before = try SampleCorpus.tableCounts(store)
    #expect(before["sources"] == first.count)

    let second = Ingestor(store: store).ingest(paths: [folder] + first.map(\.path))
    #expect(second.allSatisfy { $0.outcome == .alreadyIngested })
    #expect(try SampleCorpus.tableCounts(store) == before)
  }

  // MARK: - The same run in several formats

  /// Manifest entries that hold the same run as another file, both read without loss.
  static let sameRunPairs = SampleCorpus.entries.filter { entry in
    guard let other = entry.sameRunAs, !entry.isLossy else { return false }
    return (try? SampleCorpus.entry(other).isLossy) == false
  }

  @Test(arguments: sameRunPairs)
  func theSameRunInAnotherFormatGivesTheSameEvents(_ entry: Entry) throws {
    let other = try #require(entry.sameRunAs)
    let (store, _) = try SampleCorpus.ingest([entry.file], label: "same-run")
    let (otherStore, _) = try SampleCorpus.ingest([other], label: "same-run")
    let events = try Self.events(store)
    let otherEvents = try Self.events(otherStore)
    #expect(!events.isEmpty)
    #expect(events.count == otherEvents.count, "\(entry.file) against \(other)")
    for (mine, theirs) in zip(events, otherEvents) where mine != theirs {
      Issue.record("\(entry.file) against \(other): \(mine) ≠ \(theirs)")
      break
    }
  }

  @Test(arguments: SampleCorpus.entries.filter { $0.sameRunAs != nil })
  func aFileAndAnotherFormatOfItsRunLeaveOneRun(_ entry: Entry) throws {
    let other = try #require(entry.sameRunAs)
    let (store, reports) = try SampleCorpus.ingest([other, entry.file], label: "one-run")
    #expect(reports.count == 2)
    let runs = try SampleCorpus.rows(store, "SELECT run_id, attempt FROM runs")
    let expectedRuns = try SampleCorpus.expected(other).runs
    #expect(runs.count == expectedRuns.count, "\(other) then \(entry.file): \(runs)")
    #expect(try SampleCorpus.integer(store, "SELECT COUNT(*) FROM sources") == 2)
    // Each run's events are there once.
    for run in expectedRuns {
      let id = try #require(run["run_id"] as? String)
      let count = try SampleCorpus.integer(
        store, "SELECT COUNT(*) FROM events WHERE run_id = ?", id)
      #expect(count == run["events"] as? Int, "\(id)")
    }
  }

  /// A file holding part of a run (cut off, with a corrupt line, or with parts elided) and a
  /// file holding the whole of it.
  struct PartialCopy: Sendable, CustomStringConvertible {
    var partial: String
    var whole: String
    var description: String { "\(partial) / \(whole)" }
  }

  /// The damaged edge captures and the lossy transcripts, each with its whole counterpart.
  static let partialCopies: [PartialCopy] =
    [
      PartialCopy(partial: "edge/truncated.sse", whole: "sse/react_messages_tuple.sse"),
      PartialCopy(partial: "edge/corrupt_line.jsonl", whole: "jsonl/react_messages_tuple.jsonl"),
    ]
    + SampleCorpus.entries.compactMap { entry in
      guard entry.isLossy, let whole = entry.sameRunAs else { return nil }
      return PartialCopy(partial: entry.file, whole: whole)
    }

  @Test(arguments: partialCopies, [true, false])
  func theWholeCopyOfARunIsKeptWhicheverComesFirst(_ pair: PartialCopy, partialFirst: Bool)
    throws
  {
    let partialRuns = try SampleCorpus.expected(pair.partial).runs.map { $0["run_id"] as? String }
    let expected = try SampleCorpus.expected(pair.whole)
    #expect(partialRuns == expected.runs.map { $0["run_id"] as? String }, "not the same run")

    let files = partialFirst ? [pair.partial, pair.whole] : [pair.whole, pair.partial]
    let (store, _) = try SampleCorpus.ingest(files, label: "partial")
    let problems = try ExpectedComparison(store: store, expected: expected).problems()
    #expect(problems.isEmpty, "\(files):\n  \(problems.joined(separator: "\n  "))")
    let sources = try SampleCorpus.rows(store, "SELECT DISTINCT source FROM runs")
    #expect(sources.map { $0["source"]?.stringValue } == [SampleCorpus.path(of: pair.whole)])
    #expect(try SampleCorpus.integer(store, "SELECT COUNT(*) FROM events WHERE lossy = 1") == 0)
  }

  /// Every stored event in order: run, seq, full event name and payload.
  private static func events(_ store: RunStore) throws -> [String] {
    try SampleCorpus.rows(
      store, "SELECT run_id, seq, event, data FROM events ORDER BY run_id, attempt, seq"
    ).map { row in
      ["run_id", "seq", "event", "data"].map { row[$0].map(Self.text) ?? "?" }
        .joined(separator: " ")
    }
  }

  private static func text(_ value: JSONValue) -> String {
    switch value {
    case .null: "NULL"
    case .number(let number): number
    case .string(let string): string
    default: "\(value)"
    }
  }

  // MARK: - Edge cases

  @Test func aTruncatedCaptureKeepsEveryWholeEventAndMarksTheRunIncomplete() throws {
    let file = "edge/truncated.sse"
    let (store, reports) = try SampleCorpus.ingest([file], label: "truncated")
    let report = try #require(reports.first)
    let expected = try SampleCorpus.expected(file)
    let lastRun = try #require(expected.runs.last)
    let runID = try #require(lastRun["run_id"] as? String)
    #expect(lastRun["status"] as? String == "incomplete")

    let run = try #require(
      try SampleCorpus.rows(store, "SELECT status, event_count FROM runs WHERE run_id = ?", runID)
        .first)
    #expect(run["status"]?.stringValue == "incomplete")
    #expect(run["event_count"]?.intValue == lastRun["events"] as? Int)

    // The capture was cut from react_messages_tuple.sse: the events before the cut are its first
    // events, unchanged.
    let (whole, _) = try SampleCorpus.ingest(["sse/react_messages_tuple.sse"], label: "whole")
    let kept = try Self.events(store)
    let original = try Self.events(whole)
    #expect(kept.count == lastRun["events"] as? Int)
    #expect(kept.count < original.count)
    #expect(kept == Array(original.prefix(kept.count)))

    // The cut is reported on the line it happens in, the last of the file.
    let lines = try Self.lineCount(of: file)
    #expect(report.issues.map(\.line) == [lines], "\(report.summary)")
    #expect(!report.isClean)
    #expect(report.summary.contains(file) && report.summary.contains("line \(lines)"))
    let recorded = try SampleCorpus.rows(store, "SELECT source, line FROM ingest_errors")
    #expect(recorded.map { $0["line"]?.intValue } == [lines])
  }

  @Test func aCorruptJSONLLineIsReportedAndEveryOtherLineKept() throws {
    let file = "edge/corrupt_line.jsonl"
    let expected = try SampleCorpus.expected(file)
    #expect(expected.errorLines == [40])
    let (store, reports) = try SampleCorpus.ingest([file], label: "corrupt")
    let report = try #require(reports.first)
    #expect(report.issues.map(\.line) == [40], "\(report.summary)")
    #expect(!report.isClean)
    #expect(report.summary.contains("line 40"))
    let errors = try SampleCorpus.rows(store, "SELECT source, line, message FROM ingest_errors")
    #expect(errors.count == 1)
    #expect(errors.first?["line"]?.intValue == 40)
    #expect(errors.first?["source"]?.stringValue == SampleCorpus.path(of: file))
    let message = errors.first?["message"]?.stringValue ?? ""
    #expect(!message.isEmpty)

    // Every other line is an event, on its own line number.
    let lines = try Self.lineCount(of: file)
    let eventLines = try SampleCorpus.rows(store, "SELECT line FROM events ORDER BY run_id, seq")
      .compactMap { $0["line"]?.intValue }
    #expect(eventLines == Array(1...lines).filter { $0 != 40 })

    // … and holds what the same line of the undamaged dump holds.
    let (whole, _) = try SampleCorpus.ingest(["jsonl/react_messages_tuple.jsonl"], label: "whole")
    let original = try SampleCorpus.rows(
      whole, "SELECT line, event, data FROM events ORDER BY run_id, seq")
    let kept = try SampleCorpus.rows(
      store, "SELECT line, event, data FROM events ORDER BY run_id, seq")
    #expect(kept == original.filter { $0["line"]?.intValue != 40 })
  }

  @Test func heartbeatsCommentsRetryAndAByteOrderMarkChangeNoEvent() throws {
    let file = "edge/heartbeat.sse"
    let bytes = try Data(contentsOf: URL(fileURLWithPath: SampleCorpus.path(of: file)))
    let text = String(decoding: bytes, as: UTF8.self)
    // The capture does have what the test is about.
    #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
    #expect(text.contains("\n: ") && text.contains("\nretry:"))

    let (store, reports) = try SampleCorpus.ingest([file], label: "heartbeat")
    let report = try #require(reports.first)
    #expect(report.isClean, "\(report.summary)")
    let (plain, _) = try SampleCorpus.ingest(["sse/weather_messages_tuple.sse"], label: "plain")
    let events = try Self.events(store)
    #expect(!events.isEmpty)
    #expect(events == (try Self.events(plain)))
    // The byte order mark did not stick to the first field's name.
    let first = try SampleCorpus.rows(store, "SELECT event FROM events WHERE seq = 0")
    #expect(first.map { $0["event"]?.stringValue } == ["metadata"])
  }

  @Test func lineFeedOnlyLineBreaksReadLikeCRLF() throws {
    let file = "edge/lf_only.sse"
    let bytes = try Data(contentsOf: URL(fileURLWithPath: SampleCorpus.path(of: file)))
    #expect(!bytes.contains(0x0D))
    let (store, reports) = try SampleCorpus.ingest([file], label: "lf")
    #expect(reports.first?.isClean == true, "\(reports.first?.summary ?? "")")
    let events = try Self.events(store)
    #expect(!events.isEmpty)
    // The same capture with CRLF line breaks.
    let run = try #require(try SampleCorpus.expected(file).runs.first?["run_id"] as? String)
    let crlf = try #require(
      SampleCorpus.entries(in: "sse").first { entry in
        (try? SampleCorpus.expected(entry.file).runs.map { $0["run_id"] as? String }) == [run]
      })
    let (original, _) = try SampleCorpus.ingest([crlf.file], label: "crlf")
    #expect(events == (try Self.events(original)), "against \(crlf.file)")
  }

  @Test func aCaptureOfSeveralStreamsGivesOneRunPerStream() throws {
    let entry = try SampleCorpus.entry("edge/multi_run.sse")
    // The manifest says which captures were concatenated: `cat a.sse b.sse c.sse`.
    let parts = entry.source.split(separator: " ").filter { $0.hasSuffix(".sse") }
      .map { "sse/\($0)" }
    #expect(parts.count == 3)
    let (store, reports) = try SampleCorpus.ingest([entry.file], label: "multi")
    #expect(reports.first?.isClean == true, "\(reports.first?.summary ?? "")")
    #expect(reports.first?.runCount == 3)
    let runs = try SampleCorpus.rows(store, "SELECT run_id, status FROM runs")
    #expect(runs.count == 3)

    var combined: [String] = []
    var partRuns: [String] = []
    for part in parts {
      let (single, _) = try SampleCorpus.ingest([part], label: "part")
      combined += try Self.events(single)
      partRuns += try SampleCorpus.rows(single, "SELECT run_id FROM runs")
        .compactMap { $0["run_id"]?.stringValue }
    }
    #expect(Set(runs.compactMap { $0["run_id"]?.stringValue }) == Set(partRuns))
    #expect(try Self.events(store).sorted() == combined.sorted())
    // Each run starts where its stream starts in the file, in the order they were joined.
    let starts = try SampleCorpus.rows(
      store, "SELECT run_id FROM events WHERE seq = 0 ORDER BY line"
    ).compactMap { $0["run_id"]?.stringValue }
    #expect(starts == partRuns)
  }

  /// The number of lines in a sample (a last line without a line break counts).
  private static func lineCount(of file: String) throws -> Int {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: SampleCorpus.path(of: file)))
    let breaks = bytes.filter { $0 == 0x0A }.count
    return bytes.last == 0x0A ? breaks : breaks + 1
  }
}

// MARK: - The comparison

/// Compares a database holding one sample file with that file's expected analysis, by the
/// rules of the project's sample check, and lists every difference in words.
private struct ExpectedComparison {
  let store: RunStore
  let expected: SampleCorpus.Expected

  func problems() throws -> [String] {
    var out: [String] = []
    let runs = try SampleCorpus.rows(store, "SELECT run_id, status, error, event_count FROM runs")
    var byID: [String: [String: JSONValue]] = [:]
    for run in runs { byID[run["run_id"]?.stringValue ?? ""] = run }
    if runs.count != expected.runs.count {
      out.append("runs: expected \(expected.runs.count), found \(runs.count)")
    }
    for run in expected.runs {
      let id = run["run_id"] as? String ?? "?"
      guard let stored = byID[id] else {
        out.append("run \(id): missing")
        continue
      }
      out += try compareRun(id, stored: stored, expected: run)
    }
    let errorLines = try SampleCorpus.rows(store, "SELECT line FROM ingest_errors")
      .compactMap { $0["line"]?.intValue }
    for line in expected.errorLines where !errorLines.contains(line) {
      out.append("ingest_errors: no row for line \(line) (found lines \(errorLines))")
    }
    return out
  }

  private func compareRun(
    _ id: String, stored: [String: JSONValue], expected run: [String: Any]
  ) throws -> [String] {
    var out: [String] = []
    let status = run["status"] as? String
    if stored["status"]?.stringValue != status {
      out.append("run \(id): status \(describe(stored["status"])), expected \(status ?? "?")")
    }
    if status == "error" {
      let message: String
      if let error = run["error"] as? [String: Any] {
        message = error["message"] as? String ?? ""
      } else {
        message = run["error"].map { "\($0)" } ?? ""
      }
      let error = stored["error"]?.stringValue ?? ""
      if !message.isEmpty && !error.contains(message) {
        out.append("run \(id): error \(error.debugDescription) does not contain \(message)")
      }
    }
    let events = run["events"] as? Int
    let wanted = events.map(String.init) ?? "?"
    if stored["event_count"]?.intValue != events {
      out.append("run \(id): event_count \(describe(stored["event_count"])), expected \(wanted)")
    }
    let eventRows = try SampleCorpus.rows(
      store, "SELECT seq, data FROM events WHERE run_id = ? ORDER BY seq", id)
    if eventRows.count != events {
      out.append("run \(id): \(eventRows.count) rows in events, expected \(wanted)")
    }
    for row in eventRows {
      guard let data = row["data"]?.stringValue else { continue }
      if SampleCorpus.parse(data) == nil {
        out.append("run \(id): events.data of seq \(describe(row["seq"])) is not JSON")
        break
      }
    }
    if expected.isLossy { return out }
    out += try compareMessages(id, expected: run["messages"] as? [[String: Any]] ?? [])
    out += try compareToolCalls(id, expected: run["tool_calls"] as? [[String: Any]] ?? [])
    out += try compareNodeStats(id, expected: run["node_stats"] as? [String: Any] ?? [:])
    return out
  }

  private func compareMessages(_ id: String, expected messages: [[String: Any]]) throws
    -> [String]
  {
    var out: [String] = []
    var stored: [String: [String: JSONValue]] = [:]
    for row in try SampleCorpus.rows(store, "SELECT * FROM messages WHERE run_id = ?", id) {
      stored[row["message_id"]?.stringValue ?? ""] = row
    }
    for message in messages {
      let messageID = message["id"] as? String ?? "?"
      let at = "run \(id) message \(messageID)"
      guard let row = stored[messageID] else {
        out.append("\(at): missing from messages")
        continue
      }
      let type = message["type"] as? String
      if row["type"]?.stringValue != type {
        out.append("\(at): type \(describe(row["type"])), expected \(type ?? "?")")
      }
      let text = message["text"] as? String ?? ""
      let content = row["content"]?.stringValue ?? ""
      if content != text {
        out.append("\(at): content \(content.prefix(60).debugDescription), expected \(text)")
      }
      if let node = message["node"] as? String, !node.isEmpty,
        row["node"]?.stringValue != node
      {
        out.append("\(at): node \(describe(row["node"])), expected \(node)")
      }
      if let chunks = message["chunks"] as? Int, chunks > 1, row["chunk_count"]?.intValue != chunks
      {
        out.append("\(at): chunk_count \(describe(row["chunk_count"])), expected \(chunks)")
      }
      let storedCalls = row["tool_calls"]?.stringValue.flatMap(SampleCorpus.parse) as? [Any] ?? []
      let got = toolCallKeys(storedCalls.compactMap { $0 as? [String: Any] })
      let want = toolCallKeys(message["tool_calls"] as? [[String: Any]] ?? [])
      if got != want {
        out.append("\(at): tool_calls \(got), expected \(want)")
      }
      if let usage = message["usage"] as? [String: Any] {
        for key in ["input_tokens", "output_tokens", "total_tokens"] {
          guard let tokens = usage[key] as? Int else { continue }
          if row[key]?.intValue != tokens {
            out.append("\(at): \(key) \(describe(row[key])), expected \(tokens)")
          }
        }
      }
    }
    return out
  }

  /// Tool calls as sortable (id, name, args) text, args with sorted keys.
  private func toolCallKeys(_ calls: [[String: Any]]) -> [String] {
    calls.map { call in
      [call["id"], call["name"], call["args"]].map(SampleCorpus.canonical).joined(separator: " ")
    }.sorted()
  }

  private func compareToolCalls(_ id: String, expected calls: [[String: Any]]) throws
    -> [String]
  {
    var out: [String] = []
    var stored: [String: [String: JSONValue]] = [:]
    for row in try SampleCorpus.rows(store, "SELECT * FROM tool_calls WHERE run_id = ?", id) {
      stored[row["tool_call_id"]?.stringValue ?? ""] = row
    }
    for call in calls {
      let callID = call["id"] as? String ?? "?"
      let at = "run \(id) tool call \(callID)"
      guard let row = stored[callID] else {
        out.append("\(at): missing from tool_calls")
        continue
      }
      let name = call["name"] as? String
      if row["name"]?.stringValue != name {
        out.append("\(at): name \(describe(row["name"])), expected \(name ?? "?")")
      }
      let args = row["args"]?.stringValue
      let parsed: Any? = args.flatMap(SampleCorpus.parse) ?? args
      if SampleCorpus.canonical(parsed) != SampleCorpus.canonical(call["args"]) {
        out.append(
          "\(at): args \(args ?? "NULL"), expected \(SampleCorpus.canonical(call["args"]))")
      }
      if let result = call["result"] as? String, row["result"]?.stringValue != result {
        out.append("\(at): result \(describe(row["result"])), expected \(result.prefix(60))")
      }
    }
    return out
  }

  private func compareNodeStats(_ id: String, expected stats: [String: Any]) throws -> [String] {
    var out: [String] = []
    var stored: [String: [String: JSONValue]] = [:]
    for row in try SampleCorpus.rows(store, "SELECT * FROM node_stats WHERE run_id = ?", id) {
      if let node = row["node"]?.stringValue { stored[node] = row }
    }
    for (node, value) in stats where node != "None" {
      guard let row = stored[node] else {
        out.append("run \(id) node \(node): missing from node_stats")
        continue
      }
      let figures = value as? [String: Any] ?? [:]
      for key in ["chunks", "input_tokens", "output_tokens", "total_tokens"] {
        let want = figures[key] as? Int
        let got = row[key]?.intValue ?? 0
        if got != want {
          let wanted = want.map(String.init) ?? "?"
          out.append("run \(id) node \(node): node_stats.\(key) \(got), expected \(wanted)")
        }
      }
    }
    return out
  }

  private func describe(_ value: JSONValue?) -> String {
    switch value {
    case nil, .null?: "NULL"
    case .number(let number)?: number
    case .string(let text)?: String(text.prefix(60)).debugDescription
    case let other?: "\(other)"
    }
  }
}
