// SSEReader reads a saved Server-Sent Events stream by the rules of langgraph_sdk's decoder,
// which follow the SSE specification:
//
//   event: messages\r\n                       ← sets the event name (the last one wins)
//   data: [{"content":"Hi",…},{…}]\r\n          ← appends to the data; several lines join with \n
//   id: 1795382542294-0\r\n                     ← sets the last event id, sticky across events
//   \r\n                                       ← an empty line dispatches the event
//   : heartbeat\r\n\r\n                         ← a comment, ignored
//
// Lines end at CRLF, LF or a lone CR. A field line without a colon is a field with an empty
// value; unknown fields are ignored — which is also what makes `curl --raw` captures readable, as
// their chunk-size lines (`58`) are unknown fields between events. An HTTP head saved by
// `curl -i` is skipped up to its blank line, and kept as a ResponseHead (which names the thread
// and run): at the start, and wherever a line starts with `HTTP/`, which no SSE producer writes
// but a second capture joined with `cat` does. An event still open there ends there, as the
// response it was in did.
//
// An event whose data is not JSON is reported as an issue on its data line and left out; every
// other event is kept. A last event with no empty line after it is still read; if its data does
// not parse, or it has an event line and no data, the capture was cut off inside it.
//
// Two frames that LangGraph's server never writes are taken as damage to the capture, reported
// on their line, so that the run they are in counts as damaged (and never replaces a clean copy
// of itself). Both come from one stray line break between an event line and its data:
//
//   event: messages\r\n      an event with no data line (any but `end`): the decoder dispatches
//   \r\n                     it with no data, and it is stored so;
//   data: [{…},{…}]\r\n      data with no event name, in a stream whose events have names: the
//   \r\n                     decoder gives it the name "", which LangGraph's consumers (and the
//                            reference analysis) drop, and it is dropped here too.
//
// A stream of unnamed events only (another producer's) is read as the SSE specification says:
// each is a `message` event.
//
// One comment means something: `: lganalyze lossy` inside an event's block, which `lganalyze
// convert` writes for an event read from a printout that elided parts of it (Node's
// `[Object]`), marks the event lossy, as it was where it came from. Every other reader ignores
// it, as it ignores every comment.

/// Reads raw SSE captures.
public enum SSEReader {
  /// The comment line that marks the event whose block holds it as lossy.
  public static let lossyMark = Array(": lganalyze lossy".utf8)

  /// What carries over from one piece of a capture to the next.
  public struct State: Sendable {
    /// The sticky last event id.
    var lastEventID: String?
    /// The line number the next piece starts at.
    var nextLine = 1
    /// True once an event with an `event:` name was read: from then on, data with no name is
    /// damage rather than another producer's unnamed events.
    var hasNamedEvents = false
    /// The HTTP head being read, up to the empty line that ends it.
    var head: ResponseHead?

    public init() {}
  }

  /// Reads every event of an SSE capture.
  public static func parse(_ bytes: [UInt8]) -> ParsedSource {
    var parsed = ParsedSource(format: .sse)
    var state = State()
    parse(bytes, range: 0..<bytes.count, state: &state, isFinal: true, into: &parsed)
    return parsed
  }

  /// Reads the events in `bytes[range]`, a piece of a capture that ends at an event boundary
  /// (an empty line) unless it is the final piece.
  public static func parse(
    _ bytes: [UInt8], range: Range<Int>, state: inout State, isFinal: Bool,
    into parsed: inout ParsedSource
  ) {
    var lines = LineReader(bytes: bytes, range: range, firstLineNumber: state.nextLine)
    defer { state.nextLine = lines.lastLineNumber + 1 }
    var block = PendingBlock()
    var lastEventID = state.lastEventID
    var hasNamedEvents = state.hasNamedEvents
    var head = state.head
    defer {
      state.lastEventID = lastEventID
      state.hasNamedEvents = hasNamedEvents
      // A file that ends inside a head (a response without a body) still had that response.
      if isFinal, let unfinished = head {
        parsed.responseHeads.append(unfinished)
        head = nil
      }
      state.head = head
    }

    func dispatch(isTerminated: Bool) {
      defer { block = PendingBlock() }
      guard block.hasFields else { return }
      // An `event:` line with no name, before data in a stream of named events, names the
      // event "" (LangGraph's decoder does, and a JSONL capture can hold such an event, which
      // `convert` writes so); in a stream of unnamed events it is the default name (SSE spec).
      let isNamedEmpty = block.hasEmptyEventLine && block.dataLine != nil && hasNamedEvents
      let name = block.eventName ?? (block.dataLine == nil || isNamedEmpty ? "" : "message")
      // An id- or retry-only block carries no event.
      guard !name.isEmpty || isNamedEmpty else { return }
      var document: JSONDocument?
      if let dataLine = block.dataLine {
        let body: [UInt8]
        let range: Range<Int>
        if let single = block.singleDataRange {
          body = bytes
          range = single
        } else {
          body = block.joinedData
          range = 0..<body.count
        }
        if body[range].contains(where: { !$0.isLiteralWhitespace }) {
          do {
            document = try JSONDocument.read(body, range: range)
          } catch {
            parsed.issues.append(
              SourceIssue(
                line: dataLine,
                message: "the data of event '\(name)' is not valid JSON (\(error)); the event is "
                  + (isTerminated
                    ? "skipped, the events around it are kept"
                    : "cut off at the end of the file, so the run is marked incomplete"),
                excerpt: SourceIssue.excerpt(of: body, range: range)))
            if !isTerminated {
              parsed.endsInsideEvent = true
              parsed.cutOffEvent = CutOffEvent(
                name: block.eventName, text: Array(body[range]), line: block.firstLine,
                isKept: false)
            }
            return
          }
        }
        if block.eventName == nil && !isNamedEmpty && hasNamedEvents {
          parsed.issues.append(
            SourceIssue(
              line: dataLine,
              message: "data with no event name, in a stream whose events are named: its "
                + "`event:` line is missing, or a blank line or a lone CR split it off; it is "
                + "left out, as LangGraph's decoder leaves it, and its run is marked damaged",
              excerpt: SourceIssue.excerpt(of: body, range: range)))
          return
        }
      } else if name != "end" {
        parsed.issues.append(
          SourceIssue(
            line: block.firstLine,
            message: isTerminated
              ? "event '\(name)' has no data line: a blank line or a lone CR ended it before "
                + "its data; it is kept without data, as LangGraph's decoder reads it, and its "
                + "run is marked damaged"
              : "the file ends after the event line of '\(name)', before its data: the capture "
                + "was cut off, so the run is marked incomplete",
            excerpt: "event: \(name)"))
        // The file stops after an event line, before the data that belongs to it.
        if !isTerminated {
          parsed.endsInsideEvent = true
          parsed.cutOffEvent = CutOffEvent(
            name: name, text: [], line: block.firstLine, isKept: true)
        }
      }
      if block.eventName != nil { hasNamedEvents = true }
      parsed.events.append(
        SourceEvent(
          name: name, document: document, line: block.firstLine, streamID: lastEventID,
          isLossy: block.isLossy))
    }

    while let line = lines.next() {
      let content = line.content
      if var reading = head {
        if content.isEmpty {
          parsed.responseHeads.append(reading)
          head = nil
        } else {
          reading.read(headerLine: bytes[content])
          head = reading
        }
        continue
      }
      if content.isEmpty {
        dispatch(isTerminated: true)
        continue
      }
      // The first byte alone rules out every field line, before the slice compare.
      let first = bytes[content.lowerBound]
      if first == UInt8(ascii: "H") || first == 0xEF, startsWithHTTPHead(bytes[content]) {
        // Another response starts: the one before, and any event still open in it, ended.
        dispatch(isTerminated: true)
        head = ResponseHead(line: line.number)
        continue
      }
      if first == .colon {
        // A comment such as `: heartbeat`; only the lossy mark is read.
        if content.count == lossyMark.count, bytes[content].elementsEqual(lossyMark) {
          block.isLossy = true
        }
        continue
      }
      block.hasFields = true
      let colon = bytes[content].firstIndex(of: .colon) ?? content.upperBound
      var valueStart = min(colon + 1, content.upperBound)
      if valueStart < content.upperBound, bytes[valueStart] == .space { valueStart += 1 }
      let value = valueStart..<content.upperBound
      let field = FieldName(bytes[content.lowerBound..<colon])
      // An event starts at its first event, data or id line, not at a `curl --raw` chunk size.
      if block.firstLine == 0, field == .event || field == .data || field == .id {
        block.firstLine = line.number
      }
      switch field {
      case .event:
        // An empty event name is no name: the event gets the default one (SSE spec).
        block.eventName = value.isEmpty ? nil : String(decoding: bytes[value], as: UTF8.self)
        block.hasEmptyEventLine = value.isEmpty
      case .data:
        block.appendData(value, line: line.number, from: bytes)
      case .id:
        if !bytes[value].contains(0) {
          let identifier = String(decoding: bytes[value], as: UTF8.self)
          lastEventID = identifier.isEmpty ? nil : identifier
        }
      case .retry, .other:
        break
      }
    }
    dispatch(isTerminated: !isFinal)
  }

  /// True when a line is an HTTP status line (`curl -i` / `curl -D -`), a byte order mark
  /// before it allowed: a capture joined after another keeps its own.
  static func startsWithHTTPHead(_ line: ArraySlice<UInt8>) -> Bool {
    let text = line.starts(with: [0xEF, 0xBB, 0xBF]) ? line.dropFirst(3) : line
    return text.starts(with: "HTTP/".utf8)
  }

  /// The fields of one event while its lines are read.
  private struct PendingBlock {
    var hasFields = false
    /// True when the block holds the lossy mark.
    var isLossy = false
    var firstLine = 0
    var eventName: String?
    /// True when the last `event:` line named nothing.
    var hasEmptyEventLine = false
    var dataLine: Int?
    /// The data's range in the source while there is exactly one data line (the usual case,
    /// read in place without a copy).
    var singleDataRange: Range<Int>?
    var joinedData: [UInt8] = []

    mutating func appendData(_ value: Range<Int>, line: Int, from bytes: [UInt8]) {
      if dataLine == nil {
        dataLine = line
        singleDataRange = value
        return
      }
      if let single = singleDataRange {
        joinedData = Array(bytes[single])
        singleDataRange = nil
      }
      joinedData.append(.lf)
      joinedData.append(contentsOf: bytes[value])
    }
  }

  /// The SSE field names the reader acts on.
  private enum FieldName {
    case event, data, id, retry, other

    init(_ name: ArraySlice<UInt8>) {
      switch name.count {
      case 5 where name.elementsEqual("event".utf8): self = .event
      case 4 where name.elementsEqual("data".utf8): self = .data
      case 2 where name.elementsEqual("id".utf8): self = .id
      case 5 where name.elementsEqual("retry".utf8): self = .retry
      default: self = .other
      }
    }
  }
}
