import Foundation
import LGAnalyzeCore
import Synchronization
import Testing

/// Hostile files — cut off, bytes flipped, garbage inserted, invalid UTF-8, NUL bytes, a binary
/// file, an empty file, only comments, only CRs, a 40 MB line, a 20 MB string, 200,000-deep
/// nesting, a directory of everything — each ingested into a store that already holds a sample
/// run. Nothing traps or hangs; the trouble is reported with its file and line (or the file is
/// skipped with a reason); the good events around it are stored; the sample run is exactly as
/// it was; and the database passes its integrity check.
@Suite(.serialized) struct PathologicalInputTests {
  /// The capture the store holds before each test.
  private static let sample = RobustnessFixtures.samples
    .appendingPathComponent("sse/weather_messages_tuple.sse").path

  /// A scratch folder with a store that already holds the sample run, and that run's rows.
  private struct Fixture {
    let folder: URL
    let store: RunStore
    let earlierRuns: [String: [String]]

    init(_ label: String) throws {
      folder = try RobustnessFixtures.scratchFolder(label)
      store = try RobustnessFixtures.newStore(in: folder)
      let report = Ingestor(store: store).ingestFile(path: PathologicalInputTests.sample)
      #expect(report.isClean, "\(report.summary)")
      var runs: [String: [String]] = [:]
      for runID in try RobustnessFixtures.runIDs(in: store) {
        runs[runID] = try RobustnessFixtures.snapshot(of: runID, in: store)
      }
      #expect(!runs.isEmpty)
      earlierRuns = runs
    }

    func remove() { RobustnessFixtures.removeScratch(folder) }

    /// Writes `bytes` as `name` and ingests it.
    func ingest(_ bytes: [UInt8], named name: String, as format: FormatKind? = nil) throws
      -> (path: String, report: FileReport)
    {
      let path = try RobustnessFixtures.write(bytes, named: name, in: folder)
      return (path, Ingestor(store: store, forcedFormat: format).ingestFile(path: path))
    }

    /// The runs stored before are all there, row for row, and the database is sound.
    func expectEarlierRunsIntact(_ comment: Comment? = nil) throws {
      for (runID, rows) in earlierRuns {
        let now = try RobustnessFixtures.snapshot(of: runID, in: store)
        #expect(now == rows, "run \(runID) changed: \(comment?.rawValue ?? "")")
      }
      #expect(try RobustnessFixtures.integrity(store) == "ok")
    }

    /// The ingest_errors rows recorded for `path`: line and message.
    func errors(for path: String) throws -> [(line: Int?, message: String, excerpt: String?)] {
      try store.table(
        sql: "SELECT line, message, excerpt FROM ingest_errors WHERE source = ? ORDER BY line",
        arguments: [path]
      ).rows.map { ($0[0].intValue, $0[1].stringValue ?? "", $0[2].stringValue) }
    }

    /// Expects an ingest_errors row for `path` on `line` (any line when nil) whose message
    /// contains `text`.
    func expectError(
      for path: String, line: Int?, containing text: String = "",
      sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
      let rows = try errors(for: path)
      let match = rows.contains { row in
        let lineMatches = line.map { row.line == $0 } ?? ((row.line ?? 0) >= 1)
        return lineMatches && (text.isEmpty || row.message.contains(text))
      }
      let recorded = rows.map { "\($0.line ?? -1): \($0.message)" }
      #expect(
        match,
        Comment(
          rawValue: "no ingest error for \((path as NSString).lastPathComponent) at line "
            + "\(line ?? -1) mentioning '\(text)'; recorded: \(recorded)"),
        sourceLocation: sourceLocation)
    }

    /// The events stored for a run: line, name and data, in order.
    func events(ofRun runID: String) throws -> [(line: Int, name: String, data: String?)] {
      try store.table(
        sql: "SELECT line, event, data FROM events WHERE run_id = ? ORDER BY attempt, seq",
        arguments: [runID]
      ).rows.map { ($0[0].intValue ?? 0, $0[1].stringValue ?? "", $0[2].stringValue) }
    }

    /// Expects `runID` stored with `count` events.
    func expectRun(
      _ runID: String, events count: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
      #expect(try events(ofRun: runID).count == count, sourceLocation: sourceLocation)
    }
  }

  // MARK: - Building inputs

  /// A small well-formed run — metadata, values, updates — in the syntax of `kind`.
  static func goodRun(_ runID: String, as kind: FormatKind) -> [UInt8] {
    let payloads = [
      ("metadata", #"{"run_id":"\#(runID)","attempt":1}"#),
      ("values", #"{"messages":[{"type":"human","content":"hi","id":"\#(runID)-h"}]}"#),
      ("updates", #"{"agent":{"messages":[{"type":"ai","content":"yo","id":"\#(runID)-a"}]}}"#),
    ]
    var text = ""
    for (name, data) in payloads {
      switch kind {
      case .sse: text += "event: \(name)\r\ndata: \(data)\r\n\r\n"
      case .jsonl: text += #"{"event":"\#(name)","data":\#(data)}"# + "\n"
      case .transcript: text += "Receiving event of type: \(name)...\n\(data)\n\n"
      }
    }
    return Array(text.utf8)
  }

  /// The 1-based line that starts at `offset` of `bytes`.
  static func line(at offset: Int, in bytes: [UInt8]) -> Int {
    RobustnessFixtures.lineStarts(Array(bytes[..<offset])).count
  }

  /// `prefix` + `middle` + `suffix`, and the line `middle` starts on.
  static func around(_ prefix: [UInt8], _ middle: [UInt8], _ suffix: [UInt8]) -> ([UInt8], Int) {
    (prefix + middle + suffix, line(at: prefix.count, in: prefix + middle))
  }

  /// An event header or field that puts `payload` on the line after it, in `kind`'s syntax.
  static func event(_ payload: [UInt8], as kind: FormatKind, name: String = "values") -> [UInt8] {
    switch kind {
    case .sse: Array("event: \(name)\ndata: ".utf8) + payload + Array("\n\n".utf8)
    case .jsonl: Array(#"{"event":"\#(name)","data":"#.utf8) + payload + Array("}\n".utf8)
    case .transcript: Array("Receiving event of type: \(name)...\n".utf8) + payload + [0x0A]
    }
  }

  /// Where a reader reports an unreadable payload `event(_:as:)` wrote, counted from the
  /// event's first line: SSE on the data line, JSONL on the line, a transcript on its header.
  static func issueLineOffset(_ kind: FormatKind) -> Int { kind == .sse ? 1 : 0 }

  // MARK: - Damaged captures

  @Test func truncatedCaptureKeepsItsWholeEventsAndLeavesTheStoredCopy() throws {
    let fixture = try Fixture("truncated")
    defer { fixture.remove() }
    for name in ["sse/weather_messages_tuple.sse", "sse/react_messages_tuple.sse"] {
      let original = try RobustnessFixtures.bytes(
        RobustnessFixtures.samples.appendingPathComponent(name).path)
      let starts = RobustnessFixtures.lineStarts(original)
      // Cut inside the first data line after the middle of the file; its event starts on the
      // line before, and the events before that one are whole.
      guard
        let index = starts.indices.dropFirst(starts.count / 2).first(where: { index in
          original[starts[index]...].starts(with: Array("data: ".utf8))
        })
      else {
        Issue.record("\(name) has no data line after its middle")
        continue
      }
      let dataLine = index + 1
      let cut = starts[index] + 12
      let whole = FormatDetector.read(original, as: .sse).events.filter { $0.line < dataLine - 1 }
      let (path, report) = try fixture.ingest(
        Array(original[..<cut]), named: "cut-" + (name as NSString).lastPathComponent)
      #expect(report.issues.contains { $0.line == dataLine }, "\(report.summary)")
      try fixture.expectError(for: path, line: dataLine)
      let runID = try #require(
        FormatDetector.read(original, as: .sse).events.first?.document?.root["run_id"]?
          .stringValue)
      if fixture.earlierRuns[runID] == nil {
        let stored = try fixture.events(ofRun: runID)
        #expect(stored.map(\.line) == whole.map(\.line), "\(name)")
        #expect(
          try RobustnessFixtures.rows(
            fixture.store, "SELECT status FROM runs WHERE run_id = ?", [runID]) == [
              #""incomplete""#
            ])
      }
    }
    try fixture.expectEarlierRunsIntact()
  }

  @Test func flippedBytesCostOnlyTheirEvent() throws {
    let fixture = try Fixture("flipped")
    defer { fixture.remove() }
    for kind in FormatKind.allCases {
      var bad = Array(#"{"text":"flipped","n":1}"#.utf8)
      bad[bad.firstIndex(of: UInt8(ascii: ":")) ?? 0] ^= 0x01  // ':' becomes ';'
      bad[bad.count - 2] ^= 0x80  // '1' becomes a lone continuation byte
      let runA = "flip-a-\(kind)"
      let runB = "flip-b-\(kind)"
      let (bytes, line) = Self.around(
        Self.goodRun(runA, as: kind), Self.event(bad, as: kind), Self.goodRun(runB, as: kind))
      let (path, report) = try fixture.ingest(bytes, named: "flipped.\(kind)")
      let issueLine = line + Self.issueLineOffset(kind)
      try fixture.expectError(for: path, line: issueLine)
      #expect(!report.isClean)
      // A transcript keeps the unreadable payload as {"__unparsed__": text}.
      try fixture.expectRun(runA, events: kind == .transcript ? 4 : 3)
      try fixture.expectRun(runB, events: 3)
    }
    try fixture.expectEarlierRunsIntact()
  }

  @Test func insertedGarbageCostsOnlyWhatItHits() throws {
    let fixture = try Fixture("garbage")
    defer { fixture.remove() }
    var random = SeededGenerator(seed: 0x6761_7262)
    for kind in FormatKind.allCases {
      for round in 0..<8 {
        let garbage = random.bytes(Int.random(in: 1...4_096, using: &random))
        let runA = "garbage-a-\(kind)-\(round)"
        let runB = "garbage-b-\(kind)-\(round)"
        // Garbage between two runs, set off by blank lines as a stray paste would be.
        let bytes =
          Self.goodRun(runA, as: kind) + [0x0A] + garbage + Array("\n\n".utf8)
          + Self.goodRun(runB, as: kind)
        let (path, report) = try fixture.ingest(bytes, named: "garbage-\(round).\(kind)")
        guard case .stored = report.outcome else {
          Issue.record("\(kind) round \(round): \(report.summary)")
          continue
        }
        for issue in report.issues { #expect(issue.line >= 1) }
        if !report.issues.isEmpty { try fixture.expectError(for: path, line: nil) }
        #expect(try fixture.events(ofRun: runA).count >= 3, "\(kind) round \(round)")
        try fixture.expectRun(runB, events: 3)
      }
    }
    try fixture.expectEarlierRunsIntact()
  }

  @Test func invalidUTF8IsReadAsReplacementCharacters() throws {
    let fixture = try Fixture("utf8")
    defer { fixture.remove() }
    // A lone 0xFF, a cut-off two-byte character, an encoded surrogate, a code point past
    // U+10FFFF and an overlong slash.
    let broken: [UInt8] = [
      0xFF, 0x61, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0xC0, 0xAF,
    ]
    for kind in FormatKind.allCases {
      let runID = "utf8-\(kind)"
      let payload = Array(#"{"text":""#.utf8) + broken + Array(#""}"#.utf8)
      let bytes =
        Self.goodRun(runID, as: kind) + Self.event(payload, as: kind, name: "custom")
        + Self.event(Array("{}".utf8), as: kind, name: "val\u{FFFD}ues\u{10FFFF}")
      let (_, report) = try fixture.ingest(bytes, named: "utf8.\(kind)")
      #expect(report.isClean, "\(report.summary)")
      let events = try fixture.events(ofRun: runID)
      try #require(events.count == 5, "\(kind): \(events.map(\.name))")
      #expect(events[3].data?.contains("\u{FFFD}") == true)
      #expect(
        try RobustnessFixtures.integer(
          fixture.store, "SELECT COUNT(*) FROM events WHERE run_id = ? AND NOT json_valid(data)",
          [runID]) == 0)
    }
    // Invalid UTF-8 in an SSE event name.
    let name = Array("event: cus".utf8) + [0xFF] + Array("tom\ndata: {}\n\n".utf8)
    let (_, report) = try fixture.ingest(
      Self.goodRun("utf8-name", as: .sse) + name, named: "utf8-name.sse")
    #expect(report.isClean, "\(report.summary)")
    #expect(try fixture.events(ofRun: "utf8-name").last?.name == "cus\u{FFFD}tom")
    try fixture.expectEarlierRunsIntact()
  }

  @Test func nulBytesAreReportedOrKeptWithoutCuttingText() throws {
    let fixture = try Fixture("nul")
    defer { fixture.remove() }
    let runID = "nul-run"
    let prefix = Self.goodRun(runID, as: .sse)
    let badLine = Self.line(at: prefix.count, in: prefix) + 1
    var bytes = prefix
    // A NUL between JSON tokens is not JSON: reported, and the excerpt keeps what follows it.
    bytes += Array("event: custom\ndata: {\"n\":".utf8) + [0]
    bytes += Array("1,\"after\":2}\n\n".utf8)
    // A NUL in an event name is kept (as U+FFFD): the name is not cut at it.
    bytes += Array("event: cus".utf8) + [0] + Array("tom\ndata: {\"n\":1}\n\n".utf8)
    // A raw NUL inside a string is read leniently and stored escaped, like an escaped one.
    bytes += Array("event: custom\ndata: {\"text\":\"a".utf8) + [0] + Array("b\"}\n\n".utf8)
    // A line of NULs is a field lganalyze does not know.
    bytes += [0, 0, 0, 0x0A] + Array("event: custom\ndata: {\"text\":\"a\\u0000b\"}\n\n".utf8)
    bytes += Array(repeating: 0, count: 1_000)
    let (path, report) = try fixture.ingest(bytes, named: "nul.sse")
    #expect(report.issues.map(\.line).contains(badLine), "\(report.summary)")
    let excerpt = try fixture.errors(for: path).first { $0.line == badLine }?.excerpt ?? ""
    #expect(excerpt.contains("after"), "the excerpt was cut at the NUL: \(excerpt)")
    let events = try fixture.events(ofRun: runID)
    #expect(
      events.map(\.name) == ["metadata", "values", "updates", "cus\u{FFFD}tom", "custom", "custom"])
    #expect(events.suffix(2).map(\.data) == [#"{"text":"a\u0000b"}"#, #"{"text":"a\u0000b"}"#])
    try fixture.expectEarlierRunsIntact()
  }

  // MARK: - Files that are not captures

  @Test func binaryFilesAreRefusedOrReadAsNothing() throws {
    let fixture = try Fixture("binary")
    defer { fixture.remove() }
    var random = SeededGenerator(seed: 0x6269_6E61_7279)
    let (path, report) = try fixture.ingest(random.bytes(1 << 20), named: "blob.bin")
    #expect(!report.isClean)
    try fixture.expectError(for: path, line: nil, containing: "not a saved LangGraph stream")
    for kind in FormatKind.allCases {
      let (forcedPath, forced) = try fixture.ingest(
        random.bytes(256 << 10), named: "blob-\(kind).bin", as: kind)
      guard case .stored = forced.outcome else {
        Issue.record("\(kind): \(forced.summary)")
        continue
      }
      #expect(!forced.isClean)
      try fixture.expectError(for: forcedPath, line: nil)
    }
    try fixture.expectEarlierRunsIntact()
  }

  @Test func emptyCommentOnlyAndCarriageReturnOnlyFilesAreReported() throws {
    let fixture = try Fixture("empty")
    defer { fixture.remove() }
    // Each file differs from the others: the same content would be "already ingested".
    let heartbeats = Array(String(repeating: ": heartbeat\r\n\r\n", count: 20_000).utf8)
    let carriageReturns = [UInt8](repeating: 0x0D, count: 500_000)
    let files: [(String, [UInt8])] = [
      ("empty.sse", []), ("empty.jsonl", [0x0A]), ("empty.txt", [0x0D, 0x0A]),
      ("comments.sse", heartbeats), ("comments.txt", heartbeats + [0x0A]),
      ("crs.sse", carriageReturns), ("crs.log", carriageReturns + [0x0D]),
      ("newlines.jsonl", Array(String(repeating: "\n", count: 10_000).utf8)),
    ]
    for (name, bytes) in files {
      let (path, report) = try fixture.ingest(bytes, named: name)
      #expect(!report.isClean, "\(name): \(report.summary)")
      try fixture.expectError(for: path, line: 1)
    }
    try fixture.expectEarlierRunsIntact()
  }

  // MARK: - Huge and deep

  /// 40 MB in an SSE capture; in JSONL and transcripts, whose readers cover the same scanning
  /// code, 8 MB keeps a debug build quick (40 MB with LGANALYZE_LONG_TESTS=1).
  @Test func aFortyMegabyteLineIsOneIssue() throws {
    let fixture = try Fixture("long-line")
    defer { fixture.remove() }
    for kind in FormatKind.allCases {
      let megabytes = kind == .sse || RobustnessFixtures.isLong ? 40 : 8
      let huge = [UInt8](repeating: UInt8(ascii: "x"), count: megabytes << 20)
      let runA = "long-a-\(kind)"
      let runB = "long-b-\(kind)"
      let (bytes, line) = Self.around(
        Self.goodRun(runA, as: kind), Self.event(huge, as: kind), Self.goodRun(runB, as: kind))
      let (path, report) = try fixture.ingest(bytes, named: "long.\(kind)")
      let issueLine = line + Self.issueLineOffset(kind)
      #expect(report.issues.map(\.line) == [issueLine], "\(report.summary)")
      try fixture.expectError(for: path, line: issueLine)
      try fixture.expectRun(runA, events: kind == .transcript ? 4 : 3)
      try fixture.expectRun(runB, events: 3)
    }
    try fixture.expectEarlierRunsIntact()
  }

  @Test func aTwentyMegabyteStringIsStoredWhole() throws {
    let fixture = try Fixture("long-string")
    defer { fixture.remove() }
    let text = [UInt8](repeating: UInt8(ascii: "y"), count: 20 << 20)
    let payloads: [(FormatKind, [UInt8], String)] = [
      (.sse, Array(#"{"text":""#.utf8) + text + Array(#""}"#.utf8), "sse"),
      (.jsonl, Array(#"{"text":""#.utf8) + text + Array(#"\n"}"#.utf8), "jsonl"),
      (.transcript, Array("{'text': '".utf8) + text + Array("'}".utf8), "python"),
    ]
    for (kind, payload, label) in payloads {
      let runID = "string-\(label)"
      let bytes =
        Self.goodRun(runID, as: kind) + Self.event(payload, as: kind, name: "custom")
      let (_, report) = try fixture.ingest(bytes, named: "string.\(label)")
      #expect(report.isClean, "\(report.summary)")
      let length = try RobustnessFixtures.integer(
        fixture.store, "SELECT length(data) FROM events WHERE run_id = ? AND event = 'custom'",
        [runID])
      #expect(length >= text.count && length <= text.count + 16, "\(label)")
    }
    try fixture.expectEarlierRunsIntact()
  }

  /// Nesting 200,000 deep in every syntax: refused with an issue on its line, no stack overflow.
  @Test(arguments: ["[", "{\"a\":", "(", "{a:"])
  func deepNestingIsRefusedWithoutOverflowingTheStack(opener: String) throws {
    let fixture = try Fixture("deep")
    defer { fixture.remove() }
    let depth = 200_000
    let closer = opener == "[" ? "]" : opener == "(" ? ")" : "}"
    let deep =
      Array(String(repeating: opener, count: depth).utf8) + Array("1".utf8)
      + Array(String(repeating: closer, count: depth).utf8)
    // Tuples are Python's and bare keys JavaScript's: only a transcript can hold them.
    let kinds: [FormatKind] = opener == "(" || opener == "{a:" ? [.transcript] : FormatKind.allCases
    for kind in kinds {
      let runA = "deep-a-\(kind)"
      let runB = "deep-b-\(kind)"
      let (bytes, line) = Self.around(
        Self.goodRun(runA, as: kind), Self.event(deep, as: kind), Self.goodRun(runB, as: kind))
      let (path, report) = try fixture.ingest(bytes, named: "deep.\(kind)")
      let issueLine = line + Self.issueLineOffset(kind)
      #expect(report.issues.map(\.line) == [issueLine], "\(kind): \(report.summary)")
      try fixture.expectError(for: path, line: issueLine)
      try fixture.expectRun(runA, events: kind == .transcript ? 4 : 3)
      try fixture.expectRun(runB, events: 3)
      // Unclosed, too: the file ends inside the nesting.
      let cutOff = Self.event(Array(deep[..<depth]), as: kind).dropLast(kind == .transcript ? 1 : 2)
      let (_, unclosed) = try fixture.ingest(
        Self.goodRun("deep-c-\(kind)", as: kind) + cutOff, named: "deep-unclosed.\(kind)",
        as: kind)
      #expect(!unclosed.isClean)
      try fixture.expectRun("deep-c-\(kind)", events: kind == .transcript ? 4 : 3)
    }
    try fixture.expectEarlierRunsIntact()
  }

  /// A messages event whose chunk content is nested 509 deep (511 in all, one under the
  /// readers' limit), in every syntax: canonical JSON goes through the iterative tape builder;
  /// JSON with spaces, Python reprs and JS literals through the recursive reader.
  static func deepPayloads() -> [(kind: FormatKind, label: String, payload: String)] {
    let depth = 509
    func nested(_ open: String, _ close: String) -> String {
      String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth)
    }
    let json = nested("[", "]")
    return [
      (.sse, "canonical", #"[{"type":"AIMessageChunk","id":"m1","content":\#(json)},{}]"#),
      (.sse, "spaced", #"[ {"type": "AIMessageChunk", "id": "m1", "content": \#(json)}, {} ]"#),
      (.jsonl, "canonical", #"[{"type":"AIMessageChunk","id":"m1","content":\#(json)},{}]"#),
      (.transcript, "json", #"[{"type":"AIMessageChunk","id":"m1","content":\#(json)},{}]"#),
      (
        .transcript, "python",
        "[{'type': 'AIMessageChunk', 'id': 'm1', 'content': \(nested("(", ",)"))}, {}]"
      ),
      (
        .transcript, "javascript",
        "[ { type: 'AIMessageChunk', id: 'm1', content: \(nested("[ ", " ]")) }, {} ]"
      ),
    ]
  }

  @Test func nestingJustUnderTheLimitIsStoredAndAssembled() throws {
    let fixture = try Fixture("deep-ok")
    defer { fixture.remove() }
    for (kind, label, payload) in Self.deepPayloads() {
      let runID = "deep-ok-\(kind)-\(label)"
      let bytes =
        Self.goodRun(runID, as: kind) + Self.event(Array(payload.utf8), as: kind, name: "messages")
      let (_, report) = try fixture.ingest(bytes, named: "deep-ok-\(label).\(kind)")
      #expect(report.isClean, "\(kind) \(label): \(report.summary)")
      try fixture.expectRun(runID, events: 4)
      #expect(
        try RobustnessFixtures.integer(
          fixture.store, "SELECT COUNT(*) FROM messages WHERE run_id = ? AND message_id = 'm1'",
          [runID]) == 1, "\(kind) \(label)")
    }
    try fixture.expectEarlierRunsIntact()
  }

  /// The depth limit keeps the recursion of reading, assembling and writing out a payload
  /// nested just under it within 4 MiB of stack, even in a debug build (it takes about 1 MiB);
  /// the ingest's parser threads have 8 MiB.
  @Test func nestingJustUnderTheLimitFitsInFourMegabytesOfStack() throws {
    let finished = DispatchSemaphore(value: 0)
    let results = Mutex<[String]>([])
    let thread = Thread {
      defer { finished.signal() }
      for (kind, label, payload) in Self.deepPayloads() {
        let bytes =
          Self.goodRun("stack", as: kind)
          + Self.event(Array(payload.utf8), as: kind, name: "messages")
        let parsed = FormatDetector.read(bytes, as: kind)
        var written = 0
        for segment in RunAssembler.split(parsed.events) {
          let run = RunAssembler.assemble(segment, runID: "stack", endsInsideEvent: false)
          written += run.messages.count
        }
        for event in parsed.events {
          guard let value = event.document?.value else { continue }
          written += CanonicalJSONWriter.bytes(value).count
          written += IndentedJSONWriter.string(value).utf8.count
        }
        results.withLock { $0.append("\(kind) \(label): \(parsed.issues.count) issues") }
        _ = written
      }
    }
    thread.stackSize = 4 << 20
    thread.start()
    finished.wait()
    let lines = results.withLock { $0 }
    #expect(lines.count == Self.deepPayloads().count)
    #expect(lines.allSatisfy { $0.hasSuffix(": 0 issues") }, "\(lines)")
  }

  // MARK: - A directory of everything

  @Test(.timeLimit(.minutes(1)))
  func aDirectoryOfMixedFilesIsWalkedWithoutHanging() throws {
    let fixture = try Fixture("directory")
    defer { fixture.remove() }
    let root = fixture.folder.appendingPathComponent("mixed")
    let nested = root.appendingPathComponent("nested/deeper")
    try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
    let samples = RobustnessFixtures.samples
    let captures = [
      ("a.sse", "sse/weather_messages_tuple.sse"), ("b.jsonl", "jsonl/joke_custom.jsonl"),
      ("nested/c.txt", "transcripts/react_multi.awk.txt"),
      ("nested/deeper/d.log", "sse/weather_updates.sse"),
    ]
    for (name, sample) in captures {
      try FileManager.default.copyItem(
        at: samples.appendingPathComponent(sample), to: root.appendingPathComponent(name))
    }
    var random = SeededGenerator(seed: 0x6469_72)
    try RobustnessFixtures.write(random.bytes(100_000), named: "blob.bin", in: root)
    try RobustnessFixtures.write([], named: "empty.txt", in: root)
    try RobustnessFixtures.write(Array("# notes\n".utf8), named: "notes.md", in: nested)
    try RobustnessFixtures.write(
      Self.goodRun("hidden-run", as: .sse), named: ".hidden.sse", in: root)
    let manager = FileManager.default
    try manager.createSymbolicLink(
      atPath: root.appendingPathComponent("dangling.sse").path, withDestinationPath: "nowhere")
    try manager.createSymbolicLink(
      atPath: root.appendingPathComponent("loop.sse").path, withDestinationPath: "loop.sse")
    try manager.createSymbolicLink(
      atPath: nested.appendingPathComponent("up").path, withDestinationPath: "../..")
    // A capture linked in from elsewhere is read like any other.
    try manager.createSymbolicLink(
      atPath: root.appendingPathComponent("linked.sse").path,
      withDestinationPath: samples.appendingPathComponent("sse/joke_custom.sse").path)
    // A file whose name is not UTF-8.
    let oddName = Array(root.appendingPathComponent("odd-").path.utf8) + [0xFF, 0x2E, 0x73, 0]
    let descriptor = oddName.map { CChar(bitPattern: $0) }.withUnsafeBufferPointer { name in
      name.baseAddress.map { open($0, O_CREAT | O_WRONLY, 0o644) } ?? -1
    }
    if descriptor >= 0 { close(descriptor) }
    // A named pipe: reading it would wait for a writer forever, so it must be left alone. A
    // watchdog opens it for writing (and closes it at once) should anyone be reading, so that
    // a regression fails the test instead of hanging it.
    let fifo = root.appendingPathComponent("pipe.sse").path
    try #require(mkfifo(fifo, 0o644) == 0)
    let watchdog = FifoWatchdog(path: fifo)
    watchdog.start()

    let reports = Ingestor(store: fixture.store).ingest(paths: [root.path])
    watchdog.stop()
    #expect(!watchdog.wasOpenedByAReader, "the walk read the named pipe")
    let byName = Dictionary(
      reports.map { (String($0.path.dropFirst(root.path.count + 1)), $0) },
      uniquingKeysWith: { first, _ in first })
    for name in captures.map(\.0) + ["linked.sse"] {
      let report = try #require(byName[name], "\(name) was not ingested")
      switch report.outcome {
      case .stored, .alreadyIngested: break
      default: Issue.record("\(name): \(report.summary)")
      }
    }
    for name in ["blob.bin", "empty.txt", "nested/deeper/notes.md"] {
      guard case .skipped(let why)? = byName[name]?.outcome else {
        Issue.record("\(name) was not skipped: \(byName[name]?.summary ?? "not reported")")
        continue
      }
      #expect(!why.isEmpty)
    }
    for name in [".hidden.sse", "pipe.sse"] { #expect(byName[name] == nil, "\(name) was read") }
    for report in reports where !report.isClean {
      if case .skipped = report.outcome { continue }
      Issue.record("unexpected failure: \(report.summary)")
    }
    #expect(try fixture.events(ofRun: "hidden-run").isEmpty)
    try fixture.expectEarlierRunsIntact()
  }
}

/// Opens a named pipe for writing, without blocking, until stopped: the open succeeds only
/// while someone has it open for reading, and closing it at once gives that reader an end of
/// file instead of an endless wait.
private final class FifoWatchdog: @unchecked Sendable {
  private let path: String
  private let lock = NSLock()
  private var stopped = false
  private var opened = false

  init(path: String) { self.path = path }

  var wasOpenedByAReader: Bool { lock.withLock { opened } }

  func start() {
    Thread.detachNewThread { [self] in
      while !lock.withLock({ stopped }) {
        let descriptor = open(path, O_WRONLY | O_NONBLOCK)
        if descriptor >= 0 {
          lock.withLock { opened = true }  // before the reader can see the end and finish
          close(descriptor)
        }
        Thread.sleep(forTimeInterval: 0.05)
      }
    }
  }

  func stop() { lock.withLock { stopped = true } }
}
