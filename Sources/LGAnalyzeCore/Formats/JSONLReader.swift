/// Reads JSONL dumps: one `{"event": …, "data": …}` object per line, an `"id"` possibly present,
/// and `"lossy": true` where `lganalyze convert` wrote an event read from a printout that elided
/// parts of it (Node's `[Object]`): the event is read as lossy, as it was where it came from.
///
/// A line that is not such an object is reported with its line number and skipped; every other
/// line is kept. Blank lines are ignored. A last line cut off without its line break that does
/// not parse means the dump stops inside an event.
public enum JSONLReader {
  /// Reads every event of a JSONL dump.
  public static func parse(_ bytes: [UInt8]) -> ParsedSource {
    var parsed = ParsedSource(format: .jsonl)
    var nextLine = 1
    parse(bytes, range: 0..<bytes.count, nextLine: &nextLine, into: &parsed)
    return parsed
  }

  /// Reads the events in `bytes[range]`, a piece of a dump that ends at a line break unless it
  /// is the final piece; `nextLine` is the number of its first line, and after the call of the
  /// piece that follows.
  public static func parse(
    _ bytes: [UInt8], range: Range<Int>, nextLine: inout Int, into parsed: inout ParsedSource
  ) {
    var lines = LineReader(bytes: bytes, range: range, firstLineNumber: nextLine)
    defer { nextLine = lines.lastLineNumber + 1 }
    while let line = lines.next() {
      let content = line.content
      guard bytes[content].contains(where: { !$0.isLiteralWhitespace }) else { continue }
      let problem: String
      do {
        // The line's object wraps the payload: the nesting limit is the payload's, as in SSE.
        let lineDocument = try JSONDocument.read(bytes, range: content, envelopeDepth: 1)
        let root = lineDocument.root
        if let name = root["event"]?.stringValue {
          var document: JSONDocument?
          if let data = root["data"], !data.isNull {
            // The line's bytes are canonical now, so the data's slice of them is too.
            document = try lineDocument.document(of: data)
          }
          parsed.events.append(
            SourceEvent(
              name: name, document: document, line: line.number,
              streamID: root["id"]?.stringValue, isLossy: root["lossy"]?.kind == .true))
          continue
        }
        problem = "the line is JSON but not an {\"event\": …, \"data\": …} object; it is skipped"
      } catch {
        problem =
          line.isTerminated
          ? "the line is not valid JSON (\(error)); it is skipped, the lines around it are kept"
          : "the last line is cut off (\(error)); the run is marked incomplete"
        if !line.isTerminated {
          parsed.endsInsideEvent = true
          parsed.cutOffEvent = CutOffEvent(
            name: eventName(inCutLine: bytes, range: content), text: Array(bytes[content]),
            line: line.number, isKept: false)
        }
      }
      parsed.issues.append(
        SourceIssue(
          line: line.number, message: problem,
          excerpt: SourceIssue.excerpt(of: bytes, range: content)))
    }
  }

  /// The event name a cut-off line starts with, when it starts as `{"event": "<name>"`.
  static func eventName(inCutLine bytes: [UInt8], range: Range<Int>) -> String? {
    var index = range.lowerBound
    func skipWhitespace() {
      while index < range.upperBound, bytes[index].isLiteralWhitespace { index += 1 }
    }
    func expect(_ text: String) -> Bool {
      for byte in text.utf8 {
        guard index < range.upperBound, bytes[index] == byte else { return false }
        index += 1
      }
      return true
    }
    skipWhitespace()
    guard expect("{") else { return nil }
    skipWhitespace()
    guard expect(#""event""#) else { return nil }
    skipWhitespace()
    guard expect(":") else { return nil }
    skipWhitespace()
    let start = index
    guard expect("\"") else { return nil }
    while index < range.upperBound, bytes[index] != .quote {
      index += bytes[index] == .backslash ? 2 : 1
    }
    guard index < range.upperBound else { return nil }
    return try? JSONDocument.read(bytes, range: start..<(index + 1)).root.stringValue
  }
}
