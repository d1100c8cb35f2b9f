// TranscriptReader reads what people's scripts printed while a stream ran: a header line per
// event, then the payload on the lines up to the next header.
//
//   Receiving event of type: metadata...          the streaming guide's sed | awk pipeline
//   Receiving new event of type: metadata...      the Python SDK loop
//   接收到新事件类型：metadata...                   the localized guide
//
// The payload may be compact JSON (awk), a Python repr (`print(chunk.data)`), JSON over many
// lines (`json.dumps(data, indent=2)`) or a Node `util.inspect` rendering (`console.log`).
// Each payload is tried as JSON, then as a Python literal, then as a JS literal; the first that
// reads whole wins. A payload none of them reads is kept as {"__unparsed__": text} and reported,
// so nothing a person saved is dropped.

/// Reads printed transcripts of a stream.
public enum TranscriptReader {
  static let headerPrefixes: [[UInt8]] = [
    Array("Receiving new event of type: ".utf8),
    Array("Receiving event of type: ".utf8),
    Array("接收到新事件类型：".utf8),
  ]
  static let headerSuffix = Array("...".utf8)

  /// The event name when `bytes[range]` is a transcript header line, else nil.
  static func eventName(inHeader bytes: [UInt8], range: Range<Int>) -> String? {
    // Every line of a transcript is asked, payload lines included: a header ends in "...", and
    // looking at its last byte first turns nearly all of them away without making a slice.
    guard range.count >= headerSuffix.count, bytes[range.upperBound - 1] == .dot else {
      return nil
    }
    let line = bytes[range]
    for prefix in headerPrefixes where line.starts(with: prefix) {
      let nameStart = range.lowerBound + prefix.count
      guard range.upperBound - nameStart >= headerSuffix.count,
        bytes[(range.upperBound - headerSuffix.count)..<range.upperBound].elementsEqual(
          headerSuffix)
      else { continue }
      return String(
        decoding: bytes[nameStart..<(range.upperBound - headerSuffix.count)], as: UTF8.self)
    }
    return nil
  }

  /// What carries over from one piece of a transcript to the next.
  public struct State: Sendable {
    var dialectsSeen = Set<String>()
    var nextLine = 1

    public init() {}
  }

  /// Reads every event of a transcript.
  public static func parse(_ bytes: [UInt8]) -> ParsedSource {
    var parsed = ParsedSource(format: .transcript(.awk))
    var state = State()
    parse(bytes, range: 0..<bytes.count, state: &state, isFinal: true, into: &parsed)
    return parsed
  }

  /// Reads the events in `bytes[range]`, a piece of a transcript that ends where a header line
  /// starts unless it is the final piece.
  public static func parse(
    _ bytes: [UInt8], range: Range<Int>, state: inout State, isFinal: Bool,
    into parsed: inout ParsedSource
  ) {
    var dialectsSeen = state.dialectsSeen
    var current: (name: String, line: Int)?
    var payloadStart: Int?
    var payloadEnd = 0
    var payloadLines = 0
    var lastLineTerminated = true
    var lastLineWasHeader = false

    func flush(isLast: Bool) {
      guard let header = current else { return }
      defer {
        current = nil
        payloadStart = nil
        payloadLines = 0
      }
      guard let start = payloadStart,
        bytes[start..<payloadEnd].contains(where: { !$0.isLiteralWhitespace })
      else {
        // A printout always ends its header with a line break: a last header without one was
        // cut off before its payload could follow (`end` alone has none to follow).
        if isLast && !lastLineTerminated && lastLineWasHeader && header.name != "end" {
          parsed.endsInsideEvent = true
          parsed.cutOffEvent = CutOffEvent(
            name: header.name, text: [], line: header.line, isKept: true)
          parsed.issues.append(
            SourceIssue(
              line: header.line,
              message: "the file ends inside the header of event '\(header.name)', before "
                + "its payload: the printout was cut off, so the run is marked incomplete",
              excerpt: header.name))
        }
        parsed.events.append(SourceEvent(name: header.name, payload: nil, line: header.line))
        return
      }
      let range = start..<payloadEnd
      var firstError: LiteralError?
      for dialect in LiteralDialect.allCases {
        do {
          let document = try JSONDocument.read(bytes, range: range, dialect: dialect)
          switch dialect {
          case .json: dialectsSeen.insert(payloadLines > 1 ? "pretty" : "json")
          case .python: dialectsSeen.insert("python")
          case .javascript: dialectsSeen.insert("javascript")
          }
          parsed.events.append(
            SourceEvent(name: header.name, document: document, line: header.line))
          return
        } catch {
          if firstError == nil { firstError = error }
        }
      }
      let text = String(decoding: bytes[range], as: UTF8.self)
      let cutOff = isLast && !lastLineTerminated
      if cutOff {
        parsed.endsInsideEvent = true
        parsed.cutOffEvent = CutOffEvent(
          name: header.name, text: Array(bytes[range]), line: header.line, isKept: true)
      }
      parsed.issues.append(
        SourceIssue(
          line: header.line,
          message: "the payload of event '\(header.name)' is neither JSON, a Python repr nor a "
            + "JS literal (\(firstError.map { "\($0)" } ?? "unreadable")); it is kept as "
            + "{\"__unparsed__\": text}" + (cutOff ? " and the run is marked incomplete" : ""),
          excerpt: SourceIssue.excerpt(of: bytes, range: range)))
      parsed.events.append(
        SourceEvent(
          name: header.name, payload: .object(JSONObject([("__unparsed__", .string(text))])),
          line: header.line))
    }

    var lines = LineReader(bytes: bytes, range: range, firstLineNumber: state.nextLine)
    while let line = lines.next() {
      lastLineTerminated = line.isTerminated
      lastLineWasHeader = false
      if let name = eventName(inHeader: bytes, range: line.content) {
        flush(isLast: false)
        current = (name, line.number)
        lastLineWasHeader = true
        continue
      }
      guard current != nil else {
        if bytes[line.content].contains(where: { !$0.isLiteralWhitespace }) {
          parsed.issues.append(
            SourceIssue(
              line: line.number,
              message: "text before the first 'Receiving … event of type' header is ignored",
              excerpt: SourceIssue.excerpt(of: bytes, range: line.content)))
        }
        continue
      }
      if payloadStart == nil {
        guard bytes[line.content].contains(where: { !$0.isLiteralWhitespace }) else { continue }
        payloadStart = line.content.lowerBound
      }
      if !line.content.isEmpty {
        payloadEnd = line.content.upperBound
        payloadLines += 1
      }
    }
    flush(isLast: isFinal)
    state.nextLine = lines.lastLineNumber + 1
    state.dialectsSeen = dialectsSeen

    if dialectsSeen.contains("javascript") {
      parsed.format = .transcript(.javascript)
    } else if dialectsSeen.contains("python") {
      parsed.format = .transcript(dialectsSeen.contains("pretty") ? .mixed : .python)
    } else if dialectsSeen.contains("pretty") {
      parsed.format = .transcript(.prettyJSON)
    }
  }
}
