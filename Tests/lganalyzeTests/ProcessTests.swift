import Foundation
import LGAnalyzeCore
import Testing

/// The built `lganalyze` run as real processes against one database: two ingests writing at
/// once both succeed, with the runs of both and nothing twice; and an ingest killed with SIGKILL
/// midway leaves a database that passes its integrity check and that the same ingest, run
/// again, completes to exactly what a clean ingest gives.
@Suite(.serialized) struct ProcessTests {
  private static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  private static let samples = root.appendingPathComponent("Samples")
  private static let isLong = ProcessInfo.processInfo.environment["LGANALYZE_LONG_TESTS"] == "1"

  // MARK: - Running lganalyze

  /// A started `lganalyze` process whose output goes to files in its folder.
  final class Run {
    let process = Process()
    let label: String
    private let output: URL

    init(_ arguments: [String], label: String, in folder: URL) throws {
      self.label = label
      output = folder.appendingPathComponent("\(label).log")
      _ = FileManager.default.createFile(atPath: output.path, contents: nil)
      let handle = try FileHandle(forWritingTo: output)
      process.executableURL = try BuiltExecutable.url()
      process.arguments = arguments
      var environment = ProcessInfo.processInfo.environment
      environment["LGANALYZE_DB"] = nil
      process.environment = environment
      process.standardOutput = handle
      process.standardError = handle
      process.standardInput = FileHandle.nullDevice
      try process.run()
    }

    /// Waits for the process to end (killing it after `timeout` seconds) and returns its exit
    /// status.
    @discardableResult
    func wait(timeout: Double = 120) -> Int32 {
      let deadline = Date.now.addingTimeInterval(timeout)
      while process.isRunning && Date.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
      if process.isRunning {
        Issue.record("\(label) still ran after \(timeout) s; killed")
        kill(process.processIdentifier, SIGKILL)
      }
      process.waitUntilExit()
      return process.terminationStatus
    }

    /// What the process printed.
    var log: String {
      (try? String(contentsOf: output, encoding: .utf8)).map { String($0.suffix(2_000)) } ?? ""
    }
  }

  // MARK: - Reading a database

  /// The integer answer of `sql` on the database at `path`, opened read-only.
  static func integer(_ path: String, _ sql: String) throws -> Int {
    let store = try RunStore.openReadOnly(path: path)
    return try store.table(sql: sql).rows.first?.first?.intValue ?? -1
  }

  /// Every row `sql` gives, as text.
  static func rows(_ path: String, _ sql: String) throws -> [String] {
    let store = try RunStore.openReadOnly(path: path)
    return try store.table(sql: sql).rows.map { row in
      row.map(\.canonicalText).joined(separator: "\t")
    }
  }

  /// What `PRAGMA integrity_check` says of the database at `path`.
  static func integrity(_ path: String) throws -> String {
    let store = try RunStore.openReadOnly(path: path)
    return try store.table(sql: "PRAGMA integrity_check").rows
      .map { $0.first?.stringValue ?? "?" }.joined(separator: "; ")
  }

  /// The counts that say what a database holds, by table.
  static func counts(_ path: String) throws -> [String: Int] {
    var counts: [String: Int] = [:]
    for table in ["sources", "runs", "events", "messages", "message_chunks", "tool_calls"] {
      counts[table] = try integer(path, "SELECT COUNT(*) FROM \(table)")
    }
    return counts
  }

  /// Rows that would betray a run or an event stored twice.
  static func expectNoDuplicates(_ path: String, _ comment: Comment) throws {
    #expect(
      try integer(
        path,
        "SELECT COUNT(*) FROM (SELECT 1 FROM runs GROUP BY run_id, attempt HAVING COUNT(*) > 1)")
        == 0, comment)
    #expect(
      try integer(
        path,
        """
        SELECT COUNT(*) FROM runs r
         WHERE r.event_count != (SELECT COUNT(*) FROM events e
                                  WHERE e.run_id = r.run_id AND e.attempt = r.attempt)
        """) == 0, comment)
    #expect(
      try integer(
        path, "SELECT COUNT(*) FROM (SELECT 1 FROM sources GROUP BY sha256 HAVING COUNT(*) > 1)")
        == 0, comment)
  }

  static func scratchFolder(_ label: String) throws -> URL {
    try TestScratch.folder("process-\(label)")
  }

  // MARK: - Concurrent ingests

  @Test func twoIngestsWritingOneDatabaseAtOnceBothSucceed() throws {
    let folder = try Self.scratchFolder("concurrent")
    defer { try? FileManager.default.removeItem(at: folder) }
    let sse = Self.samples.appendingPathComponent("sse").path
    let jsonl = Self.samples.appendingPathComponent("jsonl").path
    let transcripts = Self.samples.appendingPathComponent("transcripts").path
    // Different sample sets, then overlapping ones (the same files in both: one of the two
    // finds each already ingested).
    let rounds: [(first: [String], second: [String])] =
      [([sse], [jsonl, transcripts]), ([sse, jsonl], [jsonl, transcripts])]
      + (Self.isLong ? Array(repeating: ([sse], [jsonl, transcripts]), count: 8) : [])
    for (index, round) in rounds.enumerated() {
      let database = folder.appendingPathComponent("round-\(index).db").path
      let first = try Run(
        ["ingest", "-q", "--db", database] + round.first, label: "first-\(index)", in: folder)
      let second = try Run(
        ["ingest", "-q", "--db", database] + round.second, label: "second-\(index)", in: folder)
      let firstStatus = first.wait()
      let secondStatus = second.wait()
      #expect(firstStatus == 0, "round \(index), first ingest: \(first.log)")
      #expect(secondStatus == 0, "round \(index), second ingest: \(second.log)")

      // The same inputs one after the other, into a database of their own.
      let reference = folder.appendingPathComponent("reference-\(index).db").path
      #expect(
        try Run(["ingest", "-q", "--db", reference] + round.first, label: "ref-a", in: folder)
          .wait() == 0)
      #expect(
        try Run(["ingest", "-q", "--db", reference] + round.second, label: "ref-b", in: folder)
          .wait() == 0)
      let runsSQL = "SELECT run_id, attempt, event_count FROM runs ORDER BY run_id, attempt"
      #expect(
        try Self.rows(database, runsSQL) == Self.rows(reference, runsSQL),
        "round \(index): the runs differ from one ingest after the other")
      let sourcesSQL = "SELECT sha256 FROM sources ORDER BY sha256"
      #expect(try Self.rows(database, sourcesSQL) == Self.rows(reference, sourcesSQL))
      try Self.expectNoDuplicates(database, "round \(index)")
      #expect(try Self.integrity(database) == "ok")
    }
  }

  /// Several ingests that start together on a database that does not exist yet all race to
  /// create it: to set its journal mode and migrate its schema.
  @Test func ingestsStartingTogetherOnANewDatabaseAllSucceed() throws {
    let folder = try Self.scratchFolder("open-race")
    defer { try? FileManager.default.removeItem(at: folder) }
    let files = [
      "sse/weather_updates.sse", "sse/joke_custom.sse", "sse/approval_interrupt.sse",
      "sse/parent_subgraphs_updates.sse",
    ].map { Self.samples.appendingPathComponent($0).path }
    for round in 0..<(Self.isLong ? 40 : 6) {
      let database = folder.appendingPathComponent("race-\(round).db").path
      let runs = try files.enumerated().map { index, file in
        try Run(
          ["ingest", "-q", "--db", database, file], label: "race-\(round)-\(index)", in: folder)
      }
      for run in runs {
        #expect(run.wait() == 0, "round \(round), \(run.label): \(run.log)")
      }
      #expect(try Self.integer(database, "SELECT COUNT(*) FROM sources") == files.count)
      #expect(try Self.integer(database, "SELECT COUNT(*) FROM runs") == files.count)
      #expect(try Self.integrity(database) == "ok")
    }
  }

  // MARK: - A killed ingest

  /// `copies` copies of the SSE and JSONL samples, each with every UUID replaced by a fresh
  /// one (the same replacement throughout a copy, so that its runs hang together as before).
  static func makeCorpus(in folder: URL, copies: Int) throws -> [String] {
    var templates: [(suffix: String, bytes: [UInt8], uuids: [Int])] = []
    for (suffix, separator) in [("sse", "\r\n"), ("jsonl", "\n")] {
      let url = samples.appendingPathComponent(suffix)
      var bytes: [UInt8] = []
      for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
      where name.hasSuffix(suffix) && !name.contains(".headers.") {
        bytes += Array(try Data(contentsOf: url.appendingPathComponent(name)))
        bytes += Array(separator.utf8)  // whatever the file ended with, the next starts afresh
      }
      templates.append((suffix, bytes, uuidOffsets(in: bytes)))
    }
    var random = SplitMix(seed: 0x6B69_6C6C)
    var paths: [String] = []
    for copy in 0..<copies {
      var fresh: [ArraySlice<UInt8>: [UInt8]] = [:]
      for template in templates {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(template.bytes.count)
        var copied = 0
        for offset in template.uuids {
          let uuid = template.bytes[offset..<offset + 36]
          // Keep the time and version of a UUIDv7, so the run still dates from when it did.
          let replacement =
            fresh[uuid] ?? Array(uuid.prefix(15)) + random.hex("xxx-xxxx-xxxxxxxxxxxx")
          fresh[uuid] = replacement
          bytes += template.bytes[copied..<offset]
          bytes += replacement
          copied = offset + 36
        }
        bytes += template.bytes[copied...]
        let name = "copy-\(String(format: "%03d", copy)).\(template.suffix)"
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        paths.append(path)
      }
    }
    return paths
  }

  /// Where the lowercase UUIDs of `bytes` start: 8-4-4-4-12 hexadecimal digits, not inside a
  /// longer run of them.
  static func uuidOffsets(in bytes: [UInt8]) -> [Int] {
    func isHex(_ byte: UInt8) -> Bool {
      (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }
    let hyphens: Set<Int> = [8, 13, 18, 23]
    var offsets: [Int] = []
    var index = 0
    while index + 36 <= bytes.count {
      // Cheap test first: the hyphens sit at fixed places.
      guard bytes[index + 8] == 0x2D, bytes[index + 13] == 0x2D, bytes[index + 18] == 0x2D,
        bytes[index + 23] == 0x2D, index == 0 || !isHex(bytes[index - 1]),
        index + 36 == bytes.count || !isHex(bytes[index + 36]),
        (0..<36).allSatisfy({ hyphens.contains($0) || isHex(bytes[index + $0]) })
      else {
        index += 1
        continue
      }
      offsets.append(index)
      index += 36
    }
    return offsets
  }

  /// An ingest into a new database writes it with a rollback journal, one into a database that
  /// held data with the WAL (`RunStore.withBatchWriter`): a kill is played back from either.
  @Test(arguments: [false, true])
  func aKilledIngestLeavesASoundDatabaseThatTheSameIngestCompletes(heldData: Bool) throws {
    let folder = try Self.scratchFolder("killed-\(heldData)")
    defer { try? FileManager.default.removeItem(at: folder) }
    // About 1.2 MB a copy: 30 copies make a 35 MB ingest (70 files).
    let inputs = try Self.makeCorpus(in: folder, copies: Self.isLong ? 50 : 30)
    let clean = folder.appendingPathComponent("clean.db").path
    let killed = folder.appendingPathComponent("killed.db").path
    if heldData {
      let earlier = Self.samples.appendingPathComponent("transcripts").path
      for database in [clean, killed] {
        let first = try Run(
          ["ingest", "-q", "--db", database, earlier], label: "earlier", in: folder)
        #expect(first.wait() == 0, "the earlier ingest: \(first.log)")
      }
    }
    let earlierSources = heldData ? try Self.integer(clean, "SELECT COUNT(*) FROM sources") : 0
    func writtenBytes() -> Int {
      [killed, killed + "-wal"].reduce(0) { total, file in
        total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
      }
    }
    let bytesBefore = writtenBytes()

    // The clean ingest runs meanwhile, in a database of its own.
    let cleanRun = try Run(["ingest", "-q", "--db", clean] + inputs, label: "clean", in: folder)
    let victim = try Run(["ingest", "-q", "--db", killed] + inputs, label: "victim", in: folder)
    // Files become visible only when their batch commits, so the kill is timed by what the
    // database and its WAL have grown by: once that is a few megabytes, the writer is in the
    // middle of its work.
    let deadline = Date.now.addingTimeInterval(120)
    while victim.process.isRunning && Date.now < deadline {
      if writtenBytes() - bytesBefore >= 4 << 20 { break }
      Thread.sleep(forTimeInterval: 0.01)
    }
    let wasRunning = victim.process.isRunning
    kill(victim.process.processIdentifier, SIGKILL)
    victim.process.waitUntilExit()
    #expect(wasRunning, "the ingest ended before it could be killed: \(victim.log)")
    #expect(victim.process.terminationReason == .uncaughtSignal)

    let storedBefore = try Self.integer(killed, "SELECT COUNT(*) FROM sources")
    #expect(try Self.integrity(killed) == "ok")
    #expect(storedBefore < inputs.count + earlierSources, "the kill came after the last file")
    try Self.expectNoDuplicates(killed, "after the kill")

    #expect(cleanRun.wait() == 0, "clean ingest: \(cleanRun.log)")
    let rerun = try Run(["ingest", "-q", "--db", killed] + inputs, label: "rerun", in: folder)
    #expect(rerun.wait() == 0, "the ingest run again: \(rerun.log)")

    #expect(try Self.integrity(killed) == "ok")
    let cleanCounts = try Self.counts(clean)
    #expect(cleanCounts["sources"] == inputs.count + earlierSources)
    #expect(try Self.counts(killed) == cleanCounts)
    let runsSQL =
      "SELECT run_id, attempt, status, event_count, message_count FROM runs ORDER BY 1, 2"
    #expect(try Self.rows(killed, runsSQL) == Self.rows(clean, runsSQL))
    try Self.expectNoDuplicates(killed, "after the second ingest")
  }

  /// SplitMix64, for the same fresh ids on every run.
  struct SplitMix: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var mixed = state
      mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
      mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
      return mixed ^ (mixed >> 31)
    }

    /// `pattern` with each `x` replaced by a random lowercase hexadecimal digit.
    mutating func hex(_ pattern: String) -> [UInt8] {
      let digits = Array("0123456789abcdef".utf8)
      return pattern.utf8.map { $0 == UInt8(ascii: "x") ? digits[Int(next() % 16)] : $0 }
    }
  }
}
