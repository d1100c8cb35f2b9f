import LGAnalyzeCore
import Testing

/// `JSONLReader` reads one `{"event", "data", "id"}` object per line, reports every other line by
/// its number and keeps the lines around it, and tells a cut-off last line from a bad one.
@Suite struct JSONLReaderTests {
  private static func parse(_ text: String) -> ParsedSource {
    JSONLReader.parse(Array(text.utf8))
  }

  @Test func eventsDataAndIds() {
    let dump = """
      {"event":"metadata","data":{"run_id":"r1","attempt":1}}
      {"event": "values", "data": {"a": 1}, "id": "7"}
      {"id":"8","event":"custom","data":"a\\u00e9\\n"}

      """
    let parsed = Self.parse(dump)
    #expect(parsed.format == .jsonl)
    #expect(parsed.events.map(\.name) == ["metadata", "values", "custom"])
    #expect(parsed.events.map(\.line) == [1, 2, 3])
    #expect(parsed.events.map(\.streamID) == [nil, "7", "8"])
    // Data comes out canonical, whatever the spacing of the line.
    #expect(
      parsed.events.map { $0.document?.text }
        == [#"{"run_id":"r1","attempt":1}"#, #"{"a":1}"#, "\"aé\\n\""])
    #expect(parsed.issues.isEmpty)
    #expect(!parsed.endsInsideEvent)
  }

  @Test func aLossyMemberMarksTheEventLossy() {
    let parsed = Self.parse(
      #"{"event":"values","data":{},"lossy":true}"# + "\n" + #"{"event":"values","data":{}}"#
        + "\n" + #"{"event":"values","data":{},"lossy":"yes"}"# + "\n")
    #expect(parsed.events.map(\.isLossy) == [true, false, false])
    #expect(parsed.issues.isEmpty)
  }

  /// The nesting limit is the payload's, as in SSE: the line's object around it does not
  /// count, so a payload SSE reads, JSONL reads too (what `convert` to JSONL relies on).
  @Test(arguments: [#"{"event":"custom","data":"#, #"{ "event": "custom", "data": "#])
  func theNestingLimitIsThePayloads(prefix: String) throws {
    func nested(_ depth: Int) -> String {
      String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }
    let deepest = nested(JSONTapeBuilder.maximumDepth)
    let sse = SSEReader.parse(Array("event: custom\ndata: \(deepest)\n\n".utf8))
    #expect(sse.events.count == 1 && sse.issues.isEmpty)
    let read = Self.parse(prefix + deepest + "}\n")
    #expect(read.issues.isEmpty)
    #expect(read.events.first?.document?.text == deepest)
    let tooDeep = Self.parse(prefix + nested(JSONTapeBuilder.maximumDepth + 1) + "}\n")
    #expect(tooDeep.events.isEmpty)
    #expect(try #require(tooDeep.issues.first).message.contains("deeper than 512"))
  }

  @Test func nullOrMissingDataIsNoPayload() {
    let parsed = Self.parse(#"{"event":"end","data":null}"# + "\n" + #"{"event":"end"}"# + "\n")
    #expect(parsed.events.map(\.name) == ["end", "end"])
    #expect(parsed.events.allSatisfy { $0.document == nil })
  }

  @Test func blankLinesAreSkippedButCounted() {
    let parsed = Self.parse("\n  \r\n" + #"{"event":"values","data":{}}"# + "\r\n\r\n")
    #expect(parsed.events.map(\.line) == [3])
    #expect(parsed.issues.isEmpty)
  }

  @Test func aBadLineIsReportedAndTheLinesAroundItAreKept() throws {
    let dump = """
      {"event":"values","data":{"n":1}}
      not json at all
      {"data":{"n":2}}
      [1, 2]
      {"event": 5, "data": {}}
      {"event":"values","data":{"n":6}}

      """
    let parsed = Self.parse(dump)
    #expect(parsed.events.map(\.line) == [1, 6])
    #expect(
      parsed.events.map(\.payload) == [
        .object(JSONObject([("n", .number("1"))])), .object(JSONObject([("n", .number("6"))])),
      ])
    #expect(parsed.issues.map(\.line) == [2, 3, 4, 5])
    #expect(try #require(parsed.issues.first).excerpt == "not json at all")
    #expect(parsed.issues[0].message.contains("not valid JSON"))
    #expect(parsed.issues[1].message.contains("not an {\"event\""))
    #expect(!parsed.endsInsideEvent)
  }

  @Test func aLastLineCutOffEndsInsideAnEvent() throws {
    let parsed = Self.parse(
      #"{"event":"values","data":{"n":1}}"# + "\n" + #"{"event":"messages","data":[{"con"#)
    #expect(parsed.events.map(\.name) == ["values"])
    #expect(try #require(parsed.issues.first).line == 2)
    #expect(parsed.endsInsideEvent)
    #expect(
      parsed.cutOffEvent
        == CutOffEvent(
          name: "messages", text: Array(#"{"event":"messages","data":[{"con"#.utf8), line: 2,
          isKept: false))
    // The name is read when the line starts with it, escapes and all, and only then.
    #expect(Self.parse(#" { "event" : "a\"b", "da"#).cutOffEvent?.name == "a\"b")
    #expect(Self.parse(#"{"data":{},"event":"values""#).cutOffEvent?.name == nil)
    #expect(Self.parse(#"{"event":"val"#).cutOffEvent?.name == nil)
  }

  @Test func aWholeLastLineWithoutItsLineBreakIsAnEvent() {
    let parsed = Self.parse(#"{"event":"values","data":{"n":1}}"#)
    #expect(parsed.events.map(\.name) == ["values"])
    #expect(!parsed.endsInsideEvent)
  }

  @Test func aBadLineWithItsLineBreakIsNotACutOff() {
    let parsed = Self.parse(#"{"event":"values","data":{"n":"# + "\n")
    #expect(parsed.events.isEmpty)
    #expect(parsed.issues.count == 1)
    #expect(!parsed.endsInsideEvent)
  }
}
