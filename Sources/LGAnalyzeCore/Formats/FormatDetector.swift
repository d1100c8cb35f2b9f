/// The kind of reader a source needs, before it is read.
public enum FormatKind: String, Sendable, CaseIterable {
  case sse, jsonl, transcript

  /// The reader for what `lganalyze convert` wrote in `format`.
  public init(_ format: CaptureFormat) {
    switch format {
    case .sse: self = .sse
    case .jsonl: self = .jsonl
    case .transcript: self = .transcript
    }
  }
}

/// Tells from a source's first lines which syntax it is in.
///
/// Content decides, not the file name: people save SSE as `.txt` and transcripts as `.log`. The
/// file extension only breaks a tie when the first lines say nothing (a file of blank lines).
public enum FormatDetector {
  /// How many lines are looked at before giving up.
  static let linesToExamine = 64

  /// The format of `bytes`, or nil when they do not look like any saved stream.
  public static func detect(_ bytes: [UInt8], fileName: String? = nil) -> FormatKind? {
    if SSEReader.startsWithHTTPHead(bytes[...]) { return .sse }
    var examined = 0
    for line in LineReader(bytes: bytes) {
      let text = bytes[line.content]
      guard let first = text.first(where: { !$0.isLiteralWhitespace }) else { continue }
      examined += 1
      if examined > linesToExamine { break }
      if TranscriptReader.eventName(inHeader: bytes, range: line.content) != nil {
        return .transcript
      }
      if first == .colon && text.first == .colon { return .sse }
      for field in ["event:", "data:", "id:", "retry:"] where text.starts(with: field.utf8) {
        return .sse
      }
      if first == .openBrace, examined == 1, containsEventKey(text) { return .jsonl }
      // curl --raw: a chunk-size line in hexadecimal before the first event.
      if examined == 1, text.allSatisfy({ $0.hexDigitValue != nil }) { continue }
      if examined == 1, first != .openBrace { break }
    }
    guard let fileName else { return nil }
    if fileName.hasSuffix(".sse") { return .sse }
    if fileName.hasSuffix(".jsonl") || fileName.hasSuffix(".ndjson") { return .jsonl }
    return nil
  }

  private static func containsEventKey(_ text: ArraySlice<UInt8>) -> Bool {
    let key = Array("\"event\"".utf8)
    guard text.count >= key.count else { return false }
    var index = text.startIndex
    while index + key.count <= text.endIndex {
      if text[index] == .quote, text[index..<index + key.count].elementsEqual(key) { return true }
      index += 1
    }
    return false
  }

  /// Reads `bytes` with the reader for `kind`.
  public static func read(_ bytes: [UInt8], as kind: FormatKind) -> ParsedSource {
    switch kind {
    case .sse: SSEReader.parse(bytes)
    case .jsonl: JSONLReader.parse(bytes)
    case .transcript: TranscriptReader.parse(bytes)
    }
  }
}
