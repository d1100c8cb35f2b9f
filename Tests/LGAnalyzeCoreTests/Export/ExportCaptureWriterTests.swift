import Foundation
import LGAnalyzeCore
import Testing

/// `convert` loses nothing: every sample written in every capture format reads back as the same
/// runs, events and messages, and SSE comes out as the server framed it.
@Suite struct ExportCaptureWriterTests {
  /// The sample files whose reading is complete: SSE, JSONL and every transcript but Node's
  /// console.log printouts, which elide nested data.
  static let roundTripSamples: [String] = {
    var files: [String] = []
    for folder in ["sse", "jsonl", "transcripts"] {
      let url = ExportFixtures.samples.appendingPathComponent(folder)
      let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
      files += names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".js.txt") }
        .sorted().map { "\(folder)/\($0)" }
    }
    return files
  }()

  /// What a source reads as: its events, its issues, and the runs made of them.
  private struct Reading {
    var parsed: ParsedSource
    var runs: [Run]
  }

  private static func read(_ bytes: [UInt8], fileName: String? = nil) throws -> Reading {
    let kind = try #require(FormatDetector.detect(bytes, fileName: fileName))
    let parsed = FormatDetector.read(bytes, as: kind)
    let segments = RunAssembler.split(parsed.events)
    let runs = segments.enumerated().map { index, segment in
      RunAssembler.assemble(
        segment, runID: segment.runID ?? "segment-\(index)",
        endsInsideEvent: parsed.endsInsideEvent && index == segments.count - 1)
    }
    return Reading(parsed: parsed, runs: runs)
  }

  private static func bytes(of sample: String) throws -> [UInt8] {
    Array(try Data(contentsOf: ExportFixtures.samples.appendingPathComponent(sample)))
  }

  @Test func theSamplesAreFound() {
    #expect(Self.roundTripSamples.count >= 40)
    #expect(Self.roundTripSamples.contains("sse/react_resumable.sse"))
    #expect(!Self.roundTripSamples.contains { $0.hasSuffix(".js.txt") })
  }

  @Test(arguments: roundTripSamples, CaptureFormat.allCases)
  func convertingLosesNothing(sample: String, format: CaptureFormat) throws {
    let original = try Self.read(try Self.bytes(of: sample), fileName: sample)
    #expect(!original.runs.isEmpty)
    let written = CaptureWriter.write(original.parsed.events, as: format)
    let converted = try Self.read(written)

    #expect(converted.parsed.issues.isEmpty)
    #expect(converted.parsed.endsInsideEvent == original.parsed.endsInsideEvent)
    #expect(converted.parsed.events.count == original.parsed.events.count)
    #expect(converted.parsed.events.map(\.payload) == original.parsed.events.map(\.payload))
    try #require(converted.runs.count == original.runs.count)
    for (before, after) in zip(original.runs, converted.runs) {
      #expect(after.runID == before.runID)
      #expect(after.attempt == before.attempt)
      #expect(after.status == before.status)
      #expect(after.error == before.error)
      #expect(after.threadID == before.threadID)
      #expect(after.graphID == before.graphID)
      #expect(after.events.map(\.event) == before.events.map(\.event))
      #expect(after.events.map(\.data) == before.events.map(\.data))
      // The awk pipeline prints no ids; the other two formats keep them.
      if format != .transcript {
        #expect(after.events.map(\.streamID) == before.events.map(\.streamID))
      }
      #expect(after.messages.map(\.messageID) == before.messages.map(\.messageID))
      #expect(after.messages.map(\.type) == before.messages.map(\.type))
      #expect(after.messages.map(\.content) == before.messages.map(\.content))
      #expect(after.messages == before.messages)
      #expect(after.toolCalls == before.toolCalls)
      #expect(after.chunks == before.chunks)
    }
  }

  /// A Node printout elides nested parts (`[Object]`): its events are lossy, and stay so in SSE
  /// and JSONL, so that a converted printout never passes for the capture it was printed from.
  @Test(
    arguments: [
      "transcripts/react_messages_tuple.js.txt", "transcripts/weather_messages_tuple.js.txt",
    ],
    [CaptureFormat.sse, .jsonl])
  func aNodePrintoutStaysLossy(sample: String, format: CaptureFormat) throws {
    let original = try Self.read(try Self.bytes(of: sample), fileName: sample)
    let lossy = original.parsed.events.map(\.isLossy)
    #expect(lossy.contains(true))
    let converted = try Self.read(CaptureWriter.write(original.parsed.events, as: format))
    #expect(converted.parsed.issues.isEmpty)
    #expect(converted.parsed.events.map(\.isLossy) == lossy)
    #expect(converted.parsed.events.map(\.payload) == original.parsed.events.map(\.payload))
    #expect(CaptureWriter.losses(in: original.parsed.events, as: format).isEmpty)
  }

  /// An awk transcript has no place for the lossy mark nor for stream ids: converting input
  /// that has them to a transcript is refused unless the loss is accepted.
  @Test(arguments: ["transcripts/weather_messages_tuple.js.txt", "sse/react_resumable.sse"])
  func aTranscriptOfWhatItCannotHoldNeedsConsent(sample: String) throws {
    let bytes = try Self.bytes(of: sample)
    let kind = try #require(FormatDetector.detect(bytes, fileName: sample))
    #expect(throws: CaptureConverter.ConversionError.self) {
      try CaptureConverter.convert(bytes, from: kind, to: .transcript)
    }
    let forced = try CaptureConverter.convert(
      bytes, from: kind, to: .transcript, allowingLoss: true)
    #expect(!forced.bytes.isEmpty)
    for format in [CaptureFormat.sse, .jsonl] {
      #expect(throws: Never.self) { try CaptureConverter.convert(bytes, from: kind, to: format) }
    }
  }

  /// A capture cut off inside an event converts to one cut off inside that event: the output
  /// reads as incomplete, with every whole event of the input.
  @Test(arguments: CaptureFormat.allCases)
  func aTruncatedCaptureStaysTruncated(format: CaptureFormat) throws {
    let bytes = try Self.bytes(of: "edge/truncated.sse")
    let original = try Self.read(bytes)
    #expect(original.parsed.endsInsideEvent)
    let converted = try CaptureConverter.convert(bytes, from: .sse, to: format)
    #expect(!converted.issues.isEmpty)
    let read = try Self.read(converted.bytes)
    #expect(read.parsed.endsInsideEvent)
    #expect(read.runs.last?.status == .incomplete)
    let count = original.parsed.events.count
    #expect(
      read.parsed.events.prefix(count).map(\.payload) == original.parsed.events.map(\.payload))
    if format == .sse { #expect(converted.bytes == bytes) }
  }

  /// Each reader's cut-off events, written in each format, stay cut off.
  @Test(
    arguments: [
      ("event: values\ndata: {}\n\nevent: messages\n", FormatKind.sse),
      ("event: values\ndata: {}\n\nevent: messages\ndata: [{\"a\":", .sse),
      ("event: values\ndata: {}\n\ndata: {\"a\":1,", .sse),
      (#"{"event":"values","data":{}}"# + "\n" + #"{"event":"messages","data":[{"a"#, .jsonl),
      (#"{"event":"values","data":{}}"# + "\n" + #"{"data":[{"a"#, .jsonl),
      (
        "Receiving event of type: values...\n{}\n\nReceiving event of type: messages...",
        .transcript
      ),
      (
        "Receiving event of type: values...\n{}\n\nReceiving event of type: x...\n{'a':\n 'b",
        .transcript
      ),
      ("Receiving event of type: values...\n{}\n\nReceiving event of type: x...\n[1,", .transcript),
    ], CaptureFormat.allCases)
  func everyCutOffStaysCutOff(input: (String, FormatKind), format: CaptureFormat) throws {
    let (text, kind) = input
    let converted = try CaptureConverter.convert(Array(text.utf8), from: kind, to: format)
    let read = FormatDetector.read(converted.bytes, as: FormatKind(format))
    #expect(read.endsInsideEvent, "\(String(decoding: converted.bytes, as: UTF8.self))")
    #expect(read.events.first?.name == "values")
    #expect(read.events.first?.payload == .object(JSONObject()))
  }

  /// The server's own captures (no HTTP head, no heartbeats) come out byte for byte.
  @Test(arguments: roundTripSamples.filter { $0.hasPrefix("sse/") && !$0.contains(".headers.") })
  func sseIsFramedExactlyAsTheServerFramesIt(sample: String) throws {
    let bytes = try Self.bytes(of: sample)
    let events = FormatDetector.read(bytes, as: .sse).events
    #expect(CaptureWriter.write(events, as: .sse) == bytes)
  }

  /// The awk samples are the pipeline's real output, so writing their events reproduces them.
  @Test(arguments: roundTripSamples.filter { $0.hasSuffix(".awk.txt") })
  func transcriptIsPrintedAsTheAwkPipelinePrintsIt(sample: String) throws {
    let bytes = try Self.bytes(of: sample)
    let events = FormatDetector.read(bytes, as: .transcript).events
    #expect(CaptureWriter.write(events, as: .transcript) == bytes)
  }

  // MARK: - Framing

  private let metadata = JSONValue.object(
    JSONObject([
      ("run_id", .string("01a20557-a042-7610-8d1f-df233c579166")), ("attempt", .number("1")),
    ]))

  @Test func sseFramesEachEventWithCRLFAndIdAfterData() {
    let events = [
      SourceEvent(name: "metadata", payload: metadata, line: 1, streamID: "1795382542294-0"),
      SourceEvent(name: "end", payload: nil, line: 5, streamID: "1795382542295-0"),
    ]
    let text = String(decoding: CaptureWriter.write(events, as: .sse), as: UTF8.self)
    #expect(
      text == "event: metadata\r\n"
        + #"data: {"run_id":"01a20557-a042-7610-8d1f-df233c579166","attempt":1}"# + "\r\n"
        + "id: 1795382542294-0\r\n\r\n"
        + "event: end\r\nid: 1795382542295-0\r\n\r\n")
  }

  @Test func theLossyMarkIsACommentInSSEAndAMemberInJSONL() throws {
    let events = [SourceEvent(name: "values", payload: .null, line: 1, isLossy: true)]
    let sse = String(decoding: CaptureWriter.write(events, as: .sse), as: UTF8.self)
    #expect(sse == ": lganalyze lossy\r\nevent: values\r\ndata: null\r\n\r\n")
    let jsonl = String(decoding: CaptureWriter.write(events, as: .jsonl), as: UTF8.self)
    #expect(jsonl == #"{"event":"values","data":null,"lossy":true}"# + "\n")
  }

  @Test func jsonlWritesEventDataAndIdWhenPresent() {
    let events = [
      SourceEvent(name: "metadata", payload: metadata, line: 1),
      SourceEvent(name: "values", payload: .object(JSONObject()), line: 2, streamID: "7"),
      SourceEvent(name: "end", payload: nil, line: 3),
    ]
    let text = String(decoding: CaptureWriter.write(events, as: .jsonl), as: UTF8.self)
    #expect(
      text == #"{"event":"metadata","data":{"run_id":"01a20557-a042-7610-8d1f-df233c579166","#
        + #""attempt":1}}"# + "\n"
        + #"{"event":"values","data":{},"id":"7"}"# + "\n"
        + #"{"event":"end","data":null}"# + "\n")
  }

  @Test func transcriptPrintsHeaderDataAndABlankLine() {
    let events = [
      SourceEvent(name: "metadata", payload: metadata, line: 1, streamID: "5"),
      SourceEvent(name: "end", payload: nil, line: 3),
    ]
    let text = String(decoding: CaptureWriter.write(events, as: .transcript), as: UTF8.self)
    #expect(
      text == "Receiving event of type: metadata...\n"
        + #"{"run_id":"01a20557-a042-7610-8d1f-df233c579166","attempt":1}"# + "\n\n"
        + "Receiving event of type: end...\n\n")
  }

  @Test(arguments: CaptureFormat.allCases)
  func eventsWithoutDataStayWithoutData(format: CaptureFormat) throws {
    let events = [
      SourceEvent(name: "metadata", payload: metadata, line: 1),
      SourceEvent(name: "end", payload: nil, line: 2),
    ]
    let read = try Self.read(CaptureWriter.write(events, as: format))
    #expect(read.parsed.events.map(\.name) == ["metadata", "end"])
    #expect(read.parsed.events.map(\.payload) == [metadata, nil])
    #expect(read.parsed.issues.isEmpty)
    #expect(read.runs.first?.status == .success)
  }

  /// Events that came without data (a JSONL `"data": null` or no data member) other than the
  /// legacy `end` get an empty data line in SSE: an event line followed by a blank line is the
  /// mark of a stray line break, which the reader reports as damage.
  @Test func sseGivesAnEventWithoutDataAnEmptyDataLine() throws {
    let events = [
      SourceEvent(name: "metadata", payload: metadata, line: 1),
      SourceEvent(name: "values", payload: nil, line: 2),
      SourceEvent(name: "error", payload: nil, line: 3),
    ]
    let bytes = CaptureWriter.write(events, as: .sse)
    #expect(String(decoding: bytes, as: UTF8.self).contains("event: values\r\ndata:\r\n\r\n"))
    let read = try Self.read(bytes)
    #expect(read.parsed.issues.isEmpty, "\(read.parsed.issues)")
    #expect(read.parsed.events.map(\.name) == ["metadata", "values", "error"])
    #expect(read.parsed.events.map(\.payload) == [metadata, nil, nil])
  }

  /// A JSONL capture can hold an event named "" (LangGraph's decoder gives that name to data
  /// with no event line); written to SSE as an empty `event:` line, it reads back as the same
  /// event, not as data whose event line went missing.
  @Test func anEventNamedNothingSurvivesSSE() throws {
    let events = [
      SourceEvent(name: "metadata", payload: metadata, line: 1),
      SourceEvent(name: "", payload: .array([]), line: 2),
      SourceEvent(name: "custom", payload: .array([]), line: 3),
    ]
    let read = try Self.read(CaptureWriter.write(events, as: .sse))
    #expect(read.parsed.issues.isEmpty, "\(read.parsed.issues)")
    #expect(read.parsed.events.map(\.name) == ["metadata", "", "custom"])
  }

  @Test func sseClearsAnIdThatALaterEventDoesNotHave() throws {
    // From JSONL an event may have an id and the next none; SSE ids are sticky, so the writer
    // must clear it or the reader would give the id to the second event too.
    let events = [
      SourceEvent(name: "metadata", payload: metadata, line: 1, streamID: "1-0"),
      SourceEvent(name: "values", payload: .array([]), line: 2),
      SourceEvent(name: "values", payload: .array([]), line: 3, streamID: "3-0"),
      SourceEvent(name: "values", payload: .array([]), line: 4, streamID: "3-0"),
    ]
    let bytes = CaptureWriter.write(events, as: .sse)
    let read = try Self.read(bytes)
    #expect(read.parsed.events.map(\.streamID) == ["1-0", nil, "3-0", "3-0"])
    #expect(String(decoding: bytes, as: UTF8.self).contains("data: []\r\nid: \r\n\r\n"))
  }

  @Test(arguments: CaptureFormat.allCases)
  func payloadTextSurvivesEveryFormat(format: CaptureFormat) throws {
    // Line separators, control characters, quotes and non-ASCII inside strings, and numbers
    // whose text matters.
    let tricky = JSONValue.object(
      JSONObject([
        ("text", .string("a\u{2028}b\u{85}c\r\nd\u{0}e\"f\\g 日本 😀\u{7F}")),
        ("numbers", .array([.number("1e-07"), .number("-0.50"), .number("12345678901234567")])),
        ("nested", .array([.null, .bool(true), .object(JSONObject())])),
      ]))
    let events = [
      SourceEvent(name: "metadata", payload: metadata, line: 1),
      SourceEvent(name: "custom|child:1b00", payload: tricky, line: 2),
      SourceEvent(name: "custom", payload: .string("Receiving event of type: x..."), line: 3),
    ]
    let read = try Self.read(CaptureWriter.write(events, as: format))
    #expect(read.parsed.issues.isEmpty)
    #expect(read.parsed.events.map(\.name) == events.map(\.name))
    #expect(read.parsed.events.map(\.payload) == events.map(\.payload))
  }

  @Test(arguments: CaptureFormat.allCases)
  func lineBreaksInANameCannotSplitAnEvent(format: CaptureFormat) throws {
    let events = [
      SourceEvent(name: "metadata", payload: metadata, line: 1),
      SourceEvent(name: "cus\r\ntom", payload: .number("1"), line: 2),
    ]
    let read = try Self.read(CaptureWriter.write(events, as: format))
    let expected = format == .jsonl ? "cus\r\ntom" : "custom"
    #expect(read.parsed.events.map(\.name) == ["metadata", expected])
    #expect(read.parsed.events.last?.payload == .number("1"))
  }
}
