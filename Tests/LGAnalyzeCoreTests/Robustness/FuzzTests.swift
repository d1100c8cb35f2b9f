import Foundation
import LGAnalyzeCore
import Testing

/// The sample captures, damaged in the ways files get damaged — cut short, bytes flipped,
/// garbage inserted, blocks duplicated or dropped, quotes swapped — go through format detection,
/// all three readers, run assembly and the store without a trap; every event a reader could read
/// is stored, every whole event before a cut survives it, and runs already stored are left as
/// they were unless a copy with more events and no damage on its lines supersedes them.
///
/// The store is fed in small blocks of random size, so the streaming reader must find the same
/// events in damaged input as the one-shot reader does.
///
/// Cases come from a fixed seed, so each run of the suite tries the same ones and a failure
/// names the case that reproduces it. LGANALYZE_LONG_TESTS=1 tries many more, and
/// LGANALYZE_FUZZ_SEED=<number> other ones.
@Suite struct FuzzTests {
  private static let seed =
    ProcessInfo.processInfo.environment["LGANALYZE_FUZZ_SEED"].flatMap { UInt64($0) }
    ?? 0x6C67_616E_616C_797A
  private static let mutationCases = RobustnessFixtures.isLong ? 2_000 : 48
  private static let cutsPerSample = RobustnessFixtures.isLong ? 40 : 2
  private static let intactRounds = RobustnessFixtures.isLong ? 12 : 1

  /// The ways a saved stream gets damaged.
  enum Mutation: String, CaseIterable, Sendable {
    case truncate, flipBytes, insertGarbage, duplicateBlock, dropBlock, swapQuotes
  }

  /// Bits of text that make garbage interesting to the readers: line ends, structure, field
  /// names, headers, escapes, invalid UTF-8 and NUL.
  private static let garbagePieces: [[UInt8]] =
    [
      "\n", "\r", "\r\n", "\n\n", "\r\n\r\n", "{", "}", "[", "]", "\"", "'", ":", ",", "\\",
      "\\u", "\\ud800", "null", "event: ", "data: ", "id: ", ": heartbeat", "retry: 10",
      "event: metadata\ndata: {\"run_id\":\"", "Receiving event of type: values...\n",
      "{\"event\":\"values\",\"data\":", "[Object]", "None", "'''",
    ].map { Array($0.utf8) } + [[0x00], [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF]]

  // MARK: - Mutations

  /// `bytes` damaged by `mutation`, and a note saying where.
  static func mutate(
    _ bytes: [UInt8], _ mutation: Mutation, using random: inout SeededGenerator
  ) -> (bytes: [UInt8], note: String) {
    var result = bytes
    switch mutation {
    case .truncate:
      let cut = Int.random(in: 0...bytes.count, using: &random)
      return (Array(bytes[..<cut]), "cut at byte \(cut)")
    case .flipBytes:
      var offsets: [Int] = []
      for _ in 0..<Int.random(in: 1...8, using: &random) where !result.isEmpty {
        let offset = Int.random(in: 0..<result.count, using: &random)
        result[offset] ^= UInt8.random(in: 1...255, using: &random)
        offsets.append(offset)
      }
      return (result, "flipped bytes at \(offsets)")
    case .insertGarbage:
      var garbage: [UInt8] = []
      for _ in 0..<Int.random(in: 1...6, using: &random) {
        if Bool.random(using: &random) {
          garbage += garbagePieces[Int.random(in: 0..<garbagePieces.count, using: &random)]
        } else {
          garbage += random.bytes(Int.random(in: 1...24, using: &random))
        }
      }
      let offset = Int.random(in: 0...result.count, using: &random)
      result.insert(contentsOf: garbage, at: offset)
      return (result, "inserted \(garbage.count) bytes at \(offset)")
    case .duplicateBlock, .dropBlock:
      guard !bytes.isEmpty else { return (bytes, "nothing to change in an empty file") }
      let block = randomBlock(in: bytes, using: &random)
      if mutation == .dropBlock {
        result.removeSubrange(block)
        return (result, "dropped bytes \(block)")
      }
      let offset =
        Bool.random(using: &random)
        ? block.upperBound : Int.random(in: 0...bytes.count, using: &random)
      result.insert(contentsOf: bytes[block], at: offset)
      return (result, "copied bytes \(block) to \(offset)")
    case .swapQuotes:
      let everyOne = Bool.random(using: &random)
      var swapped = 0
      for index in result.indices where result[index] == 0x22 || result[index] == 0x27 {
        guard everyOne || Int.random(in: 0..<50, using: &random) == 0 else { continue }
        result[index] = result[index] == 0x22 ? 0x27 : 0x22
        swapped += 1
      }
      return (result, "swapped \(swapped) quotes\(everyOne ? " (all)" : "")")
    }
  }

  /// A block of bytes: half the time whole lines (whole events, often), else any bytes.
  private static func randomBlock(
    in bytes: [UInt8], using random: inout SeededGenerator
  ) -> Range<Int> {
    if Bool.random(using: &random) {
      let starts = RobustnessFixtures.lineStarts(bytes) + [bytes.count]
      let first = Int.random(in: 0..<starts.count - 1, using: &random)
      let last = min(starts.count - 1, first + Int.random(in: 1...12, using: &random))
      return starts[first]..<starts[last]
    }
    let start = Int.random(in: 0..<bytes.count, using: &random)
    let length = Int.random(in: 1...min(4_096, bytes.count - start), using: &random)
    return start..<start + length
  }

  // MARK: - What a read should store

  /// One stored event as the tests compare it.
  struct EventRow: Hashable, CustomStringConvertible {
    var line: Int
    var name: String
    var data: String?
    var description: String { "line \(line) \(name)" }
  }

  /// A run's key in the store: run id (or "<derived>" for events before any metadata) and
  /// attempt.
  static func key(_ runID: String?, _ attempt: Int) -> String {
    "\(runID.map(RobustnessFixtures.stored) ?? "<derived>")#\(attempt)"
  }

  /// The events of each run a read gives, by run key; a key shared by several runs of one
  /// source has one entry per run.
  static func expectedRuns(_ parsed: ParsedSource) -> [String: [[EventRow]]] {
    var runs: [String: [[EventRow]]] = [:]
    for segment in RunAssembler.split(parsed.events) {
      let rows = segment.events.map {
        EventRow(
          line: $0.line, name: RobustnessFixtures.stored($0.name), data: $0.document?.text)
      }
      runs[key(segment.runID, segment.attempt), default: []].append(rows)
    }
    return runs
  }

  /// The events of each run the store holds, by run key; a key shared by several runs (those
  /// with derived ids) has one entry per run.
  static func storedRuns(_ store: RunStore) throws -> [String: [[EventRow]]] {
    let table = try store.table(
      sql: "SELECT run_id, attempt, line, event, data FROM events ORDER BY run_id, attempt, seq")
    var runs: [String: [[EventRow]]] = [:]
    var previous: (String, Int)?
    for row in table.rows {
      let runID = row[0].stringValue ?? ""
      let attempt = row[1].intValue ?? 0
      let runKey = key(runID.hasPrefix("source-") ? nil : runID, attempt)
      if previous.map({ $0 != (runID, attempt) }) ?? true { runs[runKey, default: []].append([]) }
      previous = (runID, attempt)
      runs[runKey, default: []][runs[runKey, default: []].count - 1].append(
        EventRow(
          line: row[2].intValue ?? 0, name: row[3].stringValue ?? "", data: row[4].stringValue))
    }
    return runs
  }

  /// Reads `bytes` with every reader and assembles every run: none of it may trap.
  static func readEveryWay(_ bytes: [UInt8]) {
    _ = FormatDetector.detect(bytes, fileName: nil)
    for kind in FormatKind.allCases {
      let parsed = FormatDetector.read(bytes, as: kind)
      let segments = RunAssembler.split(parsed.events)
      for (index, segment) in segments.enumerated() {
        let run = RunAssembler.assemble(
          segment, runID: segment.runID ?? "derived",
          endsInsideEvent: parsed.endsInsideEvent && index == segments.count - 1)
        _ = (run.messages.count, run.chunks.count, run.toolCalls.count)
      }
    }
  }

  /// Ingests `bytes` as `kind` into a new store and checks that exactly what the reader read is
  /// stored: each run's events, in order, and an ingest_errors row for each issue.
  static func expectStoredAsRead(
    _ bytes: [UInt8], as kind: FormatKind, blockSize: Int, in folder: URL, case label: String
  ) throws {
    let store = try RunStore(path: ":memory:")
    let path = try RobustnessFixtures.write(bytes, named: "input", in: folder)
    var ingestor = Ingestor(store: store, forcedFormat: kind)
    ingestor.blockSize = blockSize
    let report = ingestor.ingestFile(path: path)
    let parsed = FormatDetector.read(bytes, as: kind)
    guard case .stored = report.outcome else {
      Issue.record("\(label): not stored: \(report.summary)")
      return
    }
    #expect(report.eventCount == parsed.events.count, "\(label)")
    let expected = expectedRuns(parsed)
    let stored = try storedRuns(store)
    #expect(Set(stored.keys) == Set(expected.keys), "\(label): runs differ")
    for (runKey, runs) in stored {
      let candidates = expected[runKey] ?? []
      for rows in runs {
        #expect(
          candidates.contains(rows),
          "\(label): run \(runKey) stored \(rows.count) events, read \(candidates.map(\.count))")
      }
    }
    let errorLines = Set(
      try store.table(sql: "SELECT line FROM ingest_errors").rows.compactMap {
        $0.first?.intValue
      })
    for issue in parsed.issues {
      #expect(errorLines.contains(issue.line), "\(label): no ingest_errors row for \(issue)")
    }
    #expect(try RobustnessFixtures.integrity(store) == "ok", "\(label)")
  }

  // MARK: - Tests

  @Test func mutatedSamplesNeverTrapAndEveryReadEventIsStored() throws {
    let samples = try RobustnessFixtures.sampleFiles()
    let folder = try RobustnessFixtures.scratchFolder("fuzz")
    defer { RobustnessFixtures.removeScratch(folder) }
    let mutations = Mutation.allCases
    for index in 0..<Self.mutationCases {
      var random = SeededGenerator(seed: Self.seed ^ UInt64(index))
      let sample = samples[Int.random(in: 0..<samples.count, using: &random)]
      let mutation = mutations[index % mutations.count]
      let (bytes, note) = Self.mutate(
        try RobustnessFixtures.bytes(sample.path), mutation, using: &random)
      let blockSize = Int.random(in: 16...8_192, using: &random)
      let label =
        "case \(index) of seed \(Self.seed) (\(sample), \(mutation.rawValue): \(note); "
        + "blocks of \(blockSize) bytes)"
      Self.readEveryWay(bytes)
      let kind = FormatDetector.detect(bytes, fileName: sample.name) ?? sample.kind
      try Self.expectStoredAsRead(
        bytes, as: kind, blockSize: blockSize, in: folder, case: label)
    }
  }

  @Test func everyWholeEventBeforeACutIsStored() throws {
    let folder = try RobustnessFixtures.scratchFolder("cuts")
    defer { RobustnessFixtures.removeScratch(folder) }
    var random = SeededGenerator(seed: Self.seed)
    for sample in try RobustnessFixtures.sampleFiles() {
      let original = try RobustnessFixtures.bytes(sample.path)
      let whole = FormatDetector.read(original, as: sample.kind)
      let lineStarts = RobustnessFixtures.lineStarts(original)
      var cuts = (0..<Self.cutsPerSample).map { _ in
        Int.random(in: 0...original.count, using: &random)
      }
      // Also cut right at an event's first line, where the whole events end exactly.
      if whole.events.count > 1 {
        let event = whole.events[Int.random(in: 1..<whole.events.count, using: &random)]
        cuts.append(lineStarts[event.line - 1])
      }
      for cut in cuts {
        let bytes = Array(original[..<cut])
        let store = try RunStore(path: ":memory:")
        let path = try RobustnessFixtures.write(bytes, named: sample.name, in: folder)
        _ = Ingestor(store: store, forcedFormat: sample.kind).ingestFile(path: path)
        let stored = Set(try Self.storedRuns(store).values.joined().joined())
        // An event is whole before the cut when the next one starts after its last byte: for
        // SSE and JSONL when the next event's first line starts, for a transcript when the next
        // header line is there with its line break.
        let headerLines = sample.kind == .transcript ? 1 : 0
        var wholeEvents: [SourceEvent] = []
        for (index, event) in whole.events.enumerated() {
          guard index + 1 < whole.events.count else {
            if cut == original.count { wholeEvents.append(event) }
            break
          }
          let nextLine = whole.events[index + 1].line - 1 + headerLines
          guard nextLine < lineStarts.count, lineStarts[nextLine] <= cut else { break }
          wholeEvents.append(event)
        }
        var missing: [Int] = []
        for event in wholeEvents {
          let row = EventRow(
            line: event.line, name: RobustnessFixtures.stored(event.name),
            data: event.document?.text)
          if !stored.contains(row) { missing.append(event.line) }
        }
        #expect(
          missing.isEmpty,
          "\(sample) cut at byte \(cut): whole events at lines \(missing.prefix(8)) not stored")
        #expect(try RobustnessFixtures.integrity(store) == "ok")
      }
    }
  }

  @Test func damagedCopiesLeaveStoredRunsIntact() throws {
    let samples = try RobustnessFixtures.sampleFiles()
    for round in 0..<Self.intactRounds {
      let folder = try RobustnessFixtures.scratchFolder("intact")
      defer { RobustnessFixtures.removeScratch(folder) }
      let store = try RobustnessFixtures.newStore(in: folder)
      _ = Ingestor(store: store).ingest(paths: samples.map(\.path))
      // Damaged runs may be replaced by any copy with more events: only runs whose attempts
      // are all clean must stay, whatever else their sources held.
      let runIDs = try RobustnessFixtures.rows(
        store, "SELECT run_id FROM runs GROUP BY run_id HAVING MAX(damaged) = 0 ORDER BY 1"
      ).map { $0.replacingOccurrences(of: "\"", with: "") }
      var before: [String: [String]] = [:]
      for runID in runIDs { before[runID] = try RobustnessFixtures.snapshot(of: runID, in: store) }
      let eventCounts = try Self.eventCounts(store)

      var random = SeededGenerator(seed: Self.seed &+ UInt64(round) &* 7_919)
      let mutations = Mutation.allCases
      var notes: [String: String] = [:]
      for (index, sample) in samples.enumerated() {
        let mutation = mutations[(index + round) % mutations.count]
        let (bytes, note) = Self.mutate(
          try RobustnessFixtures.bytes(sample.path), mutation, using: &random)
        let name = "damaged-\(index)-\(sample.name)"
        notes[name] = "\(mutation.rawValue), \(note)"
        let path = try RobustnessFixtures.write(bytes, named: name, in: folder)
        _ = Ingestor(store: store).ingestFile(path: path)
      }

      #expect(try RobustnessFixtures.integrity(store) == "ok")
      for runID in runIDs {
        let after = try RobustnessFixtures.snapshot(of: runID, in: store)
        guard after != before[runID] else { continue }
        try Self.expectLegitimateReplacement(
          of: runID, eventCounts: eventCounts, in: store, notes: notes)
      }
    }
  }

  /// Events per stored run attempt, by "run_id#attempt".
  private static func eventCounts(_ store: RunStore) throws -> [String: Int] {
    var counts: [String: Int] = [:]
    for row in try store.table(sql: "SELECT run_id, attempt, event_count FROM runs").rows {
      counts["\(row[0].stringValue ?? "")#\(row[1].intValue ?? 0)"] = row[2].intValue
    }
    return counts
  }

  /// A stored run that changed must have been replaced by a copy with more events, not cut
  /// off, and without an ingest error on the lines its events came from.
  private static func expectLegitimateReplacement(
    of runID: String, eventCounts: [String: Int], in store: RunStore, notes: [String: String]
  ) throws {
    let rows = try store.table(
      sql: """
        SELECT r.attempt, r.event_count, r.status, r.source, s.sha256,
               (SELECT MIN(line) FROM events e
                 WHERE e.run_id = r.run_id AND e.attempt = r.attempt),
               (SELECT MAX(line) FROM events e
                 WHERE e.run_id = r.run_id AND e.attempt = r.attempt)
          FROM runs r JOIN sources s ON s.source_id = r.source_id WHERE r.run_id = ?
        """, arguments: [runID]
    ).rows
    #expect(!rows.isEmpty, "run \(runID) disappeared")
    for row in rows {
      let source = ((row[3].stringValue ?? "?") as NSString).lastPathComponent
      let comment = Comment(
        rawValue: "run \(runID) attempt \(row[0].canonicalText) now from \(source) "
          + "(\(notes[source] ?? "an original sample"))")
      let before = eventCounts["\(runID)#\(row[0].intValue ?? 0)"] ?? 0
      #expect((row[1].intValue ?? 0) >= before, comment)
      #expect(row[2].stringValue != "incomplete" || notes[source] == nil, comment)
      let errors = try RobustnessFixtures.integer(
        store,
        "SELECT COUNT(*) FROM ingest_errors WHERE sha256 = ? AND line BETWEEN ? AND ?",
        [row[4].stringValue ?? "", row[5].canonicalText, row[6].canonicalText])
      #expect(errors == 0 || notes[source] == nil, comment)
    }
  }
}
