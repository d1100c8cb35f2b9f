import LGAnalyzeCore
import Testing

/// `RunAssembler` splits a source's events into runs at `metadata` events and rebuilds each run:
/// chunks of one model call merged into one message named by the provider's id, tool results
/// linked to their calls, whole copies de-duplicated, legacy snapshots read, and the status.
@Suite struct RunAssemblerTests {
  static let runID = "01a20522-80bc-7616-bf3a-1cefb812d6f9"
  static let callA = "lc_run--01a20522-82d9-724a-98e7-ecddfc6b55c3"
  static let callB = "lc_run--01a20523-1111-7222-8333-444455556666"

  private static func event(_ name: String, _ json: String?, line: Int = 1) throws -> SourceEvent {
    SourceEvent(
      name: name, document: try json.map { try JSONDocument.read(Array($0.utf8)) }, line: line)
  }

  private static func metadata(_ runID: String = runID, attempt: Int = 1) throws -> SourceEvent {
    try event("metadata", #"{"run_id":"\#(runID)","attempt":\#(attempt)}"#)
  }

  private static func quoted(_ text: String) -> String { JSONValue.string(text).canonicalText }

  /// A `messages` event carrying one AIMessageChunk as the server writes it, with its metadata.
  private static func chunk(
    _ id: String, text: String = "", content: String? = nil, toolCallChunks: String = "[]",
    usage: String = "null", last: Bool = false, node: String = "agent",
    ns: String = "agent:7f85b4bd", eventName: String = "messages"
  ) throws -> SourceEvent {
    let position = last ? "\"last\"" : "null"
    let message =
      #"{"content":\#(content ?? quoted(text)),"additional_kwargs":{},"response_metadata":{},"#
      + #""type":"AIMessageChunk","name":null,"id":"\#(id)","tool_calls":[],"#
      + #""invalid_tool_calls":[],"usage_metadata":\#(usage),"#
      + #""tool_call_chunks":\#(toolCallChunks),"chunk_position":\#(position)}"#
    let metadata =
      #"{"thread_id":"T1","run_id":"\#(runID)","graph_id":"react","assistant_id":"A1","#
      + #""langgraph_node":"\#(node)","langgraph_checkpoint_ns":"\#(ns)","#
      + #""ls_provider":"openai","ls_model_name":"gpt-4o"}"#
    return try event(eventName, "[\(message),\(metadata)]")
  }

  /// A `messages` event carrying a whole ToolMessage returned by the tools node.
  private static func toolMessage(_ id: String, callID: String, text: String) throws
    -> SourceEvent
  {
    let message =
      #"{"content":\#(quoted(text)),"type":"tool","name":"get_weather","id":"\#(id)","#
      + #""tool_call_id":"\#(callID)","status":"success"}"#
    return try event(
      "messages",
      "[\(message),"
        + #"{"langgraph_node":"tools","langgraph_checkpoint_ns":"tools:ee10b849"}]"#)
  }

  private static func toolCallChunk(
    _ index: Int, name: String? = nil, id: String? = nil, args: String
  ) -> String {
    let name = name.map(quoted) ?? "null"
    let id = id.map(quoted) ?? "null"
    return #"{"name":\#(name),"args":\#(quoted(args)),"id":\#(id),"index":\#(index),"#
      + #""type":"tool_call_chunk"}"#
  }

  private static func assemble(
    _ events: [SourceEvent], endsInsideEvent: Bool = false, threadID: String? = nil
  ) throws -> Run {
    let segments = RunAssembler.split(events)
    try #require(segments.count == 1)
    return RunAssembler.assemble(
      segments[0], runID: segments[0].runID ?? "derived", endsInsideEvent: endsInsideEvent,
      threadID: threadID)
  }

  // MARK: - Splitting

  @Test func metadataEventsStartRunsAndRetriesAreRunsOfTheirOwn() throws {
    let events = [
      try Self.event("values", #"{"a":0}"#),
      try Self.metadata("r1"),
      try Self.event("messages", "[{},{}]"),
      try Self.metadata("r1", attempt: 2),
      try Self.event("updates", #"{"agent":null}"#),
      try Self.event("metadata", #"{"run_id":"r2"}"#),
      try Self.event("custom", #"{"p":1}"#),
      // A thread stream's end-of-run note closes the run it names, it starts none.
      try Self.event("metadata", #"{"status":"run_done","run_id":"r2"}"#),
    ]
    var issues: [SourceIssue] = []
    let segments = RunAssembler.split(events, issues: &issues)
    #expect(segments.map(\.runID) == [nil, "r1", "r1", "r2"])
    #expect(segments.map(\.attempt) == [1, 1, 2, 1])
    #expect(
      segments.map { $0.events.map(\.name) } == [
        ["values"], ["metadata", "messages"], ["metadata", "updates"],
        ["metadata", "custom", "metadata"],
      ])
    #expect(issues.isEmpty)
    #expect(RunAssembler.split([]).isEmpty)
  }

  /// A retriable failure ends an attempt with no error event: the next attempt's metadata
  /// follows part of it. The reference analysis gives that attempt the status its own events
  /// give, `success`, and so does lganalyze.
  @Test func anAttemptARetryCutsShortHasTheStatusItsEventsGive() throws {
    let events = [
      try Self.metadata("r1"),
      try Self.chunk(Self.callA, text: "Hel"),
      try Self.metadata("r1", attempt: 2),
      try Self.chunk(Self.callB, text: "Hello"),
    ]
    let segments = RunAssembler.split(events)
    #expect(segments.map(\.attempt) == [1, 2])
    let runs = segments.map {
      RunAssembler.assemble($0, runID: "r1", endsInsideEvent: false)
    }
    #expect(runs.map(\.status) == [.success, .success])
    #expect(runs.map { $0.messages.map(\.content) } == [["Hel"], ["Hello"]])
  }

  /// A metadata event is where an attempt begins (wire-format §1.1), also when a damaged byte
  /// left it no usable run_id: the events after it are another run's, never the one before.
  @Test(arguments: [
    #"{"run_iX":"r2","attempt":1}"#, #"{"run_id":7,"attempt":1}"#, #"{"run_id":null}"#,
    #"{"run_id":{"id":"r2"}}"#, #"{"run_id":""}"#, #"{"status":"ok"}"#, #"["r2"]"#, nil,
  ])
  func metadataWithNoUsableRunIDStartsADamagedRunOfItsOwn(payload: String?) throws {
    let events = [
      try Self.event("metadata", #"{"run_id":"r1","attempt":1}"#, line: 1),
      try Self.event("custom", #"{"p":1}"#, line: 4),
      try Self.event("metadata", payload, line: 7),
      try Self.event("custom", #"{"p":2}"#, line: 10),
    ]
    var issues: [SourceIssue] = []
    let segments = RunAssembler.split(events, issues: &issues)
    #expect(segments.map(\.runID) == ["r1", nil])
    #expect(segments.map { $0.events.map(\.line) } == [[1, 4], [7, 10]])
    let issue = try #require(issues.first)
    #expect(issues.count == 1)
    #expect(issue.line == 7)
    #expect(issue.damagesRun)
    #expect(issue.message.contains("no usable run_id"))
    #expect(issue.excerpt == String((payload ?? "").prefix(120)))
  }

  @Test func anIssueOnALongMetadataEventShowsItsStart() throws {
    let payload = #"{"run_iX":"\#(String(repeating: "x", count: 500))"}"#
    var issues: [SourceIssue] = []
    _ = RunAssembler.split([try Self.event("metadata", payload)], issues: &issues)
    #expect(issues.map(\.excerpt) == [String(payload.prefix(120))])
  }

  /// `cat part1.sse part2.sse` of a stream that reconnected: the run's metadata comes again
  /// and the stream goes on where it stopped. The two parts are one run.
  @Test func aRunWhoseMetadataComesAgainAndGoesOnIsOneRun() throws {
    let events = [
      try Self.event("metadata", #"{"run_id":"r1","attempt":1}"#, line: 1),
      try Self.event("custom", #"{"p":1}"#, line: 4),
      try Self.event("metadata", #"{"run_id":"r1","attempt":1}"#, line: 7),
      try Self.event("custom", #"{"p":2}"#, line: 10),
      try Self.event("metadata", #"{"run_id":"r1","attempt":1}"#, line: 13),
    ]
    var issues: [SourceIssue] = []
    let segments = RunAssembler.split(events, issues: &issues)
    #expect(segments.map(\.runID) == ["r1"])
    #expect(segments.map { $0.events.map(\.line) } == [[1, 4, 7, 10, 13]])
    #expect(issues.isEmpty)

    var stream = RunStream()
    var builders = events.compactMap { stream.add($0) }
    if let last = stream.finish() { builders.append(last) }
    #expect(builders.map(\.eventCount) == [5])
    #expect(stream.takeIssues().isEmpty)
  }

  /// A stream read again from its start (or one capture joined to itself): the same run begins
  /// again with the same events. Those are two copies, and the file says so.
  @Test func aRunThatStartsOverIsASecondCopyAndANote() throws {
    let events = [
      try Self.event("metadata", #"{"run_id":"r1","attempt":1}"#, line: 1),
      try Self.event("custom", #"{"p":1}"#, line: 4),
      try Self.event("metadata", #"{"run_id":"r1","attempt":1}"#, line: 7),
      try Self.event("custom", #"{"p":1}"#, line: 10),
      try Self.event("custom", #"{"p":2}"#, line: 13),
    ]
    var issues: [SourceIssue] = []
    let segments = RunAssembler.split(events, issues: &issues)
    #expect(segments.map(\.runID) == ["r1", "r1"])
    #expect(segments.map { $0.events.map(\.line) } == [[1, 4], [7, 10, 13]])
    let issue = try #require(issues.first)
    #expect(issues.count == 1)
    #expect(issue.line == 7)
    #expect(!issue.damagesRun)

    var stream = RunStream()
    var builders = events.compactMap { stream.add($0) }
    if let last = stream.finish() { builders.append(last) }
    #expect(builders.map(\.eventCount) == [2, 3])
    #expect(builders.map(\.firstLine) == [1, 7])
    #expect(stream.takeIssues() == issues)
  }

  /// A run that comes back after other runs cannot be joined to its first part any more: the
  /// file says so.
  @Test func aRunThatComesBackAfterOtherRunsIsReported() throws {
    let events = [
      try Self.event("metadata", #"{"run_id":"r1","attempt":1}"#, line: 1),
      try Self.event("custom", #"{"p":1}"#, line: 4),
      try Self.event("metadata", #"{"run_id":"r2","attempt":1}"#, line: 7),
      try Self.event("metadata", #"{"run_id":"r1","attempt":1}"#, line: 10),
      try Self.event("custom", #"{"p":2}"#, line: 13),
    ]
    var issues: [SourceIssue] = []
    let segments = RunAssembler.split(events, issues: &issues)
    #expect(segments.map(\.runID) == ["r1", "r2", "r1"])
    let issue = try #require(issues.first)
    #expect(issues.count == 1)
    #expect(issue.line == 10)
    #expect(issue.message.contains("line 1"))
    #expect(!issue.damagesRun)
  }

  @Test func eventsAreNumberedAndTheirNamesSplit() throws {
    let events = [
      try Self.metadata(),
      SourceEvent(
        name: "updates|node_2:1b00|sub:9c", document: try JSONDocument.read(Array("{ }".utf8)),
        line: 7, streamID: "17-0"),
      try Self.event("end", nil, line: 9),
    ]
    let run = try Self.assemble(events)
    #expect(run.runID == Self.runID)
    #expect(run.attempt == 1)
    #expect(run.events.map(\.seq) == [0, 1, 2])
    #expect(run.events[1].mode == "updates")
    #expect(run.events[1].namespace == "node_2:1b00|sub:9c")
    #expect(run.events[1].data == "{}")
    #expect(run.events[1].line == 7)
    #expect(run.events[1].streamID == "17-0")
    #expect(run.events[2].mode == "end")
    #expect(run.events[2].namespace == nil)
    #expect(run.events[2].data == nil)
    #expect(RunAssembler.splitName("messages") == ("messages", nil))
    #expect(RunAssembler.splitName("a|b|c") == ("a", "b|c"))
  }

  // MARK: - Streamed messages

  @Test func anOpenAIStreamIsOneMessageNamedByItsCompletionID() throws {
    let usage = #"{"input_tokens":8,"output_tokens":2,"total_tokens":10}"#
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.chunk("chatcmpl-1", text: "Hel"),
      try Self.chunk("chatcmpl-1", text: "lo"),
      try Self.chunk("chatcmpl-1", usage: usage),
      try Self.chunk(Self.callA, last: true),
    ])
    try #require(run.messages.count == 1)
    let message = run.messages[0]
    #expect(message.messageID == "chatcmpl-1")
    #expect(message.type == "ai")
    #expect(message.content == "Hello")
    #expect(message.chunkCount == 4)
    #expect(message.modelCallID == Self.callA)
    #expect(message.node == "agent")
    #expect(message.namespace == "agent:7f85b4bd")
    #expect(message.model == "gpt-4o")
    #expect(message.provider == "openai")
    #expect(message.firstSeq == 1)
    #expect(
      message.usage
        == TokenUsage(inputTokens: 8, outputTokens: 2, totalTokens: 10, json: usage))
    #expect(run.chunks.map(\.messageID) == Array(repeating: "chatcmpl-1", count: 4))
    #expect(run.chunks.map(\.seq) == [1, 2, 3, 4])
    #expect(run.chunks.map(\.content) == ["Hel", "lo", "", ""])
    #expect(run.chunks.map(\.usage) == [nil, nil, usage, nil])
    #expect(run.threadID == "T1")
    #expect(run.graphID == "react")
    #expect(run.assistantID == "A1")
    #expect(run.status == .success)
  }

  @Test func anAnthropicStreamIsOneMessageNamedByItsMessageID() throws {
    let usage = #"{"input_tokens":12,"output_tokens":3,"total_tokens":15}"#
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.chunk("msg_01", content: #"[{"type":"text","text":"Hi","index":0}]"#),
      try Self.chunk(Self.callA, content: #"[{"type":"text","text":" there","index":0}]"#),
      try Self.chunk(Self.callA, content: #"[{"type":"text","text":"!","index":0}]"#),
      try Self.chunk(Self.callA, content: "[]", usage: usage, last: true),
    ])
    try #require(run.messages.count == 1)
    #expect(run.messages[0].messageID == "msg_01")
    #expect(run.messages[0].content == "Hi there!")
    #expect(run.messages[0].chunkCount == 4)
    #expect(run.messages[0].modelCallID == Self.callA)
    #expect(run.messages[0].usage?.totalTokens == 15)
    #expect(run.chunks.map(\.messageID) == Array(repeating: "msg_01", count: 4))
    #expect(run.chunks.map(\.content) == ["Hi", " there", "!", ""])
  }

  @Test func twoModelCallsInOneNamespaceAreTwoMessages() throws {
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.chunk(Self.callA, text: "Hel"),
      try Self.chunk(Self.callA, text: "lo"),
      try Self.chunk(Self.callA, last: true),
      try Self.chunk(Self.callB, text: "Bye"),
      try Self.chunk(Self.callB, last: true),
    ])
    #expect(run.messages.map(\.messageID) == [Self.callA, Self.callB])
    #expect(run.messages.map(\.content) == ["Hello", "Bye"])
    #expect(run.messages.map(\.chunkCount) == [3, 2])
    #expect(run.messages.map(\.firstSeq) == [1, 4])
  }

  @Test func twoProviderNamedCallsSeparatedByALastChunkAreTwoMessages() throws {
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.chunk("chatcmpl-1", text: "one"),
      try Self.chunk(Self.callA, last: true),
      try Self.chunk("chatcmpl-2", text: "two"),
      try Self.chunk(Self.callB, last: true),
    ])
    #expect(run.messages.map(\.messageID) == ["chatcmpl-1", "chatcmpl-2"])
    #expect(run.messages.map(\.modelCallID) == [Self.callA, Self.callB])
    #expect(run.messages.map(\.content) == ["one", "two"])
  }

  @Test func aLastChunkClosesACallThatHadNoProviderID() throws {
    // The first call streams under langchain's id only; the next one brings a provider id,
    // which would join the first message if the "last" chunk had not closed it.
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.chunk(Self.callA, text: "one"),
      try Self.chunk(Self.callA, last: true),
      try Self.chunk("chatcmpl-2", text: "two"),
      try Self.chunk(Self.callB, last: true),
    ])
    #expect(run.messages.map(\.messageID) == [Self.callA, "chatcmpl-2"])
    #expect(run.messages.map(\.content) == ["one", "two"])
    #expect(run.messages.map(\.modelCallID) == [Self.callA, Self.callB])
  }

  @Test func callsStreamingInDifferentNamespacesDoNotMix() throws {
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.chunk("chatcmpl-1", text: "a1 ", ns: "node_1:aa"),
      try Self.chunk("chatcmpl-2", text: "b1 ", ns: "node_2:bb"),
      try Self.chunk("chatcmpl-1", text: "a2", ns: "node_1:aa"),
      try Self.chunk(Self.callB, last: true, ns: "node_2:bb"),
      try Self.chunk(Self.callA, last: true, ns: "node_1:aa"),
    ])
    #expect(run.messages.map(\.messageID) == ["chatcmpl-1", "chatcmpl-2"])
    #expect(run.messages.map(\.content) == ["a1 a2", "b1 "])
    #expect(run.messages.map(\.modelCallID) == [Self.callA, Self.callB])
    #expect(run.messages.map(\.namespace) == ["node_1:aa", "node_2:bb"])
  }

  @Test func eventsModeChatModelStreamChunksAreMergedToo() throws {
    let chunk =
      #"{"content":"Hi","type":"AIMessageChunk","id":"\#(Self.callA)","#
      + #""tool_call_chunks":[],"usage_metadata":null,"chunk_position":null}"#
    let last =
      #"{"content":"","type":"AIMessageChunk","id":"\#(Self.callA)","#
      + #""tool_call_chunks":[],"usage_metadata":null,"chunk_position":"last"}"#
    let metadata =
      #"{"langgraph_node":"agent","langgraph_checkpoint_ns":"agent:1","#
      + #""thread_id":"T9"}"#
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.event(
        "events",
        #"{"event":"on_chat_model_stream","data":{"chunk":\#(chunk)},"metadata":\#(metadata)}"#),
      try Self.event(
        "events",
        #"{"event":"on_chat_model_stream","data":{"chunk":\#(last)},"metadata":\#(metadata)}"#),
      try Self.event("events", #"{"event":"on_chain_end","data":{},"metadata":{}}"#),
    ])
    #expect(run.messages.map(\.messageID) == [Self.callA])
    #expect(run.messages.first?.content == "Hi")
    #expect(run.messages.first?.chunkCount == 2)
    #expect(run.threadID == "T9")
  }

  // MARK: - Tool calls

  @Test func aToolMessageLinksItsResultToTheCall() throws {
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.chunk(
        "chatcmpl-1",
        toolCallChunks: "[\(Self.toolCallChunk(0, name: "get_weather", id: "call_A", args: ""))]"),
      try Self.chunk(
        "chatcmpl-1",
        toolCallChunks: "[\(Self.toolCallChunk(1, name: "get_time", id: "call_B", args: ""))]"),
      try Self.chunk(
        "chatcmpl-1", toolCallChunks: "[\(Self.toolCallChunk(0, args: #"{"city": "#))]"),
      try Self.chunk("chatcmpl-1", toolCallChunks: "[\(Self.toolCallChunk(0, args: #""SF"}"#))]"),
      try Self.chunk(Self.callA, last: true),
      try Self.toolMessage("tool-1", callID: "call_A", text: "Sunny, 24 °C"),
    ])
    #expect(run.messages.map(\.messageID) == ["chatcmpl-1", "tool-1"])
    let tool = run.messages[1]
    #expect(tool.type == "tool")
    #expect(tool.toolCallID == "call_A")
    #expect(tool.node == "tools")
    #expect(tool.content == "Sunny, 24 °C")
    #expect(
      run.toolCalls == [
        ToolCall(
          messageID: "chatcmpl-1", toolCallID: "call_A", name: "get_weather",
          args: #"{"city":"SF"}"#, argsValid: true, result: "Sunny, 24 °C", node: "agent"),
        ToolCall(
          messageID: "chatcmpl-1", toolCallID: "call_B", name: "get_time", args: "{}",
          argsValid: true, result: nil, node: "agent"),
      ])
    // The message's own calls carry no result; the run's do.
    #expect(run.messages[0].toolCalls.map(\.result) == [nil, nil])
  }

  @Test func argsThatDoNotParseAsAnObjectStayRaw() throws {
    let chunks = [
      Self.toolCallChunk(0, name: "f", id: "call_1", args: #"{"city": "S"#),
      Self.toolCallChunk(1, name: "g", id: "call_2", args: "[1, 2]"),
      Self.toolCallChunk(2, name: "h", id: "call_3", args: #"{"b": 1, "a": [1, 2]}"#),
      Self.toolCallChunk(3, name: "k", id: "call_4", args: ""),
    ]
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.chunk("chatcmpl-1", toolCallChunks: "[\(chunks.joined(separator: ","))]"),
    ])
    #expect(run.toolCalls.map(\.args) == [#"{"city": "S"#, "[1, 2]", #"{"b":1,"a":[1,2]}"#, "{}"])
    #expect(run.toolCalls.map(\.argsValid) == [false, false, true, true])
    #expect(run.toolCalls.map(\.name) == ["f", "g", "h", "k"])
  }

  @Test func aWholeAIMessageKeepsItsParsedArgs() throws {
    let message =
      #"{"content":"","type":"ai","id":"ai-1","tool_calls":["#
      + #"{"name":"f","args":{"q":"x"},"id":"call_1","type":"tool_call"},"#
      + #"{"name":"g","args":"{\"n\": 1}","id":"call_2"},"#
      + #"{"name":"h","args":"oops","id":"call_3"}]}"#
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.event("updates", #"{"agent":{"messages":[\#(message)]}}"#),
    ])
    #expect(run.messages.map(\.node) == ["agent"])
    #expect(run.toolCalls.map(\.args) == [#"{"q":"x"}"#, #"{"n": 1}"#, "oops"])
    #expect(run.toolCalls.map(\.argsValid) == [true, true, false])
    #expect(run.toolCalls.map(\.node) == ["agent", "agent", "agent"])
  }

  @Test func elidedPartsOfALossyChunkAreLeftOut() throws {
    // A Node rendering turned a nested tool call chunk into null; langchain never sees nulls.
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.chunk("chatcmpl-1", text: "Hi", toolCallChunks: "[null]"),
      try Self.chunk("chatcmpl-1", content: "null"),
    ])
    #expect(run.messages.first?.content == "Hi")
    #expect(run.toolCalls.isEmpty)
  }

  // MARK: - Status

  @Test func anErrorEventMakesTheRunFail() throws {
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.event("error", #"{"error":"ValueError","message":"upstream tool exploded"}"#),
    ])
    #expect(run.status == .error)
    #expect(run.error == "ValueError: upstream tool exploded")
    #expect(run.errorType == "ValueError")

    let messageOnly = try Self.assemble([
      try Self.metadata(), try Self.event("error", #"{"message":"Run not found"}"#),
    ])
    #expect(messageOnly.error == "Run not found")
    #expect(messageOnly.errorType == nil)

    let empty = try Self.assemble([try Self.metadata(), try Self.event("error", nil)])
    #expect(empty.status == .error)
    #expect(empty.error == "the run failed (the error event carried no data)")

    let null = try Self.assemble([try Self.metadata(), try Self.event("error", "null")])
    #expect(null.status == .error)
    #expect(null.error == empty.error)
  }

  @Test func anErrorOutranksAnInterruptAndACutOff() throws {
    let run = try Self.assemble(
      [
        try Self.metadata(),
        try Self.event("updates", #"{"__interrupt__":[{"value":"ok?","id":"i1"}]}"#),
        try Self.event("error", #"{"error":"KeyError","message":"x"}"#),
      ], endsInsideEvent: true)
    #expect(run.status == .error)
  }

  @Test(arguments: [
    ("updates", #"{"__interrupt__":[{"value":{"question":"Approve?"},"id":"98e2"}]}"#),
    ("values", #"{"request":"deploy","__interrupt__":[{"value":"ok?","id":"98e2"}]}"#),
    ("updates|node_2:1b00", #"{"__interrupt__":[{"value":"ok?","id":"i2"}]}"#),
  ])
  func anInterruptStopsTheRun(name: String, data: String) throws {
    let run = try Self.assemble([
      try Self.metadata(), try Self.event("values", #"{"request":"deploy"}"#),
      try Self.event(name, data),
    ])
    #expect(run.status == .interrupted)
  }

  @Test func aCaptureCutOffIsIncompleteAndAWholeOneASuccess() throws {
    let events = [try Self.metadata(), try Self.chunk(Self.callA, text: "Hel")]
    #expect(try Self.assemble(events, endsInsideEvent: true).status == .incomplete)
    #expect(try Self.assemble(events, endsInsideEvent: false).status == .success)
  }

  // MARK: - Whole copies

  @Test func aWholeCopyInUpdatesDoesNotDuplicateAStreamedMessage() throws {
    let human = #"{"content":"What's the weather?","type":"human","id":"h1"}"#
    let aiCopy =
      #"{"content":"Hello","type":"ai","id":"chatcmpl-1","tool_calls":[],"#
      + #""usage_metadata":{"input_tokens":8,"output_tokens":2,"total_tokens":10}}"#
    let langChainCopy = #"{"content":"Hello","type":"ai","id":"\#(Self.callA)"}"#
    let tool = #"{"content":"done","type":"tool","id":"t1","tool_call_id":"call_A"}"#
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.event("values", #"{"messages":[\#(human)]}"#),
      try Self.chunk("chatcmpl-1", text: "Hel"),
      try Self.chunk("chatcmpl-1", text: "lo"),
      try Self.chunk(Self.callA, last: true),
      try Self.event("updates", #"{"agent":{"messages":[\#(aiCopy)]}}"#),
      try Self.event("updates", #"{"agent":{"messages":[\#(langChainCopy)]}}"#),
      try Self.event("updates", #"{"tools":{"messages":[\#(tool)]}}"#),
      try Self.event("values", #"{"messages":[\#(human),\#(aiCopy),\#(tool)]}"#),
    ])
    #expect(run.messages.map(\.messageID) == ["h1", "chatcmpl-1", "t1"])
    #expect(run.messages.map(\.type) == ["human", "ai", "tool"])
    #expect(run.messages.map(\.firstSeq) == [1, 2, 7])
    // The human input is filled in from state; the tool result names the node that wrote it.
    #expect(run.messages[0].content == "What's the weather?")
    #expect(run.messages[0].node == nil)
    #expect(run.messages[2].node == "tools")
    // The streamed message is the chunks' merge, with its chunk count.
    #expect(run.messages[1].chunkCount == 3)
    #expect(run.messages[1].content == "Hello")
  }

  @Test func aHumanMessageInANodeUpdateNamesTheNode() throws {
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.event(
        "updates", #"{"intake":{"messages":[{"content":"hi","type":"human","id":"h2"}]}}"#),
      try Self.event("values", #"{"messages":[{"content":"hi","type":"human","id":"h2"}]}"#),
    ])
    #expect(run.messages.map(\.messageID) == ["h2"])
    #expect(run.messages.first?.node == "intake")
    #expect(run.messages.first?.chunkCount == 1)
  }

  @Test func aThreadIDFromTheHeadersComesFirst() throws {
    let run = try Self.assemble(
      [try Self.metadata(), try Self.chunk("chatcmpl-1", text: "x")], threadID: "H1")
    #expect(run.threadID == "H1")
    #expect(run.graphID == "react")
  }

  // MARK: - Legacy messages mode

  @Test func legacySnapshotsCountAsChunks() throws {
    let metadata =
      #"{"langgraph_node":"agent","langgraph_checkpoint_ns":"agent:1","ls_model_name":"gpt-4o","#
      + #""ls_provider":"openai","thread_id":"T1"}"#
    let usage = #"{"input_tokens":5,"output_tokens":2,"total_tokens":7}"#
    func snapshot(_ text: String, usage: String = "null", toolCalls: String = "[]") -> String {
      #"[{"content":\#(Self.quoted(text)),"type":"ai","id":"\#(Self.callA)","#
        + #""tool_calls":\#(toolCalls),"usage_metadata":\#(usage)}]"#
    }
    let call = #"[{"name":"f","args":{"a":1},"id":"call_A","type":"tool_call"}]"#
    let run = try Self.assemble([
      try Self.metadata(),
      try Self.event("messages/metadata", #"{"\#(Self.callA)":{"metadata":\#(metadata)}}"#),
      try Self.event("messages/partial", snapshot("Hel")),
      try Self.event("messages/partial", snapshot("Hello", usage: usage)),
      try Self.event("messages/partial", snapshot("Hello!", usage: usage, toolCalls: call)),
      try Self.event("messages/metadata", #"{"t1":{"metadata":{"langgraph_node":"tools"}}}"#),
      try Self.event(
        "messages/complete",
        #"[{"content":"done","type":"tool","id":"t1","tool_call_id":"call_A"}]"#),
    ])
    #expect(run.messages.map(\.messageID) == [Self.callA, "t1"])
    let message = run.messages[0]
    #expect(message.content == "Hello!")
    #expect(message.chunkCount == 3)
    #expect(message.node == "agent")
    #expect(message.model == "gpt-4o")
    // Each snapshot is the whole message so far: the last one's usage counts, once.
    #expect(message.usage?.totalTokens == 7)
    #expect(run.chunks.map(\.content) == ["Hel", "lo", "!"])
    #expect(run.chunks.map(\.seq) == [2, 3, 4])
    #expect(run.chunks.map(\.messageID) == Array(repeating: Self.callA, count: 3))
    #expect(run.messages[1].type == "tool")
    #expect(run.messages[1].node == "tools")
    #expect(
      run.toolCalls == [
        ToolCall(
          messageID: Self.callA, toolCallID: "call_A", name: "f", args: #"{"a":1}"#,
          result: "done", node: "agent")
      ])
    #expect(run.threadID == "T1")
  }
}

/// Thread streams (`GET /threads/{id}/stream`) end each run with a `run_done` metadata event.
@Suite struct RunDoneMetadataTests {
  @Test func runDoneMetadataStaysInTheRunItCloses() {
    let events = [
      SourceEvent(
        name: "metadata",
        payload: .object(JSONObject([("run_id", .string("r1")), ("attempt", .number("1"))])),
        line: 1),
      SourceEvent(name: "values", payload: .object(JSONObject([("x", .number("1"))])), line: 4),
      SourceEvent(
        name: "metadata",
        payload: .object(JSONObject([("status", .string("run_done")), ("run_id", .string("r1"))])),
        line: 7),
    ]
    let segments = RunAssembler.split(events)
    #expect(segments.count == 1)
    #expect(segments.first?.events.count == 3)
  }
}
