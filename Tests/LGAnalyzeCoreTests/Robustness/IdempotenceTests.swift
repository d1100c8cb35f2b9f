import Foundation
import LGAnalyzeCore
import Testing

/// Ingesting again adds nothing: the same content (under any name) is recognised, and a run
/// saved in two formats — an SSE capture and its transcript, as the manifest's `same_run_as`
/// pairs them — is one run whichever comes first.
@Suite struct IdempotenceTests {
  /// The counts that say what a store holds.
  private static func counts(_ store: RunStore) throws -> [Int] {
    try ["sources", "runs", "events", "message_chunks", "messages", "tool_calls"].map {
      try RobustnessFixtures.integer(store, "SELECT COUNT(*) FROM \($0)")
    }
  }

  @Test func theSameContentAgainAddsNothing() throws {
    let folder = try RobustnessFixtures.scratchFolder("again")
    defer { RobustnessFixtures.removeScratch(folder) }
    let store = try RobustnessFixtures.newStore(in: folder)
    let paths = try RobustnessFixtures.sampleFiles().map(\.path)
    _ = Ingestor(store: store).ingest(paths: paths)
    let before = try Self.counts(store)
    let runsSQL =
      "SELECT run_id, attempt, event_count, message_count, source FROM runs ORDER BY 1, 2"
    let runs = try RobustnessFixtures.rows(store, runsSQL)

    // The same files, and copies of them under other names.
    var again = paths
    for (index, path) in paths.enumerated() {
      again.append(
        try RobustnessFixtures.write(
          try RobustnessFixtures.bytes(path), named: "copy-\(index).log", in: folder))
    }
    for report in Ingestor(store: store).ingest(paths: again) {
      #expect(report.outcome == .alreadyIngested, "\(report.summary)")
    }
    #expect(try Self.counts(store) == before)
    #expect(try RobustnessFixtures.rows(store, runsSQL) == runs)
  }

  /// The stored record of each source and each ingest error, as text.
  private static func records(_ store: RunStore) throws -> [String] {
    try RobustnessFixtures.rows(
      store, "SELECT path, format, run_count, error_count FROM sources ORDER BY source_id")
      + RobustnessFixtures.rows(
        store, "SELECT source, line, message FROM ingest_errors ORDER BY error_id")
  }

  /// Content read with the wrong `--format` gave no runs: read again, it is stored, and its
  /// record and errors from the first read are replaced. Once it gave runs, it is not read again.
  @Test func contentThatGaveNoRunsIsReadAgain() throws {
    let folder = try RobustnessFixtures.scratchFolder("again-no-runs")
    defer { RobustnessFixtures.removeScratch(folder) }
    let store = try RobustnessFixtures.newStore(in: folder)
    let path = RobustnessFixtures.samples.appendingPathComponent("sse/weather_updates.sse").path

    let wrong = Ingestor(store: store, forcedFormat: .jsonl, jobs: 1).ingest(paths: [path])
    #expect(wrong.map(\.runCount) == [0])
    #expect(try RobustnessFixtures.integer(store, "SELECT COUNT(*) FROM ingest_errors") > 0)

    let right = Ingestor(store: store, jobs: 1).ingest(paths: [path])
    #expect(right.map(\.isClean) == [true], "\(right.map(\.summary))")
    #expect(right.map(\.runCount) == [1])
    let runs = try RobustnessFixtures.integer(store, "SELECT COUNT(*) FROM runs")
    #expect(runs == 1)
    #expect(try Self.records(store) == ["\"\(path)\"\t\"sse\"\t1\t0"])

    let again = Ingestor(store: store, jobs: 1).ingest(paths: [path])
    #expect(again.map(\.outcome) == [.alreadyIngested])
    #expect(try Self.records(store) == ["\"\(path)\"\t\"sse\"\t1\t0"])
  }

  /// An empty file gives no runs, so the same (empty) content under another name is read again
  /// and reported as empty again; its record replaces the first one rather than joining it.
  @Test func anEmptyFileIsReportedEveryTime() throws {
    let folder = try RobustnessFixtures.scratchFolder("again-empty")
    defer { RobustnessFixtures.removeScratch(folder) }
    let store = try RobustnessFixtures.newStore(in: folder)
    let first = try RobustnessFixtures.write([], named: "first.sse", in: folder)
    let second = try RobustnessFixtures.write([], named: "second.sse", in: folder)
    for path in [first, second] {
      let reports = Ingestor(store: store, jobs: 1).ingest(paths: [path])
      #expect(reports.map(\.isClean) == [false], "\(reports.map(\.summary))")
      #expect(reports.first?.issues.map(\.message) == ["no events found in the file"])
      #expect(
        try Self.records(store) == [
          "\"\(path)\"\t\"sse\"\t0\t1", "\"\(path)\"\t1\t\"no events found in the file\"",
        ])
    }
  }

  /// A Node printout converted to SSE or JSONL keeps its lossy marks, so the capture it was
  /// printed from still replaces it: the converted copy never hides the whole one.
  @Test(arguments: [CaptureFormat.sse, .jsonl])
  func aConvertedNodePrintoutGivesWayToTheCapture(format: CaptureFormat) throws {
    let folder = try RobustnessFixtures.scratchFolder("converted-printout")
    defer { RobustnessFixtures.removeScratch(folder) }
    let printout = RobustnessFixtures.samples
      .appendingPathComponent("transcripts/weather_messages_tuple.js.txt").path
    let converted = try RobustnessFixtures.write(
      try CaptureConverter.convert(path: printout, to: format).bytes,
      named: "converted.\(format.rawValue)", in: folder)
    let capture = RobustnessFixtures.samples
      .appendingPathComponent("sse/weather_messages_tuple.sse").path
    let store = try RobustnessFixtures.newStore(in: folder)
    let reports = Ingestor(store: store).ingest(paths: [converted, capture])
    for report in reports { #expect(report.isClean, "\(report.summary)") }
    guard case .stored(let summary) = reports[1].outcome else {
      Issue.record("the capture was not stored: \(reports[1].summary)")
      return
    }
    #expect(summary.runsWritten == 1)
    #expect(try RobustnessFixtures.rows(store, "SELECT source FROM runs") == ["\"\(capture)\""])
    #expect(try RobustnessFixtures.integer(store, "SELECT COUNT(*) FROM tool_calls") > 0)
  }

  /// A run whose stream had no metadata event is one run whatever syntax it is saved in, as
  /// its id comes from its events: an SSE capture and its conversions are one run, also when
  /// its events go to the store in pieces ahead of its end.
  @Test func aRunWithoutMetadataSavedInEveryFormatIsOneRun() throws {
    let folder = try RobustnessFixtures.scratchFolder("no-metadata")
    defer { RobustnessFixtures.removeScratch(folder) }
    var capture = ""
    for step in 0..<40 {
      capture +=
        "event: values\r\ndata: {\"messages\":[{\"type\":\"human\",\"content\":"
        + "\"hello \(step)\",\"id\":\"h\(step)\"}]}\r\n\r\n"
    }
    let bytes = Array(capture.utf8)
    var paths = [try RobustnessFixtures.write(bytes, named: "capture.sse", in: folder)]
    for format in CaptureFormat.allCases {
      paths.append(
        try RobustnessFixtures.write(
          try CaptureConverter.convert(bytes, from: .sse, to: format).bytes,
          named: "converted.\(format.rawValue)", in: folder))
    }
    for pieceBytes in [8 << 20, 200] {
      let store = try RobustnessFixtures.newStore(in: folder, name: "\(pieceBytes).db")
      var ingestor = Ingestor(store: store)
      ingestor.runPieceBytes = pieceBytes
      ingestor.blockSize = 512
      let reports = paths.map { ingestor.ingestFile(path: $0) }
      for report in reports { #expect(report.isClean, "\(report.summary)") }
      let runs = try RobustnessFixtures.rows(store, "SELECT run_id, event_count FROM runs")
      #expect(runs.count == 1, "\(runs)")
      #expect(runs.first?.hasSuffix("\t40") == true)
      #expect(try RobustnessFixtures.integer(store, "SELECT COUNT(*) FROM events") == 40)
    }
  }

  @Test func aRunSavedInTwoFormatsIsOneRun() throws {
    let manifest = RobustnessFixtures.samples.appendingPathComponent("manifest.json")
    let entries = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as? [[String: Any]])
    let pairs = entries.compactMap { entry -> (String, String)? in
      guard let file = entry["file"] as? String, let other = entry["same_run_as"] as? String
      else { return nil }
      return (file, other)
    }
    #expect(!pairs.isEmpty)
    let folder = try RobustnessFixtures.scratchFolder("same-run")
    defer { RobustnessFixtures.removeScratch(folder) }
    for (file, other) in pairs {
      for order in [[other, file], [file, other]] {
        let store = try RobustnessFixtures.newStore(in: folder, name: "\(UUID().uuidString).db")
        let paths = order.map { RobustnessFixtures.samples.appendingPathComponent($0).path }
        let reports = Ingestor(store: store).ingest(paths: paths)
        for report in reports { #expect(report.isClean, "\(report.summary)") }
        let runs = try RobustnessFixtures.rows(store, "SELECT run_id, attempt FROM runs")
        #expect(runs.count == 1, "\(order) gave \(runs)")
        #expect(try RobustnessFixtures.integrity(store) == "ok")
      }
    }
  }
}
