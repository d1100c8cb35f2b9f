import LGAnalyzeCore
import Testing

/// `SSEReader` follows the field rules of langgraph_sdk's SSE decoder (wire-format §1.4): comments,
/// data joining, sticky ids, lines without a colon, unknown fields, and the framing people save
/// with their captures (`curl -i` heads, `curl --raw` chunk sizes), and it reports unreadable
/// data without losing the events around it.
@Suite struct SSEReaderTests {
  /// What a test looks at in an event.
  private struct Seen: Equatable, CustomStringConvertible {
    var name: String
    var line: Int
    var streamID: String?
    var data: String?

    var description: String { "\(name)@\(line) id=\(streamID ?? "-") \(data ?? "nil")" }
  }

  private static func parse(_ text: String) -> ParsedSource {
    SSEReader.parse(Array(text.utf8))
  }

  private static func seen(_ parsed: ParsedSource) -> [Seen] {
    parsed.events.map { event in
      Seen(name: event.name, line: event.line, streamID: event.streamID, data: event.document?.text)
    }
  }

  private static func seen(_ text: String) -> [Seen] { seen(parse(text)) }

  private static func event(
    _ name: String, _ line: Int, _ data: String?, id: String? = nil
  ) -> Seen {
    Seen(name: name, line: line, streamID: id, data: data)
  }

  @Test func eventsAsTheServerFramesThem() {
    let capture =
      "event: metadata\r\ndata: {\"run_id\":\"r1\",\"attempt\":1}\r\n\r\n"
      + "event: values\r\ndata: {\"n\":1}\r\n\r\n"
    let parsed = Self.parse(capture)
    #expect(parsed.format == .sse)
    #expect(
      Self.seen(parsed) == [
        Self.event("metadata", 1, #"{"run_id":"r1","attempt":1}"#),
        Self.event("values", 4, #"{"n":1}"#),
      ])
    #expect(parsed.issues.isEmpty)
    #expect(!parsed.endsInsideEvent)
    #expect(parsed.responseHeads.isEmpty)
  }

  @Test(arguments: ["\r\n", "\n", "\r"])
  func everyLineEndReadsTheSame(lineEnd: String) {
    let capture = ["event: values", "data: {\"n\":1}", "", "event: end", "", ""]
      .joined(separator: lineEnd)
    #expect(
      Self.seen(capture) == [Self.event("values", 1, #"{"n":1}"#), Self.event("end", 4, nil)])
  }

  @Test func aByteOrderMarkAtTheStartIsSkipped() {
    #expect(Self.seen("\u{FEFF}event: values\ndata: {}\n\n") == [Self.event("values", 1, "{}")])
  }

  @Test func commentsAreIgnoredBetweenAndInsideEvents() {
    let capture = """
      : heartbeat\r
      \r
      event: values\r
      : inside a block\r
      data: {"n":1}\r
      \r
      : heartbeat\r
      \r
      :\r
      event: values\r
      data: {"n":2}\r
      \r

      """
    #expect(
      Self.seen(capture) == [
        Self.event("values", 3, #"{"n":1}"#), Self.event("values", 10, #"{"n":2}"#),
      ])
  }

  @Test func theLossyMarkMarksOnlyTheEventItIsIn() {
    let parsed = Self.parse(
      ": lganalyze lossy\nevent: values\ndata: {}\n\nevent: values\n: heartbeat\ndata: {}\n\n"
        + "event: values\n: lganalyze lossy!\ndata: {}\n\nevent: values\n: lganalyze lossy\n"
        + "data: {}\n\n")
    #expect(parsed.events.map(\.isLossy) == [true, false, false, true])
    #expect(parsed.issues.isEmpty)
  }

  @Test func dataLinesAreJoinedWithALineFeed() {
    let object = Self.seen("event: custom\ndata: {\"a\":1,\ndata: \"b\":2}\n\n")
    #expect(object == [Self.event("custom", 1, #"{"a":1,"b":2}"#)])
    // Inside a string the joining line feed shows: it is part of the text.
    let text = Self.parse("event: custom\ndata: \"x\ndata: y\"\n\n")
    #expect(text.events.first?.payload == .string("x\ny"))
    #expect(text.issues.isEmpty)
  }

  @Test func aLineWithoutAColonIsAFieldWithAnEmptyValue() {
    // A bare `data` adds an empty data line.
    #expect(
      Self.parse("event: custom\ndata: [1,\ndata\ndata: 2]\n\n").events.first?.payload
        == .array([.number("1"), .number("2")]))
    // `data` alone is empty data: the event has no payload.
    #expect(Self.seen("event: end\ndata\n\n") == [Self.event("end", 1, nil)])
    // Any other name without a colon is an unknown field.
    #expect(Self.seen("event: values\nbogus\ndata: {}\n\n") == [Self.event("values", 1, "{}")])
  }

  @Test func anEmptyEventNameIsTheDefaultName() {
    // Data without an event line, or with an empty one, is a `message` event (SSE spec).
    #expect(Self.seen("data: {\"a\":1}\n\n") == [Self.event("message", 1, #"{"a":1}"#)])
    #expect(Self.seen("event:\ndata: {\"a\":1}\n\n") == [Self.event("message", 1, #"{"a":1}"#)])
    #expect(Self.seen("event\ndata: {\"a\":1}\n\n") == [Self.event("message", 1, #"{"a":1}"#)])
  }

  @Test func theLastEventLineWins() {
    #expect(Self.seen("event: a\nevent: b\ndata: {}\n\n") == [Self.event("b", 1, "{}")])
  }

  @Test func oneLeadingSpaceIsStrippedAndNoMore() {
    let capture =
      "event:values\ndata:{\"n\":1}\n\n"
      + "event:  values\ndata: {\"n\":2}\n\n"
      + "event:\tvalues\ndata: {\"n\":3}\nid:  7\n\n"
    #expect(
      Self.seen(capture) == [
        Self.event("values", 1, #"{"n":1}"#),
        Self.event(" values", 4, #"{"n":2}"#),
        Self.event("\tvalues", 7, #"{"n":3}"#, id: " 7"),
      ])
  }

  @Test func theIdIsStickyAndMayComeAfterTheData() {
    let capture =
      "event: values\r\ndata: {\"n\":1}\r\nid: 17-0\r\n\r\n"
      + "event: values\r\ndata: {\"n\":2}\r\n\r\n"
      + "id: 18-0\r\nevent: values\r\ndata: {\"n\":3}\r\n\r\n"
      + "event: values\r\ndata: {\"n\":4}\r\nid:\r\n\r\n"
      + "event: values\r\ndata: {\"n\":5}\r\n\r\n"
    #expect(
      Self.seen(capture).map(\.streamID) == ["17-0", "17-0", "18-0", nil, nil])
  }

  @Test func anIdContainingNULIsIgnored() {
    let capture =
      "event: values\ndata: {\"n\":1}\nid: 1\n\n"
      + "event: values\ndata: {\"n\":2}\nid: 2\u{0}x\n\n"
    #expect(Self.seen(capture).map(\.streamID) == ["1", "1"])
  }

  @Test func blocksWithoutEventOrDataAreNoEvents() {
    // An id-only block sets the id for the events after it; a retry-only block does nothing.
    let capture = "id: 5\n\nretry: 3000\n\nevent: values\ndata: {}\n\n"
    #expect(Self.seen(capture) == [Self.event("values", 5, "{}", id: "5")])
  }

  @Test func unknownFieldsAreIgnored() {
    let capture =
      "event: values\nretry: 5000\nfoo: bar\nEvent: renamed\nDATA: {\"no\":1}\n"
      + "data: {\"n\":1}\n\n"
    #expect(Self.seen(capture) == [Self.event("values", 1, #"{"n":1}"#)])
  }

  @Test func curlRawChunkSizeLinesAreIgnored() {
    let capture = """
      58\r
      event: metadata\r
      data: {"run_id":"r1","attempt":1}\r
      \r
      \r
      f\r
      : heartbeat\r
      \r
      \r
      1b\r
      event: values\r
      data: {"n":1}\r
      \r
      \r
      0\r
      \r

      """
    let parsed = Self.parse(capture)
    #expect(
      Self.seen(parsed) == [
        Self.event("metadata", 2, #"{"run_id":"r1","attempt":1}"#),
        Self.event("values", 11, #"{"n":1}"#),
      ])
    #expect(parsed.issues.isEmpty)
    #expect(!parsed.endsInsideEvent)
  }

  @Test func anHTTPHeadIsSkippedAndNamesTheThread() {
    let capture = """
      HTTP/1.1 200 OK\r
      content-type: text/event-stream; charset=utf-8\r
      location: /runs/R1/stream\r
      content-location: /threads/T1/runs/R1\r
      data: not an event\r
      \r
      event: metadata\r
      data: {"run_id":"R1","attempt":1}\r
      \r

      """
    let parsed = Self.parse(capture)
    #expect(parsed.responseHeads == [ResponseHead(line: 1, threadID: "T1", runID: "R1")])
    #expect(Self.seen(parsed) == [Self.event("metadata", 7, #"{"run_id":"R1","attempt":1}"#)])
    #expect(parsed.issues.isEmpty)
  }

  @Test func theThreadComesFromALocationHeaderInAnyCase() {
    let named = Self.parse("HTTP/2 200\r\nLocation: /threads/T2/runs/R/stream\r\n\r\n")
    #expect(named.responseHeads == [ResponseHead(line: 1, threadID: "T2", runID: "R")])
    let unnamed = Self.parse(
      "HTTP/1.1 200 OK\r\nlocation: /runs/R/stream\r\nx-note: /threads/T3/\r\n\r\n")
    #expect(unnamed.responseHeads == [ResponseHead(line: 1, threadID: nil, runID: "R")])
    #expect(unnamed.events.isEmpty)
  }

  /// Captures joined with `cat` keep each its own head, read where it starts, not as fields;
  /// an event left open before one ends there.
  @Test func aHeadLaterInTheFileIsReadAsOne() {
    let capture = """
      HTTP/1.1 200 OK\r
      location: /threads/T1/runs/R1/stream\r
      \r
      event: metadata\r
      data: {"run_id":"R1","attempt":1}\r
      \r
      event: values\r
      data: {"n":1}\r
      \u{FEFF}HTTP/1.1 200 OK\r
      content-location: /threads/T2\r
      data: not an event\r
      \r
      event: metadata\r
      data: {"run_id":"R2","attempt":1}\r
      \r
      HTTP/1.1 204 No Content\r

      """
    let parsed = Self.parse(capture)
    #expect(
      parsed.responseHeads == [
        ResponseHead(line: 1, threadID: "T1", runID: "R1"),
        ResponseHead(line: 9, threadID: "T2", runID: nil),
        ResponseHead(line: 16, threadID: nil, runID: nil),
      ])
    #expect(
      Self.seen(parsed) == [
        Self.event("metadata", 4, #"{"run_id":"R1","attempt":1}"#),
        Self.event("values", 7, #"{"n":1}"#),
        Self.event("metadata", 13, #"{"run_id":"R2","attempt":1}"#),
      ])
    #expect(parsed.issues.isEmpty)
    #expect(!parsed.endsInsideEvent)
  }

  @Test(arguments: ["data: \n", "data:\n", "data:    \t\n", "data:  \ndata: \n"])
  func emptyOrWhiteSpaceDataIsNoPayload(dataLines: String) {
    let parsed = Self.parse("event: end\n" + dataLines + "\n")
    #expect(Self.seen(parsed) == [Self.event("end", 1, nil)])
    #expect(parsed.issues.isEmpty)
  }

  @Test func aBareEndEventIsAnEvent() {
    let ended = Self.parse("event: values\ndata: {}\n\nevent: end\n\n")
    #expect(Self.seen(ended) == [Self.event("values", 1, "{}"), Self.event("end", 4, nil)])
    #expect(!ended.endsInsideEvent)
    // Also as the last line of a file, without the empty line after it.
    let cut = Self.parse("event: values\ndata: {}\n\nevent: end")
    #expect(Self.seen(cut) == [Self.event("values", 1, "{}"), Self.event("end", 4, nil)])
    #expect(!cut.endsInsideEvent)
    // `end` is the one event that has no data.
    #expect(ended.issues.isEmpty && cut.issues.isEmpty)
  }

  @Test(arguments: ["", "\n", "\r\n"])
  func aFileThatStopsAfterAnEventLineEndsInsideTheEventAndSaysSo(lastLineEnd: String) throws {
    let parsed = Self.parse("event: values\ndata: {}\n\nevent: messages" + lastLineEnd)
    // The decoder dispatches the last block at the end of the stream: the event has no data.
    #expect(Self.seen(parsed) == [Self.event("values", 1, "{}"), Self.event("messages", 4, nil)])
    #expect(parsed.endsInsideEvent)
    let issue = try #require(parsed.issues.first)
    #expect(parsed.issues.count == 1)
    #expect(issue.line == 4)
    #expect(issue.damagesRun)
    #expect(issue.message.contains("cut off"))
    #expect(parsed.cutOffEvent == CutOffEvent(name: "messages", text: [], line: 4, isKept: true))
  }

  /// One stray line break between an event line and its data splits the event in two frames
  /// the server never writes. They are read as LangGraph's decoder reads them (an event with
  /// no data; data with the name "", which its consumers drop) and both are reported, so the
  /// run counts as damaged.
  @Test(arguments: ["\r\n", "\n", "\r"])
  func aBlankLineAfterAnEventLineIsDamageOnBothHalves(lineEnd: String) throws {
    let capture = [
      "event: metadata", #"data: {"run_id":"r1","attempt":1}"#, "",
      "event: messages", "",
      #"data: [{"content":"Hel","type":"AIMessageChunk","id":"m1"},{}]"#, "",
      "event: messages", #"data: [{"content":"lo","type":"AIMessageChunk","id":"m1"},{}]"#, "",
      "",
    ].joined(separator: lineEnd)
    let parsed = Self.parse(capture)
    #expect(
      Self.seen(parsed) == [
        Self.event("metadata", 1, #"{"run_id":"r1","attempt":1}"#),
        Self.event("messages", 4, nil),
        Self.event("messages", 8, #"[{"content":"lo","type":"AIMessageChunk","id":"m1"},{}]"#),
      ])
    #expect(parsed.issues.map(\.line) == [4, 6])
    #expect(parsed.issues.map(\.damagesRun) == Array(repeating: true, count: parsed.issues.count))
    #expect(parsed.issues[0].message.contains("no data line"))
    #expect(parsed.issues[1].message.contains("no event name"))
    #expect(parsed.issues[1].excerpt.hasPrefix(#"[{"content":"Hel""#))
    #expect(!parsed.endsInsideEvent)
  }

  /// Line ends written as LF CR: each CR is a line end of its own, so every line is followed
  /// by an empty one and every event splits. All of it is reported.
  @Test func lineFeedCarriageReturnLineEndsAreDamageEverywhere() throws {
    let capture =
      "event: metadata\n\rdata: {\"run_id\":\"r1\"}\n\r\n\r"
      + "event: values\n\rdata: {\"n\":1}\n\r\n\r"
    let parsed = Self.parse(capture)
    #expect(Self.seen(parsed) == [Self.event("metadata", 1, nil), Self.event("values", 6, nil)])
    #expect(parsed.issues.count == 4)
    #expect(parsed.issues.map(\.damagesRun) == Array(repeating: true, count: parsed.issues.count))
  }

  @Test func unnamedEventsAreDamageOnlyAfterNamedOnes() {
    // Another producer's stream of unnamed events: each is a `message` event (SSE spec).
    let unnamed = Self.parse("data: {\"a\":1}\n\ndata: {\"a\":2}\n\nevent: values\ndata: {}\n\n")
    #expect(Self.seen(unnamed).map(\.name) == ["message", "message", "values"])
    #expect(unnamed.issues.isEmpty)
    // Once events had names, data with none is the remains of a damaged event.
    let named = Self.parse("event: values\ndata: {}\n\ndata: {\"a\":1}\n\n")
    #expect(Self.seen(named).map(\.name) == ["values"])
    #expect(named.issues.map(\.line) == [4])
  }

  @Test func whetherEventsHadNamesCarriesAcrossPieces() throws {
    let bytes = Array("event: values\ndata: {}\n\ndata: {\"a\":1}\n\n".utf8)
    var state = SSEReader.State()
    var parsed = ParsedSource(format: .sse)
    SSEReader.parse(bytes, range: 0..<24, state: &state, isFinal: false, into: &parsed)
    SSEReader.parse(bytes, range: 24..<bytes.count, state: &state, isFinal: true, into: &parsed)
    #expect(parsed.events.map(\.name) == ["values"])
    #expect(parsed.issues.map(\.line) == [4])
  }

  @Test func aLastEventWithoutItsEmptyLineIsStillRead() {
    let parsed = Self.parse("event: values\ndata: {}\n\nevent: values\ndata: {\"n\":2}")
    #expect(
      Self.seen(parsed) == [Self.event("values", 1, "{}"), Self.event("values", 4, #"{"n":2}"#)])
    #expect(!parsed.endsInsideEvent)
    #expect(parsed.issues.isEmpty)
  }

  @Test func invalidDataIsReportedOnItsLineAndOnlyThatEventIsSkipped() throws {
    let capture = """
      event: values
      data: {"n":1}

      event: values
      : a comment
      data: {"n":

      event: values
      data: {"n":3}


      """
    let parsed = Self.parse(capture)
    #expect(
      Self.seen(parsed) == [
        Self.event("values", 1, #"{"n":1}"#), Self.event("values", 8, #"{"n":3}"#),
      ]
    )
    let issue = try #require(parsed.issues.first)
    #expect(parsed.issues.count == 1)
    #expect(issue.line == 6)
    #expect(issue.excerpt == #"{"n":"#)
    #expect(issue.message.contains("'values'"))
    #expect(!parsed.endsInsideEvent)
  }

  @Test(arguments: ["", "\n", "\r\n"])
  func aCaptureCutMidJSONEndsInsideTheEvent(lastLineEnd: String) throws {
    let capture =
      "event: metadata\r\ndata: {\"run_id\":\"r1\",\"attempt\":1}\r\n\r\n"
      + "event: messages\r\ndata: [{\"content\":\"Hel" + lastLineEnd
    let parsed = Self.parse(capture)
    #expect(Self.seen(parsed).map(\.name) == ["metadata"])
    let issue = try #require(parsed.issues.first)
    #expect(issue.line == 5)
    #expect(parsed.endsInsideEvent)
    #expect(
      parsed.cutOffEvent
        == CutOffEvent(
          name: "messages", text: Array(#"[{"content":"Hel"#.utf8), line: 4, isKept: false))
  }

  @Test func anIssueOnJoinedDataNamesTheFirstDataLine() throws {
    let parsed = Self.parse("event: custom\ndata: {\"a\":\ndata: }\n\n")
    #expect(parsed.events.isEmpty)
    #expect(try #require(parsed.issues.first).line == 2)
  }

  @Test func canonicalDataIsKeptAndOtherJSONIsRewritten() {
    let parsed = Self.parse(
      "event: values\ndata: {\"é\":\"\u{2028}\"}\n\nevent: values\ndata: { \"a\" : [ 1 ] }\n\n")
    #expect(parsed.events.map { $0.document?.text } == ["{\"é\":\"\u{2028}\"}", #"{"a":[1]}"#])
  }

  @Test func anEmptyFileHasNoEvents() {
    for text in ["", "\n\n", ": only a comment\n", "\u{FEFF}"] {
      let parsed = Self.parse(text)
      #expect(parsed.events.isEmpty)
      #expect(parsed.issues.isEmpty)
      #expect(!parsed.endsInsideEvent)
    }
  }
}
