import LGAnalyzeCore
import Testing

/// `FormatDetector` tells SSE, JSONL and transcripts apart by their first lines, whatever the
/// file is called, and uses the file name only when the content says nothing.
@Suite struct FormatDetectorTests {
  private static func detect(_ text: String, fileName: String? = nil) -> FormatKind? {
    FormatDetector.detect(Array(text.utf8), fileName: fileName)
  }

  @Test(arguments: [
    "event: metadata\r\ndata: {}\r\n\r\n",
    ": heartbeat\r\n\r\nevent: values\r\n",
    "data: {}\n\n",
    "id: 1\nevent: values\n",
    "retry: 10\n\n",
    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\nevent: metadata\r\n",
    "\u{FEFF}HTTP/1.1 200 OK\r\n\r\n",
    "58\r\nevent: metadata\r\n",
    "\n\n\r\nevent: values\n",
    "\u{FEFF}event: values\n",
  ])
  func sseCaptures(text: String) {
    #expect(Self.detect(text) == .sse)
  }

  @Test(arguments: [
    #"{"event": "metadata", "data": {"run_id": "r1"}}"# + "\n",
    #"{"data":{},"id":"1","event":"values"}"#,
    "\n" + #"{"event":"end","data":null}"#,
  ])
  func jsonlDumps(text: String) {
    #expect(Self.detect(text) == .jsonl)
  }

  @Test(arguments: [
    "Receiving event of type: metadata...\n{\"run_id\":\"r1\"}\n",
    "Receiving new event of type: metadata...\n{'run_id': 'r1'}\n",
    "接收到新事件类型：metadata...\n{\"run_id\":\"r1\"}\n",
    "\n\nReceiving new event of type: updates|node_2:1b00...\r\n",
  ])
  func transcripts(text: String) {
    #expect(Self.detect(text) == .transcript)
  }

  @Test(arguments: [
    "", "\n\n", "hello world\n", "<html><body>502</body></html>\n", #"{"foo": 1}"# + "\n",
    "[1, 2]\n", "Receiving event of type: metadata\n", "events: 3\n",
  ])
  func otherTextIsNoFormat(text: String) {
    #expect(Self.detect(text) == nil)
  }

  @Test func theFileNameBreaksATieOnly() {
    #expect(Self.detect("\n\n", fileName: "capture.sse") == .sse)
    #expect(Self.detect("\n\n", fileName: "dump.jsonl") == .jsonl)
    #expect(Self.detect("", fileName: "dump.ndjson") == .jsonl)
    #expect(Self.detect("\n\n", fileName: "notes.txt") == nil)
    // Content wins over the name.
    #expect(Self.detect("event: values\n", fileName: "dump.jsonl") == .sse)
    #expect(
      Self.detect("Receiving event of type: values...\n", fileName: "capture.sse") == .transcript)
    #expect(Self.detect(#"{"event":"values"}"#, fileName: "capture.sse") == .jsonl)
  }

  @Test func readUsesTheReaderOfTheKind() {
    let sse = Array("event: values\ndata: {\"n\":1}\n\n".utf8)
    #expect(FormatDetector.read(sse, as: .sse).format == .sse)
    #expect(FormatDetector.read(sse, as: .sse).events.map(\.name) == ["values"])
    let jsonl = Array(#"{"event":"values","data":{"n":1}}"#.utf8)
    #expect(FormatDetector.read(jsonl, as: .jsonl).format == .jsonl)
    #expect(FormatDetector.read(jsonl, as: .jsonl).events.map(\.name) == ["values"])
    let transcript = Array("Receiving event of type: values...\n{\"n\":1}\n".utf8)
    #expect(FormatDetector.read(transcript, as: .transcript).format == .transcript(.awk))
    #expect(FormatDetector.read(transcript, as: .transcript).events.map(\.name) == ["values"])
  }
}
