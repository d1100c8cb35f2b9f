import Foundation
import Testing

@testable import LGAnalyzeCore

/// A long run's events reach the writer in pieces ahead of the run, so that memory follows the
/// piece size rather than the longest run. The database must come out as if each run had come
/// whole, and a source that fails after some pieces must leave nothing.
@Suite struct RunPiecesTests {
  /// Every table lganalyze fills, as rows of text (ingest times left out).
  private static func contents(of store: RunStore) throws -> [String] {
    var rows: [String] = []
    for (table, order) in [
      ("runs", "run_id, attempt"), ("events", "run_id, attempt, seq"),
      ("message_chunks", "run_id, attempt, seq, message_id"),
      ("messages", "run_id, attempt, position"), ("tool_calls", "rowid"),
      ("search_index", "rowid"), ("ingest_errors", "source, line"),
    ] {
      let columns = table == "ingest_errors" ? "source, line, message, excerpt" : "*"
      rows += try RobustnessFixtures.rows(
        store, "SELECT '\(table)', \(columns) FROM \(table) ORDER BY \(order)")
    }
    rows += try RobustnessFixtures.rows(
      store, "SELECT path, format, bytes, event_count, run_count, error_count FROM sources")
    return rows
  }

  /// Ingests `paths` so that every block read ends a piece: runs reach the writer in as many
  /// pieces as they have blocks.
  private static func ingestInPieces(
    _ paths: [String], into store: RunStore, blockSize: Int, jobs: Int = 1
  ) {
    var ingestor = Ingestor(store: store, jobs: jobs)
    ingestor.blockSize = blockSize
    ingestor.runPieceBytes = 1
    _ = ingestor.ingest(paths: paths)
  }

  @Test func piecesStoreWhatWholeRunsStore() throws {
    let folder = try RobustnessFixtures.scratchFolder("pieces")
    defer { RobustnessFixtures.removeScratch(folder) }
    let paths = try RobustnessFixtures.sampleFiles().map(\.path)
    let whole = try RobustnessFixtures.newStore(in: folder, name: "whole.db")
    _ = Ingestor(store: whole, jobs: 2).ingest(paths: paths)
    let pieces = try RobustnessFixtures.newStore(in: folder, name: "pieces.db")
    // Every block ends a piece: many runs go in several pieces, some in one before their end.
    Self.ingestInPieces(paths, into: pieces, blockSize: 512, jobs: 2)
    let expected = try Self.contents(of: whole)
    #expect(try RobustnessFixtures.integer(whole, "SELECT COUNT(*) FROM events") > 1000)
    #expect(try Self.contents(of: pieces) == expected)
  }

  /// The runs of a sample, as a worker would hand them over.
  private static func runs(ofSample name: String) throws -> [Run] {
    let path = RobustnessFixtures.samples.appendingPathComponent(name).path
    let parsed = FormatDetector.read(try RobustnessFixtures.bytes(path), as: .sse)
    return RunAssembler.split(parsed.events).map { segment in
      RunAssembler.assemble(segment, runID: segment.runID ?? "derived", endsInsideEvent: false)
    }
  }

  /// A sample's run, and a copy of it without its last three events.
  private static func runAndShorterCopy() throws -> (run: Run, shorter: Run) {
    let run = try #require(try runs(ofSample: "sse/react_messages_tuple.sse").first)
    var shorter = run
    shorter.events.removeLast(3)
    return (run, shorter)
  }

  /// `run` as parts: its first `count` events ahead of it in two pieces, then the rest.
  private static func parts(of run: Run, aheadCount count: Int, isDamaged: Bool = false)
    -> [SourcePart]
  {
    var rest = run
    rest.events = Array(run.events.dropFirst(count))
    let half = count / 2
    return [
      .runEvents(
        runID: run.runID, attempt: run.attempt, events: Array(run.events.prefix(half))),
      .runEvents(
        runID: run.runID, attempt: run.attempt,
        events: Array(run.events[half..<count])),
      .run(rest, isDamaged: isDamaged),
    ]
  }

  private static func source(_ name: String) -> SourceRecord {
    SourceRecord(path: name, sha256: "digest-of-\(name)", format: "sse", byteCount: 1000)
  }

  @discardableResult
  private static func write(
    _ parts: [SourcePart], as name: String, with writer: BatchWriter, failingAtEnd: Bool = false
  ) throws -> StoreSummary {
    struct ReadFailed: Error {}
    var remaining = parts[...]
    return try writer.write(
      source: source(name),
      nextPart: {
        if let part = remaining.popFirst() { return part }
        if failingAtEnd { throw ReadFailed() }
        return nil
      },
      finish: { ("sse", []) })
  }

  private static func eventCount(_ store: RunStore, _ runID: String) throws -> Int {
    try RobustnessFixtures.integer(
      store, "SELECT COUNT(*) FROM events WHERE run_id = ?", [runID])
  }

  @Test func aSourceThatFailsAfterSomePiecesLeavesNothing() throws {
    let store = try RunStore(path: ":memory:")
    let run = try #require(try Self.runs(ofSample: "sse/react_messages_tuple.sse").first)
    try store.withBatchWriter { writer in
      // Pieces of the run are stored, then the read fails before the run ends.
      var parts = Self.parts(of: run, aheadCount: 6)
      parts.removeLast()
      #expect(throws: (any Error).self) {
        try Self.write(parts, as: "failing.sse", with: writer, failingAtEnd: true)
      }
      try writer.commit()
    }
    #expect(try Self.eventCount(store, run.runID) == 0)
    #expect(try RobustnessFixtures.integer(store, "SELECT COUNT(*) FROM sources") == 0)
  }

  @Test func piecesWithoutTheirRunAreRefused() throws {
    let store = try RunStore(path: ":memory:")
    let runs =
      try Self.runs(ofSample: "sse/react_messages_tuple.sse")
      + Self.runs(ofSample: "sse/weather_updates.sse")
    try store.withBatchWriter { writer in
      var parts = Self.parts(of: runs[0], aheadCount: 4)
      parts.removeLast()
      #expect(throws: BatchWriter.IncompleteRun.self) {
        try Self.write(parts, as: "ended.sse", with: writer)
      }
      // Pieces of one run followed by another run.
      parts.append(.run(runs[1], isDamaged: false))
      #expect(throws: BatchWriter.IncompleteRun.self) {
        try Self.write(parts, as: "other.sse", with: writer)
      }
      try writer.commit()
    }
    #expect(try RobustnessFixtures.integer(store, "SELECT COUNT(*) FROM events") == 0)
  }

  @Test func piecesOfAStoredRunReplaceItOnlyWhenMoreWhole() throws {
    let store = try RunStore(path: ":memory:")
    let (run, shorter) = try Self.runAndShorterCopy()
    try store.withBatchWriter { writer in
      try Self.write(Self.parts(of: shorter, aheadCount: 6), as: "short.sse", with: writer)
      // The same run again in pieces, no longer than the stored copy: the stored copy stays.
      try Self.write(Self.parts(of: shorter, aheadCount: 4), as: "again.sse", with: writer)
      try writer.commit()
    }
    #expect(try Self.eventCount(store, run.runID) == shorter.events.count)
    try store.withBatchWriter { writer in
      // More whole: it replaces the stored copy.
      try Self.write(Self.parts(of: run, aheadCount: 8), as: "whole.sse", with: writer)
      try writer.commit()
    }
    #expect(try Self.eventCount(store, run.runID) == run.events.count)
    let stored = try RobustnessFixtures.rows(
      store, "SELECT event_count, source FROM runs WHERE run_id = ?", [run.runID])
    #expect(stored == ["\(run.events.count)\t\"whole.sse\""])
    let seqs = try RobustnessFixtures.rows(
      store, "SELECT seq FROM events WHERE run_id = ? ORDER BY seq", [run.runID])
    #expect(seqs == run.events.map { "\($0.seq)" })
  }

  /// A source that holds a long run twice, in pieces, counts it once: held twice, with the
  /// events of the copy that stayed.
  @Test(arguments: [false, true])
  func aRunHeldTwiceInPiecesIsCountedOnce(longerFirst: Bool) throws {
    let store = try RunStore(path: ":memory:")
    let (run, shorter) = try Self.runAndShorterCopy()
    let copies =
      longerFirst
      ? Self.parts(of: run, aheadCount: 6) + Self.parts(of: shorter, aheadCount: 4)
      : Self.parts(of: shorter, aheadCount: 4) + Self.parts(of: run, aheadCount: 6)
    let summary = try store.withBatchWriter { writer in
      let summary = try Self.write(copies, as: "twice.sse", with: writer)
      try writer.commit()
      return summary
    }
    #expect(try Self.eventCount(store, run.runID) == run.events.count)
    #expect(summary.runsWritten == 1)
    #expect(summary.eventsWritten == run.events.count)
    #expect(summary.runsHeldTwice == 1)
    #expect(summary.runsAlreadyStored == 0)
    #expect(summary.runsReplaced == 0)
  }

  /// Every row stored of a run, its search index rows included, as text.
  private static func runRows(_ store: RunStore, _ runID: String) throws -> [String] {
    var rows: [String] = []
    for table in ["runs", "events", "message_chunks", "messages", "tool_calls", "search_index"] {
      rows += try RobustnessFixtures.rows(
        store, "SELECT '\(table)', * FROM \(table) WHERE run_id = ? ORDER BY rowid", [runID])
    }
    return rows
  }

  /// The stored copy is moved aside when the pieces of another copy begin: a source that fails
  /// before the run's end, or after it whichever copy the end chose, must leave the stored copy
  /// as it was.
  @Test(arguments: [false, true], [false, true])
  func aSourceThatFailsWhileReplacingAStoredRunLeavesTheStoredCopy(
    runEnds: Bool, storedIsShorter: Bool
  ) throws {
    let store = try RunStore(path: ":memory:")
    let (run, shorter) = try Self.runAndShorterCopy()
    let other = try #require(try Self.runs(ofSample: "sse/weather_updates.sse").first)
    let (stored, incoming) = storedIsShorter ? (shorter, run) : (run, shorter)
    try store.withBatchWriter { writer in
      try Self.write([.run(stored, isDamaged: false)], as: "stored.sse", with: writer)
      try writer.commit()
    }
    let before = try Self.runRows(store, run.runID)
    #expect(before.count > stored.events.count)
    try store.withBatchWriter { writer in
      // A source before the failing one in its batch: undoing the failed one must not take
      // the batch with it.
      try Self.write([.run(other, isDamaged: false)], as: "other.sse", with: writer)
      var parts = Self.parts(of: incoming, aheadCount: 8)
      if !runEnds { parts.removeLast() }
      #expect(throws: (any Error).self) {
        try Self.write(parts, as: "failing.sse", with: writer, failingAtEnd: true)
      }
      #expect(!writer.hasLostPendingSources)
      try writer.commit()
    }
    #expect(try Self.runRows(store, run.runID) == before)
    #expect(try Self.eventCount(store, other.runID) == other.events.count)
    #expect(
      try RobustnessFixtures.rows(store, "SELECT path FROM sources ORDER BY path")
        == ["\"other.sse\"", "\"stored.sse\""])
  }

  @Test func aDamagedCopyInPiecesLeavesACleanStoredCopy() throws {
    let store = try RunStore(path: ":memory:")
    let (run, shorter) = try Self.runAndShorterCopy()
    try store.withBatchWriter { writer in
      try Self.write([.run(shorter, isDamaged: false)], as: "short.sse", with: writer)
      try writer.commit()
    }
    let before = try Self.runRows(store, run.runID)
    try store.withBatchWriter { writer in
      try Self.write(
        Self.parts(of: run, aheadCount: 8, isDamaged: true), as: "damaged.sse", with: writer)
      try writer.commit()
    }
    #expect(try Self.runRows(store, run.runID) == before)
  }

  /// A run stored in pieces keeps its own damage, not its file's: a clean run from a file that
  /// also held a damaged run stays against a damaged copy with more events, which comes in
  /// pieces too and so moves the stored copy aside until its end.
  @Test func aCleanRunInPiecesBesideADamagedOneStaysAgainstADamagedCopyInPieces() throws {
    let folder = try RobustnessFixtures.scratchFolder("pieces-damage")
    defer { RobustnessFixtures.removeScratch(folder) }
    let store = try RobustnessFixtures.newStore(in: folder)
    let files = try [
      DamagedCopyTests.cleanRunThenDamagedRun, DamagedCopyTests.damagedLongerCopyOfRunOne,
    ].enumerated().map { index, text in
      try RobustnessFixtures.write(Array(text.utf8), named: "\(index).sse", in: folder)
    }
    let damage = "SELECT run_id, event_count, damaged FROM runs ORDER BY run_id"
    let expected = [
      "\"\(DamagedCopyTests.runOne)\"\t3\t0", "\"\(DamagedCopyTests.runTwo)\"\t3\t1",
    ]
    Self.ingestInPieces([files[0]], into: store, blockSize: 64)
    #expect(try RobustnessFixtures.rows(store, damage) == expected)
    let before = try Self.runRows(store, DamagedCopyTests.runOne)
    Self.ingestInPieces([files[1]], into: store, blockSize: 64)
    #expect(try RobustnessFixtures.rows(store, damage) == expected)
    #expect(try Self.runRows(store, DamagedCopyTests.runOne) == before)
  }

  /// As many events, fewer of them lossy: the lossy ones counted are those of every piece.
  @Test func aCopyInPiecesWithFewerLossyEventsReplacesTheStoredOne() throws {
    let store = try RunStore(path: ":memory:")
    let run = try #require(try Self.runs(ofSample: "sse/react_messages_tuple.sse").first)
    func lossy(_ run: Run, firstCount: Int) -> Run {
      var copy = run
      for index in copy.events.indices { copy.events[index].isLossy = index < firstCount }
      return copy
    }
    let lossyCount = "SELECT COUNT(*) FROM events WHERE lossy = 1"
    try store.withBatchWriter { writer in
      try Self.write([.run(lossy(run, firstCount: 5), isDamaged: false)], as: "a", with: writer)
      // Five lossy events again, four of them in the pieces: not less lossy, so kept out.
      try Self.write(
        Self.parts(of: lossy(run, firstCount: 5), aheadCount: 4), as: "b", with: writer)
      try writer.commit()
    }
    #expect(try RobustnessFixtures.integer(store, lossyCount) == 5)
    #expect(try RobustnessFixtures.rows(store, "SELECT source FROM runs") == ["\"a\""])
    try store.withBatchWriter { writer in
      try Self.write(
        Self.parts(of: lossy(run, firstCount: 2), aheadCount: 4), as: "c", with: writer)
      try writer.commit()
    }
    #expect(try RobustnessFixtures.integer(store, lossyCount) == 2)
    #expect(try RobustnessFixtures.rows(store, "SELECT source FROM runs") == ["\"c\""])
    #expect(try Self.eventCount(store, run.runID) == run.events.count)
  }

  /// A capture of one run whose message streams its first chunks under langchain's id and then
  /// takes the provider's: the chunks read before that carry an id the message does not keep.
  /// `chunkCount` chunks in all; `endEarly` leaves the closing chunk and the end out.
  private static func renamingCapture(chunkCount: Int, endEarly: Bool = false) -> String {
    let metadata = #"{"langgraph_node":"agent","langgraph_checkpoint_ns":"agent:1"}"#
    func chunk(_ id: String, _ text: String, last: Bool = false) -> String {
      let position = last ? #""last""# : "null"
      return """
        event: messages
        data: [{"content":"\(text)","type":"AIMessageChunk","id":"\(id)","tool_call_chunks":[],\
        "chunk_position":\(position)},\(metadata)]


        """
    }
    var capture = """
      event: metadata
      data: {"run_id":"0199a0a0-0000-7000-8000-000000000001","attempt":1}


      """
    for index in 0..<chunkCount {
      let id = index < 3 ? "lc_run--call-1" : "msg_provider_1"
      capture += chunk(id, "t\(index) ")
    }
    if !endEarly {
      capture += chunk("lc_run--call-1", "", last: true)
      capture += "event: end\ndata: null\n\n"
    }
    return capture
  }

  /// A capture of one run in which messages stored ahead of the run's end change afterwards:
  /// a node fills in, a later copy replaces one, chunks take one over, and a streamed message
  /// repeating a stored one's id drops out, moving the messages after it up one place.
  private static let changingMessagesCapture: String = {
    func event(_ name: String, _ data: String) -> String { "event: \(name)\ndata: \(data)\n\n" }
    let metadata = #"{"langgraph_node":"agent","langgraph_checkpoint_ns":"agent:1"}"#
    func chunk(_ id: String, _ text: String) -> String {
      event(
        "messages",
        #"[{"content":"\#(text)","type":"AIMessageChunk","id":"\#(id)","tool_call_chunks":[]},"#
          + metadata + "]")
    }
    let call = #"{"name":"lookup","args":{"q":"x"},"id":"call_1","type":"tool_call"}"#
    var capture = event("metadata", #"{"run_id":"0199a0a0-0000-7000-8000-0000000000c1"}"#)
    capture += event(
      "values",
      #"{"messages":[{"type":"human","id":"h1","content":"hello"},"#
        + #"{"type":"ai","id":"a1","content":"","tool_calls":[\#(call)]},"#
        + #"{"type":"ai","id":"msg_P","content":"whole P"},"#
        + #"{"type":"ai","id":"x\u00001","content":"whole x1"}]}"#)
    capture += event(
      "updates",
      #"{"tools":{"messages":[{"type":"tool","id":"t1","content":"first","tool_call_id":"call_1"}]}}"#
    )
    // The node a1 came from, after it was stored without one.
    capture += event(
      "updates", #"{"agent":{"messages":[{"type":"ai","id":"a1","content":"","tool_calls":[]}]}}"#)
    // A later copy of t1 replaces it.
    capture += event(
      "messages",
      #"[{"type":"tool","id":"t1","content":"second","tool_call_id":"call_1"},"# + metadata + "]")
    // Chunks under x1's id take it over (the id holds a NUL, which rows hold as U+FFFD).
    capture += chunk(#"x\u00001"#, "streamed x1")
    capture += event(
      "messages",
      #"[{"content":"","type":"AIMessageChunk","id":"x\u00001","tool_call_chunks":[],"#
        + #""chunk_position":"last"},"# + metadata + "]")
    // A message streamed under langchain's id, then the provider's: msg_P, stored before.
    capture += chunk("lc_run--p", "streamed P")
    capture += chunk("msg_P", " more")
    capture += event(
      "updates",
      #"{"tools":{"messages":[{"type":"tool","id":"t2","content":"last","tool_call_id":"call_2"}]}}"#
    )
    capture += event("end", "null")
    return capture
  }()

  @Test func messagesStoredAheadOfTheirRunEndAsWhenStoredAtOnce() throws {
    let folder = try RobustnessFixtures.scratchFolder("pieces-messages")
    defer { RobustnessFixtures.removeScratch(folder) }
    let capture = folder.appendingPathComponent("run.sse")
    try Self.changingMessagesCapture.write(to: capture, atomically: true, encoding: .utf8)

    let whole = try RobustnessFixtures.newStore(in: folder, name: "whole.db")
    _ = Ingestor(store: whole, jobs: 1).ingest(paths: [capture.path])
    let pieces = try RobustnessFixtures.newStore(in: folder, name: "pieces.db")
    Self.ingestInPieces([capture.path], into: pieces, blockSize: 64)

    let messages = try RobustnessFixtures.rows(
      whole,
      "SELECT position, message_id, node, content FROM messages ORDER BY position")
    #expect(
      messages == [
        "0\t\"h1\"\tnull\t\"hello\"", "1\t\"a1\"\t\"agent\"\t\"\"",
        "2\t\"msg_P\"\tnull\t\"whole P\"", "3\t\"x\u{FFFD}1\"\tnull\t\"streamed x1\"",
        "4\t\"t1\"\t\"tools\"\t\"second\"", "5\t\"t2\"\t\"tools\"\t\"last\"",
      ])
    #expect(try RobustnessFixtures.rows(whole, "SELECT result FROM tool_calls") == ["\"second\""])
    #expect(try Self.contents(of: pieces) == Self.contents(of: whole))
  }

  /// A copy of a run that comes in pieces and holds messages stored ahead of its end, over a
  /// stored copy of the same run: whichever copy wins, the database ends as if only it had come.
  @Test(arguments: [false, true])
  func messagesStoredAheadOverAStoredCopy(piecesAreLonger: Bool) throws {
    let folder = try RobustnessFixtures.scratchFolder("pieces-messages-copies")
    defer { RobustnessFixtures.removeScratch(folder) }
    let longer = folder.appendingPathComponent("long.sse")
    let shorter = folder.appendingPathComponent("short.sse")
    let capture = Self.changingMessagesCapture
    try capture.write(to: longer, atomically: true, encoding: .utf8)
    // Cut after the replacing copy of t1: the stored copy then has a1, t1 and the rest too.
    let cut = try #require(capture.range(of: "event: messages\ndata: [{\"content\":\"streamed"))
    try String(capture[..<cut.lowerBound]).write(to: shorter, atomically: true, encoding: .utf8)
    let (stored, incoming) = piecesAreLonger ? (shorter, longer) : (longer, shorter)

    let expected = try RobustnessFixtures.newStore(in: folder, name: "expected.db")
    _ = Ingestor(store: expected, jobs: 1).ingest(paths: [longer.path])
    let store = try RobustnessFixtures.newStore(in: folder, name: "copies.db")
    _ = Ingestor(store: store, jobs: 1).ingest(paths: [stored.path])
    Self.ingestInPieces([incoming.path], into: store, blockSize: 64)

    // The sources differ (and so do the runs' rows, which name them); nothing else may.
    func runContents(_ store: RunStore) throws -> [String] {
      let tables = ["events", "message_chunks", "messages", "tool_calls", "search_index"]
      return try Self.contents(of: store).filter { row in
        tables.contains { row.hasPrefix("\"\($0)\"\t") }
      }
    }
    #expect(try RobustnessFixtures.integer(store, "SELECT COUNT(*) FROM messages") == 6)
    #expect(try runContents(expected).count > 20)
    #expect(try runContents(store) == runContents(expected))
  }

  /// A run long enough to reach the writer in pieces replaces a shorter stored copy: every one
  /// of its messages is in the search index, as when it is ingested alone. The stored copy held
  /// the highest message rowids; the run's end rewrites the rows its pieces stored, so the run
  /// can end with no row above the rowid it started after.
  @Test func aRunInPiecesReplacingAStoredCopyIndexesEveryMessage() throws {
    let folder = try RobustnessFixtures.scratchFolder("pieces-search")
    defer { RobustnessFixtures.removeScratch(folder) }
    let sample = try String(
      contentsOf: RobustnessFixtures.samples.appendingPathComponent("sse/react_messages_tuple.sse"),
      encoding: .utf8)
    // Its metadata, then the first message's chunks again and again: a run of a few times the
    // piece size. The copy stored first holds the metadata and the first chunk.
    let blocks = sample.replacingOccurrences(of: "\r\n", with: "\n")
      .trimmingCharacters(in: .newlines).components(separatedBy: "\n\n")
    try #require(blocks.count > 21)
    let pieceBytes = 64 << 10
    var long = [blocks[0]]
    while long.reduce(0, { $0 + $1.utf8.count }) < 4 * pieceBytes { long += blocks[1..<21] }
    let longPath = try RobustnessFixtures.write(
      Array((long.joined(separator: "\n\n") + "\n\n").utf8), named: "long.sse", in: folder)
    let shortPath = try RobustnessFixtures.write(
      Array((blocks[0..<2].joined(separator: "\n\n") + "\n\n").utf8), named: "short.sse",
      in: folder)
    func ingestInPieces(_ path: String, into store: RunStore) {
      var ingestor = Ingestor(store: store, jobs: 1)
      ingestor.runPieceBytes = pieceBytes
      ingestor.blockSize = 16 << 10
      let reports = ingestor.ingest(paths: [path])
      #expect(reports.allSatisfy { $0.isClean }, "\(reports.map(\.summary))")
    }

    let alone = try RobustnessFixtures.newStore(in: folder, name: "alone.db")
    ingestInPieces(longPath, into: alone)
    let store = try RobustnessFixtures.newStore(in: folder, name: "replaced.db")
    _ = Ingestor(store: store, jobs: 1).ingest(paths: [shortPath])
    ingestInPieces(longPath, into: store)

    let index =
      "SELECT text, run_id, attempt, message_id, node, kind FROM search_index ORDER BY 1, 4, 6"
    let expected = try RobustnessFixtures.rows(alone, index)
    #expect(expected.contains { $0.contains("\"ai\"") && $0.hasPrefix("\"Let me check both.") })
    #expect(try RobustnessFixtures.rows(store, index) == expected)
    #expect(try store.search("check both").rows.count == 1)
  }

  /// Chunk rows as text, in seq order.
  private static func chunkRows(_ store: RunStore) throws -> [String] {
    try RobustnessFixtures.rows(
      store, "SELECT message_id, seq, content FROM message_chunks ORDER BY seq")
  }

  @Test func chunksStoredAheadOfTheirRunTakeTheIdTheirMessageEndsWith() throws {
    let folder = try RobustnessFixtures.scratchFolder("pieces-rename")
    defer { RobustnessFixtures.removeScratch(folder) }
    let capture = folder.appendingPathComponent("run.sse")
    try Self.renamingCapture(chunkCount: 40).write(to: capture, atomically: true, encoding: .utf8)

    let whole = try RobustnessFixtures.newStore(in: folder, name: "whole.db")
    _ = Ingestor(store: whole, jobs: 1).ingest(paths: [capture.path])
    let pieces = try RobustnessFixtures.newStore(in: folder, name: "pieces.db")
    Self.ingestInPieces([capture.path], into: pieces, blockSize: 512)

    let expected = try Self.chunkRows(whole)
    #expect(expected.count == 41)
    #expect(Set(expected.map { $0.prefix(while: { $0 != "\t" }) }) == ["\"msg_provider_1\""])
    #expect(try Self.chunkRows(pieces) == expected)
    #expect(try Self.contents(of: pieces) == Self.contents(of: whole))
  }

  @Test func chunksKeptForTheChoiceBetweenCopiesTakeTheIdTheirMessageEndsWith() throws {
    let folder = try RobustnessFixtures.scratchFolder("pieces-rename-kept")
    defer { RobustnessFixtures.removeScratch(folder) }
    let shorter = folder.appendingPathComponent("short.sse")
    let longer = folder.appendingPathComponent("long.sse")
    try Self.renamingCapture(chunkCount: 10, endEarly: true)
      .write(to: shorter, atomically: true, encoding: .utf8)
    try Self.renamingCapture(chunkCount: 40).write(to: longer, atomically: true, encoding: .utf8)

    let whole = try RobustnessFixtures.newStore(in: folder, name: "whole.db")
    _ = Ingestor(store: whole, jobs: 1).ingest(paths: [longer.path])
    // The shorter copy is stored first; the longer one then comes in pieces, which wait for
    // the run's end and replace it.
    let pieces = try RobustnessFixtures.newStore(in: folder, name: "pieces.db")
    _ = Ingestor(store: pieces, jobs: 1).ingest(paths: [shorter.path])
    #expect(try Self.chunkRows(pieces).count == 10)
    Self.ingestInPieces([longer.path], into: pieces, blockSize: 512)

    #expect(try Self.chunkRows(pieces) == Self.chunkRows(whole))
    #expect(try Self.chunkRows(whole).count == 41)
  }
}
