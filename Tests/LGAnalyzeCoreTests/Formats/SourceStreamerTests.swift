import Foundation
import Testing

@testable import LGAnalyzeCore

/// Feeds every sample to SourceStreamer in blocks of many sizes and checks that it reads exactly
/// what the one-shot readers read from the whole buffer: the same events (names, payload bytes,
/// lines, stream ids), the same issues, the same cut-off flag. Block edges fall inside CRLFs,
/// inside UTF-8 characters, inside headers and payloads.
@Suite struct SourceStreamerTests {
  private static let samples = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Samples")

  static let files: [String] = {
    var names: [String] = []
    for folder in ["sse", "jsonl", "transcripts", "edge"] {
      let url = samples.appendingPathComponent(folder)
      let entries = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
      names += entries.sorted().map { "\(folder)/\($0)" }
    }
    return names
  }()

  private struct Reading: Equatable {
    var events: [SourceEvent]
    var issues: [SourceIssue]
    var endsInsideEvent: Bool
    var format: String
    var heads: [ResponseHead]
  }

  private static func streamed(_ bytes: [UInt8], kind: FormatKind, blockSize: Int) -> Reading {
    var streamer = SourceStreamer(kind: kind)
    var events: [SourceEvent] = []
    var offset = 0
    while offset < bytes.count {
      let end = min(bytes.count, offset + blockSize)
      events += streamer.feed(Array(bytes[offset..<end]))
      offset = end
    }
    events += streamer.finish()
    let parsed = streamer.parsed
    return Reading(
      events: events, issues: parsed.issues, endsInsideEvent: parsed.endsInsideEvent,
      format: parsed.format.description, heads: parsed.responseHeads)
  }

  @Test(arguments: files)
  func blocksOfAnySizeReadLikeTheWholeFile(_ file: String) throws {
    let bytes = Array(try Data(contentsOf: Self.samples.appendingPathComponent(file)))
    let kind = try #require(FormatDetector.detect(bytes, fileName: file))
    let whole = FormatDetector.read(bytes, as: kind)
    let expected = Reading(
      events: whole.events, issues: whole.issues, endsInsideEvent: whole.endsInsideEvent,
      format: whole.format.description, heads: whole.responseHeads)
    #expect(!expected.events.isEmpty)
    // Byte-sized blocks only on small files, to keep the suite quick.
    var sizes = [2, 3, 7, 64, 1000, 4096, bytes.count]
    if bytes.count < 5_000 { sizes.insert(1, at: 0) }
    for size in sizes {
      let reading = Self.streamed(bytes, kind: kind, blockSize: size)
      #expect(reading.events.count == expected.events.count, "\(file), blocks of \(size)")
      #expect(reading == expected, "\(file), blocks of \(size)")
    }
  }

  /// Captures joined with `cat`, each with its `curl -i` head: every head is read, in blocks of
  /// any size, with the line it starts on.
  @Test func theHeadsOfJoinedCapturesReadLikeTheWholeFile() throws {
    let headed = Array(
      try Data(
        contentsOf: Self.samples.appendingPathComponent("sse/weather_messages_tuple.headers.sse")))
    let plain = Array(
      try Data(contentsOf: Self.samples.appendingPathComponent("sse/weather_values.sse")))
    let bytes = headed + plain + headed
    let whole = FormatDetector.read(bytes, as: .sse)
    #expect(whole.responseHeads.count == 2)
    #expect(
      whole.responseHeads.map(\.threadID)
        == Array(repeating: "01a20557-0bec-7080-8c47-fce7709d68c6", count: 2))
    for size in [2, 7, 64, 4096] {
      let reading = Self.streamed(bytes, kind: .sse, blockSize: size)
      #expect(reading.heads == whole.responseHeads, "blocks of \(size)")
      #expect(reading.events.count == whole.events.count, "blocks of \(size)")
    }
  }

  @Test func aCRLFSplitAcrossBlocksIsOneLineBreak() throws {
    let text = "event: metadata\r\ndata: {\"run_id\":\"r1\"}\r\n\r\nevent: end\r\n\r\n"
    let bytes = Array(text.utf8)
    // Split right after every CR in turn.
    for split in bytes.indices where bytes[split] == UInt8(ascii: "\r") {
      var streamer = SourceStreamer(kind: .sse)
      var events = streamer.feed(Array(bytes[...split]))
      events += streamer.feed(Array(bytes[(split + 1)...]))
      events += streamer.finish()
      #expect(events.map(\.name) == ["metadata", "end"], "split after byte \(split)")
      #expect(events.map(\.line) == [1, 4], "split after byte \(split)")
    }
  }

  @Test func anEventLargerThanABlockWaitsUntilWhole() throws {
    let long = String(repeating: "x", count: 100_000)
    let text = "event: custom\ndata: {\"text\":\"\(long)\"}\n\nevent: end\n\n"
    let reading = Self.streamed(Array(text.utf8), kind: .sse, blockSize: 4096)
    #expect(reading.events.map(\.name) == ["custom", "end"])
    #expect(reading.events.first?.document?.root["text"]?.stringValue?.count == 100_000)
  }

  @Test func theLastBoundaryIsFoundPerFormat() {
    func boundary(_ text: String, _ kind: FormatKind) -> Int {
      SourceStreamer.lastBoundary(in: Array(text.utf8), from: 0, kind: kind)
    }
    #expect(boundary("event: a\ndata: 1\n\nevent: b\ndata:", .sse) == 18)
    #expect(boundary("event: a\r\ndata: 1\r\n\r\nevent: b", .sse) == 21)
    #expect(boundary("event: a\ndata: 1\n", .sse) == 0)
    // A CR at the very end may be half of a CRLF: not a boundary yet.
    #expect(boundary("event: a\r\n\r", .sse) == 0)
    #expect(boundary("{\"event\":\"a\"}\n{\"ev", .jsonl) == 14)
    #expect(
      boundary("Receiving event of type: a...\n{}\n\nReceiving event of type: b...\n{", .transcript)
        == 34)
    // A header still being written is not whole yet.
    #expect(
      boundary("Receiving event of type: a...\n{}\n\nReceiving event of ty", .transcript) == 0)
  }
}
