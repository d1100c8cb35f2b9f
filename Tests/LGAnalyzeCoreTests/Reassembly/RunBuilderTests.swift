import Testing

@testable import LGAnalyzeCore

/// Ingest reassembles each run as its events arrive (RunStream, RunBuilder) instead of keeping
/// the run's parsed events to the end: the runs must be the ones splitting first gives, and a
/// payload must not outlive the reading of its event.
@Suite struct RunBuilderTests {
  @Test func streamingGivesTheRunsOfEverySampleThatSplittingGives() throws {
    for sample in try RobustnessFixtures.sampleFiles() {
      let parsed = FormatDetector.read(try RobustnessFixtures.bytes(sample.path), as: sample.kind)
      let split = RunAssembler.split(parsed.events).map { segment in
        RunAssembler.assemble(
          segment, runID: segment.runID ?? "derived", endsInsideEvent: true, threadID: "T")
      }
      var stream = RunStream()
      var builders = parsed.events.compactMap { stream.add($0) }
      if let last = stream.finish() { builders.append(last) }
      let streamed = builders.map { builder in
        builder.finish(runID: builder.runID ?? "derived", endsInsideEvent: true, threadID: "T")
      }
      #expect(streamed.count == split.count, "\(sample)")
      for (one, other) in zip(streamed, split) {
        #expect(one.runID == other.runID && one.attempt == other.attempt, "\(sample)")
        #expect(one.status == other.status && one.error == other.error, "\(sample)")
        #expect(one.threadID == other.threadID && one.graphID == other.graphID, "\(sample)")
        #expect(one.events == other.events, "\(sample)")
        #expect(one.messages == other.messages, "\(sample)")
        #expect(one.chunks == other.chunks, "\(sample)")
        #expect(one.toolCalls == other.toolCalls, "\(sample)")
      }
    }
  }

  /// A run whose metadata names none gets an id made from its content, not from the file it
  /// came in: the same events give the same id, and the id stays once given.
  @Test func aRunWithoutMetadataIsNamedByItsContent() throws {
    func values(_ text: String) throws -> SourceEvent {
      SourceEvent(name: "values", document: try JSONDocument.read(Array(text.utf8)), line: 1)
    }
    func derivedID(_ events: [SourceEvent]) -> String {
      var builder = RunBuilder(runID: nil, attempt: 1)
      for event in events { builder.add(event) }
      return builder.derivedRunID()
    }
    let one = try derivedID([values(#"{"a":1}"#), values(#"{"a":2}"#)])
    #expect(one.hasPrefix("source-") && one.count == "source-".count + 16)
    #expect(try derivedID([values(#"{"a":1}"#), values(#"{"a":2}"#)]) == one)
    #expect(try derivedID([values(#"{"a":1}"#)]) != one)
    #expect(try derivedID([values(#"{"a":1}"#), values(#"{"a":3}"#)]) != one)
    // An event's name and payload cannot pass for another split of the same bytes.
    #expect(
      derivedID([SourceEvent(name: "values", document: nil, line: 1)])
        != derivedID([SourceEvent(name: "value", document: nil, line: 1)]))

    var builder = RunBuilder(runID: nil, attempt: 1)
    builder.add(try values(#"{"a":1}"#))
    let early = builder.derivedRunID()
    builder.add(try values(#"{"a":2}"#))
    #expect(builder.derivedRunID() == early)
  }

  @Test func aThreadIDFromHeadersWinsOverTheMetadatas() throws {
    var builder = RunBuilder(runID: "r", attempt: 1)
    builder.add(
      SourceEvent(
        name: "messages",
        document: try JSONDocument.read(
          Array(#"[{"type":"AIMessageChunk","id":"m","content":"x"},{"thread_id":"M"}]"#.utf8)),
        line: 1))
    #expect(builder.eventCount == 1)
    let fromMetadata = builder.finish(runID: "r", endsInsideEvent: false)
    #expect(fromMetadata.threadID == "M")
    #expect(builder.finish(runID: "r", endsInsideEvent: false, threadID: "H").threadID == "H")
  }

  @Test func aPieceTakesTheChunksSoFarUnderTheirMessagesKey() throws {
    func chunk(_ id: String, _ text: String) throws -> SourceEvent {
      let payload = #"[{"type":"AIMessageChunk","id":"\#(id)","content":"\#(text)"},{}]"#
      return SourceEvent(
        name: "messages", document: try JSONDocument.read(Array(payload.utf8)), line: 1)
    }
    var builder = RunBuilder(runID: "r", attempt: 1)
    try builder.add(chunk("lc_run--1", "a"))
    try builder.add(chunk("lc_run--1", "b"))
    let piece = builder.takePiece()
    #expect(piece.events.map(\.seq) == [0, 1])
    #expect(piece.chunks.map(\.messageID) == ["lc_run--1", "lc_run--1"])
    #expect(piece.chunks.map(\.content) == ["a", "b"])
    // The provider's id joins the message after the piece was taken.
    try builder.add(chunk("msg_9", "c"))
    let run = builder.finish(runID: "r", endsInsideEvent: false)
    #expect(run.events.map(\.seq) == [2])
    #expect(run.chunks.map(\.messageID) == ["msg_9"])
    #expect(run.provisionalChunkMessageIDs == ["lc_run--1": "msg_9"])
    #expect(run.messages.map(\.messageID) == ["msg_9"])
    #expect(run.messages.first?.content == "abc")
    #expect(run.messages.first?.chunkCount == 3)
  }

  /// Each kind of event that leaves something in the run's state, and the payloads must all be
  /// freed once read: values and updates (whole messages kept), legacy snapshots, chunks.
  @Test(arguments: [
    (
      "values",
      #"{"messages":[{"type":"human","id":"h1","content":"hi"},{"type":"ai","id":"a1","content":"yo"}],"big":"\#(String(repeating: "x", count: 50))"}"#
    ),
    ("updates", #"{"agent":{"messages":[{"type":"ai","id":"a2","content":"ok"}]}}"#),
    ("messages/partial", #"[{"type":"ai","id":"a3","content":"par"}]"#),
    ("messages/complete", #"[{"type":"tool","id":"t1","content":"42","tool_call_id":"c"}]"#),
    (
      "messages", #"[{"type":"AIMessageChunk","id":"a4","content":"chunk"},{"langgraph_node":"n"}]"#
    ),
    ("messages", #"[{"type":"tool","id":"t2","content":"r","tool_call_id":"d"},{}]"#),
  ])
  func aPayloadIsFreedOnceItsEventIsRead(name: String, payload: String) throws {
    var builder = RunBuilder(runID: "r", attempt: 1)
    weak var storage: JSONDocument.Storage?
    do {
      let document = try JSONDocument.read(Array(payload.utf8))
      storage = document.storage
      builder.add(SourceEvent(name: name, document: document, line: 1))
    }
    // The metadata read last is kept to compare the next chunk's with; a later event of
    // another message replaces it.
    builder.add(
      SourceEvent(
        name: "messages",
        document: try JSONDocument.read(
          Array(#"[{"type":"AIMessageChunk","id":"z","content":"z"},{"other":1}]"#.utf8)),
        line: 2))
    #expect(storage == nil, "the payload of a \(name) event is still held")
    let run = builder.finish(runID: "r", endsInsideEvent: false)
    // What the run needs of the payload was copied out before it went.
    #expect(run.events.first?.data == payload)
    #expect(run.messages.count >= 2 && run.messages.last?.messageID == "z")
  }

  @Test func aDetachedNodeHasTheSameTextInADocumentOfItsOwn() throws {
    let document = try JSONDocument.read(
      Array(#"{"a":[1,{"b":"c\"d"}],"e":{"f":null,"g":[true,"h"]}}"#.utf8))
    for node in [document.root["a"], document.root["e"], document.root["e"]?["g"]] {
      let node = try #require(node)
      let detached = node.detached
      #expect(detached.text == node.text)
      #expect(detached.value == node.value)
      #expect(detached.document !== node.document)
      #expect(detached.document.bytes.count == node.byteRange.count)
    }
    // The root is already the whole document.
    #expect(document.root.detached.document === document.root.document)
  }
}
