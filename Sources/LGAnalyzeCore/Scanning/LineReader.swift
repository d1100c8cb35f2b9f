/// One line of a buffer: where its content lies and which line of the file it is.
public struct Line: Sendable, Equatable {
  /// The bytes of the line, without its line break.
  public var content: Range<Int>
  /// 1-based line number in the source.
  public var number: Int
  /// False for a last line that ended at the end of the buffer without a break.
  public var isTerminated: Bool
}

/// Splits a buffer into lines the way the SSE specification and langgraph_sdk's decoder do:
/// CRLF, LF and a lone CR each end a line, and nothing else does.
///
/// A UTF-8 byte order mark at the very start is skipped. The reader never copies bytes: it hands
/// out ranges into the buffer it was given.
public struct LineReader: IteratorProtocol, Sequence {
  private let bytes: [UInt8]
  private let end: Int
  private var position: Int
  private var lineNumber = 0

  /// Prepares to read the lines of `bytes[range]`; `firstLineNumber` is the number of its first
  /// line in the file (1 unless the range starts later in a file). A byte order mark is skipped
  /// when the range is the start of a file (`firstLineNumber` 1).
  public init(bytes: [UInt8], range: Range<Int>? = nil, firstLineNumber: Int = 1) {
    self.bytes = bytes
    let range = range ?? 0..<bytes.count
    self.end = range.upperBound
    var start = range.lowerBound
    if firstLineNumber == 1, range.count >= 3, bytes[start] == 0xEF, bytes[start + 1] == 0xBB,
      bytes[start + 2] == 0xBF
    {
      start += 3
    }
    self.position = start
    self.lineNumber = firstLineNumber - 1
  }

  /// The number of the last line returned (one less than the first before any).
  public var lastLineNumber: Int { lineNumber }

  /// The offset the next line starts at.
  public var offset: Int { position }

  public mutating func next() -> Line? {
    guard position < end else { return nil }
    lineNumber += 1
    let start = position
    guard let breakIndex = LineBreakFinder.firstLineBreak(in: bytes, range: start..<end) else {
      position = end
      return Line(content: start..<end, number: lineNumber, isTerminated: false)
    }
    position = breakIndex + 1
    if bytes[breakIndex] == .cr, position < end, bytes[position] == .lf { position += 1 }
    return Line(content: start..<breakIndex, number: lineNumber, isTerminated: true)
  }
}
