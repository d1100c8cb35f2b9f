// SourceStreamer reads a saved stream block by block, so that a file of any size is read in
// bounded memory: it keeps the bytes after the last complete event of what it was fed, hands
// every complete event to the format's reader, and carries the reader's state (line numbers, the
// sticky SSE id, the transcript dialects seen) from one piece to the next.
//
// Where an event ends depends on the format:
//
//   sse         after an empty line            event: …\r\ndata: …\r\n\r\n|
//   jsonl       after a line break             {"event": …}\n|
//   transcript  where a header line starts     |Receiving event of type: X...
//
// A CR at the very end of what was fed is never taken as a line end: its LF may come with the
// next block. An event longer than a block simply waits in the buffer until it is whole.

/// Reads a saved stream piece by piece.
public struct SourceStreamer {
  /// The reader the stream is read with.
  public let kind: FormatKind
  /// Everything read so far but the events: format, issues, header facts.
  public private(set) var parsed: ParsedSource
  private var buffer: [UInt8] = []
  /// Offsets below this were searched for an event boundary already, without success.
  private var searchedUpTo = 0
  private var sseState = SSEReader.State()
  private var transcriptState = TranscriptReader.State()
  private var nextJSONLLine = 1

  public init(kind: FormatKind) {
    self.kind = kind
    switch kind {
    case .sse: parsed = ParsedSource(format: .sse)
    case .jsonl: parsed = ParsedSource(format: .jsonl)
    case .transcript: parsed = ParsedSource(format: .transcript(.awk))
    }
  }

  /// Adds a block of the stream; returns the events it completed.
  public mutating func feed(_ block: [UInt8]) -> [SourceEvent] {
    buffer.append(contentsOf: block)
    let boundary = Self.lastBoundary(in: buffer, from: searchedUpTo, kind: kind)
    guard boundary > 0 else {
      // A boundary may still straddle the junction with the next block: look a little back.
      searchedUpTo = max(0, buffer.count - 4)
      return []
    }
    read(0..<boundary, isFinal: false)
    buffer.removeFirst(boundary)
    searchedUpTo = 0
    return drainEvents()
  }

  /// Ends the stream; returns the events that remained, the last one possibly cut off.
  public mutating func finish() -> [SourceEvent] {
    if !buffer.isEmpty { read(0..<buffer.count, isFinal: true) }
    buffer = []
    return drainEvents()
  }

  private mutating func drainEvents() -> [SourceEvent] {
    let events = parsed.events
    parsed.events.removeAll(keepingCapacity: true)
    return events
  }

  private mutating func read(_ range: Range<Int>, isFinal: Bool) {
    switch kind {
    case .sse:
      SSEReader.parse(buffer, range: range, state: &sseState, isFinal: isFinal, into: &parsed)
    case .jsonl:
      JSONLReader.parse(buffer, range: range, nextLine: &nextJSONLLine, into: &parsed)
    case .transcript:
      TranscriptReader.parse(
        buffer, range: range, state: &transcriptState, isFinal: isFinal, into: &parsed)
    }
  }

  // MARK: - Event boundaries

  /// The offset just past the last complete event in `bytes`, looking no further back than
  /// `floor`; 0 when there is none.
  static func lastBoundary(in bytes: [UInt8], from floor: Int, kind: FormatKind) -> Int {
    var index = bytes.count - 1
    while index >= floor {
      let byte = bytes[index]
      if byte == .lf || byte == .cr {
        // A CR at the end may be the first half of a CRLF; one followed by LF is handled there.
        let isLineEnd =
          byte == .lf || (index + 1 < bytes.count && bytes[index + 1] != .lf)
        if isLineEnd {
          let breakStart = (byte == .lf && index > 0 && bytes[index - 1] == .cr) ? index - 1 : index
          switch kind {
          case .jsonl:
            return index + 1
          case .sse:
            // The line that ends here is empty when a break (or the buffer start) precedes it.
            if breakStart == 0 || bytes[breakStart - 1] == .lf || bytes[breakStart - 1] == .cr {
              return index + 1
            }
          case .transcript:
            // The line that starts after this break: is it a whole header line?
            if let headerEnd = lineEnd(in: bytes, from: index + 1),
              TranscriptReader.eventName(inHeader: bytes, range: (index + 1)..<headerEnd) != nil
            {
              return index + 1
            }
          }
        }
      }
      index -= 1
    }
    return 0
  }

  /// Where the line starting at `start` ends, if its break is already in `bytes`.
  private static func lineEnd(in bytes: [UInt8], from start: Int) -> Int? {
    guard start < bytes.count else { return nil }
    return LineBreakFinder.firstLineBreak(in: bytes, range: start..<bytes.count)
  }
}
