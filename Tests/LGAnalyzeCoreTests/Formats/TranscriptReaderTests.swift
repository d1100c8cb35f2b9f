import LGAnalyzeCore
import Testing

/// `TranscriptReader` reads what people's scripts printed: a header per event in any of its
/// three wordings, then a payload in compact JSON, a Python repr, pretty JSON or a Node rendering;
/// it names the dialect it saw and keeps what it cannot read.
@Suite struct TranscriptReaderTests {
  private static func parse(_ text: String) -> ParsedSource {
    TranscriptReader.parse(Array(text.utf8))
  }

  @Test func theAwkPipeline() {
    let transcript = """
      Receiving event of type: metadata...
      {"run_id":"r1","attempt":1}

      Receiving event of type: updates|node_2:1b00...
      {"node_2":{"a":"x"}}

      Receiving event of type: end...

      """
    let parsed = Self.parse(transcript)
    #expect(parsed.format == .transcript(.awk))
    #expect(parsed.events.map(\.name) == ["metadata", "updates|node_2:1b00", "end"])
    #expect(parsed.events.map(\.line) == [1, 4, 7])
    #expect(
      parsed.events.map { $0.document?.text }
        == [#"{"run_id":"r1","attempt":1}"#, #"{"node_2":{"a":"x"}}"#, nil])
    #expect(parsed.issues.isEmpty)
    #expect(!parsed.endsInsideEvent)
  }

  @Test func thePythonLoop() {
    let transcript = """
      Receiving new event of type: metadata...
      {'run_id': 'r1', 'attempt': 1}



      Receiving new event of type: messages...
      [{'content': 'it\\'s', 'name': None}, {'langgraph_node': 'agent'}]



      Receiving new event of type: end...
      None

      """
    let parsed = Self.parse(transcript)
    #expect(parsed.format == .transcript(.python))
    #expect(parsed.events.map(\.name) == ["metadata", "messages", "end"])
    #expect(parsed.events.map(\.line) == [1, 6, 11])
    #expect(
      parsed.events.map { $0.document?.text }
        == [
          #"{"run_id":"r1","attempt":1}"#,
          #"[{"content":"it's","name":null},{"langgraph_node":"agent"}]"#, "null",
        ])
    #expect(parsed.issues.isEmpty)
  }

  @Test func prettyJSON() {
    let transcript = """
      Receiving new event of type: metadata...
      {
        "run_id": "r1",
        "attempt": 1
      }



      Receiving new event of type: values...
      {
        "a": [
          1
        ]
      }

      """
    let parsed = Self.parse(transcript)
    #expect(parsed.format == .transcript(.prettyJSON))
    #expect(parsed.events.map(\.line) == [1, 9])
    #expect(
      parsed.events.map { $0.document?.text } == [#"{"run_id":"r1","attempt":1}"#, #"{"a":[1]}"#])
  }

  @Test func theLocalizedHeader() {
    let transcript =
      "接收到新事件类型：metadata...\n{\"run_id\":\"r1\",\"attempt\":1}\n\n"
      + "接收到新事件类型：messages|agent:7f85...\n[{\"content\":\"你好\"},{}]\n"
    let parsed = Self.parse(transcript)
    #expect(parsed.events.map(\.name) == ["metadata", "messages|agent:7f85"])
    #expect(parsed.events.map(\.line) == [1, 4])
    #expect(parsed.events.last?.document?.text == #"[{"content":"你好"},{}]"#)
  }

  @Test func nodeConsoleLog() {
    let transcript = """
      Receiving new event of type: metadata...
      { run_id: 'r1', attempt: 1 }

      Receiving new event of type: messages...
      [
        { content: 'Hi', response_metadata: [Object] },
        { langgraph_node: 'agent' }
      ]

      """
    let parsed = Self.parse(transcript)
    #expect(parsed.format == .transcript(.javascript))
    #expect(parsed.events.map(\.isLossy) == [false, true])
    #expect(
      parsed.events.map { $0.document?.text }
        == [
          #"{"run_id":"r1","attempt":1}"#,
          #"[{"content":"Hi","response_metadata":null},{"langgraph_node":"agent"}]"#,
        ])
  }

  @Test func pythonReprsAndPrettyJSONInOneFileAreMixed() {
    let transcript = """
      Receiving new event of type: metadata...
      {'run_id': 'r1'}

      Receiving new event of type: values...
      {
        "a": 1
      }

      """
    #expect(Self.parse(transcript).format == .transcript(.mixed))
  }

  @Test func crlfLineEndsAreRead() {
    let transcript = "Receiving event of type: metadata...\r\n{\"run_id\":\"r1\"}\r\n\r\n"
    let parsed = Self.parse(transcript)
    #expect(parsed.events.map(\.name) == ["metadata"])
    #expect(parsed.events.first?.document?.text == #"{"run_id":"r1"}"#)
  }

  @Test func textBeforeTheFirstHeaderIsReportedAndIgnored() throws {
    let parsed = Self.parse("$ python stream.py\n\nReceiving event of type: values...\n{}\n")
    #expect(parsed.events.map(\.name) == ["values"])
    #expect(parsed.events.map(\.line) == [3])
    let issue = try #require(parsed.issues.first)
    #expect(parsed.issues.count == 1)
    #expect(issue.line == 1)
    #expect(issue.excerpt == "$ python stream.py")
  }

  @Test func aHeaderNeedsItsDots() {
    let parsed = Self.parse(
      "Receiving event of type: values...\n{\"a\":\nReceiving event of type: values\n1}\n")
    // The second line is no header, so it is part of the first payload, which does not read.
    #expect(parsed.events.count == 1)
    #expect(parsed.issues.count == 1)
  }

  @Test func anUnreadablePayloadIsKeptAsText() throws {
    let transcript = """
      Receiving event of type: values...
      {"a": 1, ...}

      Receiving event of type: values...
      {"b":2}

      """
    let parsed = Self.parse(transcript)
    #expect(parsed.events.map(\.line) == [1, 4])
    #expect(
      parsed.events.first?.payload
        == .object(JSONObject([("__unparsed__", .string(#"{"a": 1, ...}"#))])))
    let issue = try #require(parsed.issues.first)
    #expect(issue.line == 1)
    #expect(issue.excerpt == #"{"a": 1, ...}"#)
    #expect(!parsed.endsInsideEvent)
  }

  @Test func aPayloadCutOffAtTheEndOfTheFileEndsInsideTheEvent() {
    let parsed = Self.parse(
      "Receiving event of type: values...\n{\"n\":1}\n\nReceiving event of type: messages...\n"
        + "[{\"content\":\"Hel")
    #expect(parsed.events.map(\.name) == ["values", "messages"])
    #expect(parsed.issues.map(\.line) == [4])
    #expect(parsed.endsInsideEvent)
    #expect(
      parsed.cutOffEvent
        == CutOffEvent(
          name: "messages", text: Array("[{\"content\":\"Hel".utf8), line: 4, isKept: true))
  }

  /// Every printout ends its header line with a line break: a file whose last header has none
  /// stops before that event's payload.
  @Test func aLastHeaderWithoutItsLineBreakEndsInsideTheEvent() throws {
    let cut = Self.parse(
      "Receiving event of type: values...\n{}\n\nReceiving event of type: values...")
    #expect(cut.events.map(\.name) == ["values", "values"])
    #expect(cut.events.map(\.payload) == [.object(JSONObject()), nil])
    #expect(cut.endsInsideEvent)
    #expect(try #require(cut.issues.first).line == 4)
    #expect(cut.cutOffEvent == CutOffEvent(name: "values", text: [], line: 4, isKept: true))
    // With its line break, or for `end`, which has no payload, the event is whole.
    for whole in [
      "Receiving event of type: values...\n", "Receiving event of type: end...",
      "Receiving event of type: values...\n\n",
    ] {
      let parsed = Self.parse(whole)
      #expect(!parsed.endsInsideEvent && parsed.issues.isEmpty, "\(whole)")
    }
  }
}
