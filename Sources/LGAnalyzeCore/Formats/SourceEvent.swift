/// One event as a saved stream carried it, before it is assigned to a run.
public struct SourceEvent: Sendable, Equatable {
  /// The full event name as sent, namespace included (`updates|node_2:1b00…`).
  public var name: String
  /// The payload as canonical JSON with its tape; nil when the event carried no data.
  public var document: JSONDocument?
  /// 1-based line of the source where the event starts.
  public var line: Int
  /// The SSE `id:` in force for this event (sticky, as the SSE specification says), if any.
  public var streamID: String?
  /// True when the rendering elided parts of the payload (Node's `[Object]`), so it is partial.
  public var isLossy: Bool

  public init(
    name: String, document: JSONDocument?, line: Int, streamID: String? = nil,
    isLossy: Bool = false
  ) {
    self.name = name
    self.document = document
    self.line = line
    self.streamID = streamID
    self.isLossy = isLossy || (document?.isLossy ?? false)
  }

  /// An event whose payload is given as a value tree.
  public init(
    name: String, payload: JSONValue?, line: Int, streamID: String? = nil, isLossy: Bool = false
  ) {
    self.init(
      name: name, document: payload.map { JSONDocument($0, isLossy: isLossy) }, line: line,
      streamID: streamID, isLossy: isLossy)
  }

  /// The payload decoded into a value tree (decoded on each call: prefer `document`).
  public var payload: JSONValue? { document?.value }

  public static func == (left: SourceEvent, right: SourceEvent) -> Bool {
    left.name == right.name && left.document?.bytes == right.document?.bytes
      && left.line == right.line && left.streamID == right.streamID
      && left.isLossy == right.isLossy
  }
}

/// Something in a source that could not be read, with where it is and what to do about it.
public struct SourceIssue: Sendable, Equatable, CustomStringConvertible {
  /// 1-based line in the source.
  public var line: Int
  /// What was wrong, in words a person can act on.
  public var message: String
  /// The first bytes of the offending text.
  public var excerpt: String
  /// True when the issue means the run on its line is damaged, so that it never replaces a
  /// clean copy of itself; false for a note about how the source was read (two copies of a run
  /// in one file), where nothing of the run itself is missing.
  public var damagesRun: Bool

  public init(line: Int, message: String, excerpt: String, damagesRun: Bool = true) {
    self.line = line
    self.message = message
    self.excerpt = excerpt
    self.damagesRun = damagesRun
  }

  public var description: String { "line \(line): \(message)" }

  /// Two lists of issues, each in line order, as one in line order (the first list's issue
  /// first on a line both have).
  public static func merged(_ first: [SourceIssue], _ second: [SourceIssue]) -> [SourceIssue] {
    guard !second.isEmpty else { return first }
    var result: [SourceIssue] = []
    result.reserveCapacity(first.count + second.count)
    var (left, right) = (first[...], second[...])
    while let one = left.first, let other = right.first {
      if other.line < one.line {
        result.append(other)
        right.removeFirst()
      } else {
        result.append(one)
        left.removeFirst()
      }
    }
    return result + left + right
  }

  /// The first bytes of `bytes[range]` as text, for an issue's excerpt.
  static func excerpt(of bytes: [UInt8], range: Range<Int>) -> String {
    let upper = min(range.upperBound, range.lowerBound + 120)
    return String(decoding: bytes[range.lowerBound..<upper], as: UTF8.self)
  }
}

/// What a format reader made of one source: its events in order, and what it could not read.
public struct ParsedSource: Sendable {
  public var format: SourceFormat
  public var events: [SourceEvent] = []
  public var issues: [SourceIssue] = []
  /// True when the source stops inside an event (a capture cut off mid-stream).
  public var endsInsideEvent = false
  /// What the source holds of the event it stops inside, when it does.
  public var cutOffEvent: CutOffEvent?
  /// The HTTP response heads saved before the events (`curl -i`), in line order: one at the
  /// start, and one for each capture with its own joined after it (`cat a.sse b.sse`).
  public var responseHeads: [ResponseHead] = []

  public init(format: SourceFormat) { self.format = format }
}

/// The event a source stops inside: what there is of it, so that a conversion can end inside
/// it too, and the truncation stays visible.
public struct CutOffEvent: Sendable, Equatable {
  /// Its name, when the source got as far as naming it.
  public var name: String?
  /// Its payload as far as the source holds it, in the source's syntax (for JSONL, the whole
  /// line); empty when the source stops before the payload.
  public var text: [UInt8]
  /// The line where it starts.
  public var line: Int
  /// True when the reader also kept it as an event (with no data, or as `__unparsed__` text).
  public var isKept: Bool

  public init(name: String?, text: [UInt8], line: Int, isKept: Bool) {
    self.name = name
    self.text = text
    self.line = line
    self.isKept = isKept
  }
}

/// The syntax a saved stream is written in.
public enum SourceFormat: Sendable, Equatable, CustomStringConvertible {
  /// Raw Server-Sent Events as `curl -N` saved them.
  case sse
  /// One `{"event": …, "data": …}` object per line.
  case jsonl
  /// A header line per event followed by its payload; the dialect says whose printout it is.
  case transcript(TranscriptDialect)

  /// The name stored in `sources.format`: `sse`, `jsonl` or `transcript:<dialect>`.
  public var description: String {
    switch self {
    case .sse: "sse"
    case .jsonl: "jsonl"
    case .transcript(let dialect): "transcript:\(dialect.rawValue)"
    }
  }
}

/// Whose printout a transcript is, as far as lganalyze can tell from its text.
public enum TranscriptDialect: String, Sendable, CaseIterable {
  /// The streaming guide's `sed | awk` pipeline: `Receiving event of type: X...` + compact JSON.
  case awk
  /// The Python SDK loop printing `chunk.data`: Python reprs.
  case python
  /// The same loop printing `json.dumps(data, indent=2)`: JSON over many lines.
  case prettyJSON = "pretty-json"
  /// Node's `console.log(chunk.data)`: JS object literals, nested parts elided.
  case javascript
  /// A header or payload syntax that varies within the file.
  case mixed
}
