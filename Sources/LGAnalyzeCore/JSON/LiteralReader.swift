// LiteralReader rewrites the text of one payload as canonical JSON bytes. Payloads reach
// lganalyze in three syntaxes, and all three share their structure (objects, arrays, strings,
// numbers, keywords), so one recursive-descent grammar serves them, switching on a dialect only
// where they differ:
//
//   JSON        {"run_id": "01a2…", "attempt": 1}           JSONL, pretty transcripts
//   Python      {'run_id': '01a2…', 'attempt': 1, 'x': None}  the SDK loop's print(chunk.data)
//   JavaScript  { run_id: '01a2…', attempt: 1, x: [Object] }  Node's console.log (util.inspect)
//
// Python adds single-quoted strings with repr escapes (\xNN \uNNNN \UNNNNNNNN, octal), tuples,
// None/True/False and inf/nan. JavaScript adds unquoted keys, '…' "…" `…` strings, undefined, and
// the places where Node elided data: [Object], [Array], [Function: f], [Circular *1] and
// "... N more items". Elided parts become null and the reader records that it was lossy.
//
// The output is written directly — no value tree is built — in the form the LangGraph server's
// orjson writes (see CanonicalJSONWriter), so the same payload read from a transcript and from
// the SSE capture yields the same bytes. Nesting deeper than `maximumDepth` is an error rather
// than a stack overflow.

/// Which syntax a payload is written in.
public enum LiteralDialect: String, Sendable, CaseIterable {
  case json
  case python
  case javascript
}

/// Why a payload could not be read, and where in it.
public struct LiteralError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What was wrong, in words.
  public var message: String
  /// Byte offset of the problem from the start of the payload text.
  public var offset: Int

  public var description: String { "\(message) at byte \(offset)" }
}

/// Reads one value in a given dialect and writes it as canonical JSON.
public struct LiteralReader {
  /// Objects and arrays nested deeper than this are refused; the limit keeps recursion shallow.
  public static let maximumDepth = 512

  private let bytes: [UInt8]
  private let end: Int
  private let start: Int
  private let dialect: LiteralDialect
  private var index: Int
  private var depth = 0
  /// The deepest nesting allowed: `maximumDepth`, and the levels of an envelope around it.
  private let depthLimit: Int
  private var output: [UInt8] = []
  /// Set when a JavaScript rendering elided something (its data is incomplete).
  public private(set) var isLossy = false

  /// Prepares to read `bytes[range]` in `dialect`; the first `envelopeDepth` levels (a JSONL
  /// line's object) do not count against `maximumDepth`.
  public init(
    bytes: [UInt8], range: Range<Int>? = nil, dialect: LiteralDialect, envelopeDepth: Int = 0
  ) {
    self.bytes = bytes
    self.depthLimit = Self.maximumDepth + envelopeDepth
    let range = range ?? 0..<bytes.count
    self.start = range.lowerBound
    self.index = range.lowerBound
    self.end = range.upperBound
    self.dialect = dialect
    output.reserveCapacity(range.count)
  }

  /// Reads a whole document — one value with nothing but white space around it — into a value
  /// tree.
  public static func parse(
    _ bytes: [UInt8], range: Range<Int>? = nil, dialect: LiteralDialect = .json
  ) throws(LiteralError) -> (value: JSONValue, isLossy: Bool) {
    let (canonical, isLossy) = try transcode(bytes, range: range, dialect: dialect)
    let tape = try JSONTapeBuilder.build(canonical, range: 0..<canonical.count)
    let document = JSONDocument(canonicalBytes: canonical, tape: tape, isLossy: isLossy)
    return (document.value, isLossy)
  }

  /// Rewrites a whole document as canonical JSON bytes.
  public static func transcode(
    _ bytes: [UInt8], range: Range<Int>? = nil, dialect: LiteralDialect = .json,
    envelopeDepth: Int = 0
  ) throws(LiteralError) -> (bytes: [UInt8], isLossy: Bool) {
    var reader = LiteralReader(
      bytes: bytes, range: range, dialect: dialect, envelopeDepth: envelopeDepth)
    try reader.readValue()
    reader.skipWhitespace()
    if reader.index < reader.end { throw reader.fail("unexpected text after the value") }
    return (reader.output, reader.isLossy)
  }

  // MARK: - Values

  private mutating func readValue() throws(LiteralError) {
    skipWhitespace()
    guard index < end else { throw fail("the text ends where a value should start") }
    let byte = bytes[index]
    switch byte {
    case .openBrace:
      try readObject()
    case .openBracket:
      if dialect == .javascript, readElidedBracket() {
        output.append(contentsOf: Self.nullBytes)
      } else {
        try readArray(closer: .closeBracket)
      }
    case .openParen where dialect == .python:
      try readArray(closer: .closeParen)
    case .quote:
      try readString()
    case .apostrophe where dialect != .json, .backtick where dialect == .javascript:
      try readString()
    case .minus, UInt8.digitZero...UInt8.digitNine:
      try readNumberOrKeyword()
    case .dot where dialect == .javascript:
      guard consumeMoreItems() else { throw fail("unexpected '.'") }
      output.append(contentsOf: Self.nullBytes)
    default:
      try readKeyword()
    }
  }

  private mutating func readObject() throws(LiteralError) {
    try enterNesting()
    index += 1  // the opening brace
    output.append(.openBrace)
    var wroteMember = false
    skipWhitespace()
    if index < end, bytes[index] == .closeBrace {
      index += 1
      depth -= 1
      output.append(.closeBrace)
      return
    }
    while true {
      skipWhitespace()
      guard index < end else { throw fail("the text ends inside an object") }
      // Node marks the end of a truncated object with "... N more items" as well.
      if dialect == .javascript, bytes[index] == .dot, consumeMoreItems() {
        isLossy = true
      } else {
        if wroteMember { output.append(.comma) }
        wroteMember = true
        try readKey()
        skipWhitespace()
        guard index < end, bytes[index] == .colon else { throw fail("expected ':' after a key") }
        index += 1
        output.append(.colon)
        try readValue()
      }
      skipWhitespace()
      guard index < end else { throw fail("the text ends inside an object") }
      if bytes[index] == .comma {
        index += 1
        skipWhitespace()
        // A trailing comma is a Python and JavaScript habit; JSON forbids it.
        if dialect != .json, index < end, bytes[index] == .closeBrace {
          index += 1
          break
        }
        continue
      }
      if bytes[index] == .closeBrace {
        index += 1
        break
      }
      throw fail("expected ',' or '}' in an object")
    }
    depth -= 1
    output.append(.closeBrace)
  }

  private mutating func readKey() throws(LiteralError) {
    let byte = bytes[index]
    if byte == .quote || (dialect != .json && byte == .apostrophe) {
      try readString()
      return
    }
    if dialect == .javascript, byte.isIdentifierByte {
      let keyStart = index
      while index < end, bytes[index].isIdentifierByte { index += 1 }
      writeStringBytes(keyStart..<index)
      return
    }
    if dialect == .python, byte == .minus || byte.isDigit {
      // Python dicts may have int keys; they become strings, as json.dumps makes them.
      output.append(.quote)
      try readNumberOrKeyword()
      output.append(.quote)
      return
    }
    throw fail("expected a key")
  }

  private mutating func readArray(closer: UInt8) throws(LiteralError) {
    try enterNesting()
    index += 1
    output.append(.openBracket)
    skipWhitespace()
    if index < end, bytes[index] == closer {
      index += 1
      depth -= 1
      output.append(.closeBracket)
      return
    }
    var first = true
    while true {
      if !first { output.append(.comma) }
      first = false
      try readValue()
      skipWhitespace()
      guard index < end else { throw fail("the text ends inside an array") }
      if bytes[index] == .comma {
        index += 1
        skipWhitespace()
        if dialect != .json, index < end, bytes[index] == closer {
          index += 1
          break
        }
        continue
      }
      if bytes[index] == closer {
        index += 1
        break
      }
      throw fail("expected ',' or '\(Character(Unicode.Scalar(closer)))' in an array")
    }
    depth -= 1
    output.append(.closeBracket)
  }

  private mutating func enterNesting() throws(LiteralError) {
    depth += 1
    if depth > depthLimit {
      throw fail("values are nested deeper than \(Self.maximumDepth) levels")
    }
  }

  // MARK: - Strings

  /// Reads a quoted string whose opening quote is at `index` (and, for JavaScript, any
  /// `'…' + '…'` continuation) and writes it as one canonical JSON string.
  private mutating func readString() throws(LiteralError) {
    output.append(.quote)
    try readStringContent()
    while dialect == .javascript, consumeStringContinuation() { try readStringContent() }
    output.append(.quote)
  }

  private mutating func readStringContent() throws(LiteralError) {
    let quote = bytes[index]
    index += 1
    while true {
      // Copy the run of plain ASCII up to the next byte that needs a decision.
      let special = StringByteFinder.firstSpecialByte(
        in: bytes, range: index..<end, delimiter: quote)
      if special > index { TextBytes.append(bytes, range: index..<special, to: &output) }
      index = special
      guard index < end else { throw fail("the text ends inside a string") }
      let byte = bytes[index]
      if byte == quote {
        index += 1
        return
      }
      switch byte {
      case .backslash:
        try readEscape()
      case .quote:
        output.append(contentsOf: [.backslash, .quote])
        index += 1
      case 0x80...:
        if let length = JSONTapeBuilder.utf8SequenceLength(bytes, at: index, end: end) {
          TextBytes.append(bytes, range: index..<(index + length), to: &output)
          index += length
        } else {
          output.append(contentsOf: Self.replacementCharacter)
          index += 1
        }
      default:
        // A raw control byte: strict JSON forbids it, but it is kept, escaped.
        appendScalar(UInt32(byte))
        index += 1
      }
    }
  }

  private mutating func readEscape() throws(LiteralError) {
    let escapeStart = index
    index += 1
    guard index < end else { throw fail("the text ends inside an escape") }
    let letter = bytes[index]
    index += 1
    switch letter {
    case UInt8(ascii: "n"): appendScalar(0x0A)
    case UInt8(ascii: "t"): appendScalar(0x09)
    case UInt8(ascii: "r"): appendScalar(0x0D)
    case UInt8(ascii: "b"): appendScalar(0x08)
    case UInt8(ascii: "f"): appendScalar(0x0C)
    case UInt8(ascii: "v") where dialect != .json: appendScalar(0x0B)
    case UInt8(ascii: "a") where dialect == .python: appendScalar(0x07)
    case UInt8(ascii: "u"):
      if dialect == .javascript, index < end, bytes[index] == .openBrace {
        index += 1
        var value: UInt32 = 0
        var digits = 0
        while index < end, let digit = bytes[index].hexDigitValue, digits < 8 {
          value = value &* 16 &+ digit
          index += 1
          digits += 1
        }
        guard index < end, bytes[index] == .closeBrace, digits > 0 else {
          throw fail("malformed \\u{…} escape", at: escapeStart)
        }
        index += 1
        appendScalar(value)
      } else {
        var value = try readHex(count: 4, escapeStart: escapeStart)
        // A UTF-16 surrogate pair is written as two \u escapes.
        if (0xD800...0xDBFF).contains(value), index + 6 <= end, bytes[index] == .backslash,
          bytes[index + 1] == UInt8(ascii: "u")
        {
          let save = index
          index += 2
          let low = try readHex(count: 4, escapeStart: save)
          if (0xDC00...0xDFFF).contains(low) {
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
          } else {
            index = save
          }
        }
        appendScalar(value)
      }
    case UInt8(ascii: "x") where dialect != .json:
      appendScalar(try readHex(count: 2, escapeStart: escapeStart))
    case UInt8(ascii: "U") where dialect == .python:
      appendScalar(try readHex(count: 8, escapeStart: escapeStart))
    case UInt8(ascii: "0")...UInt8(ascii: "7") where dialect != .json:
      // Python octal escapes take up to three digits; JavaScript only knows \0.
      var value = UInt32(letter - .digitZero)
      var digits = 1
      while dialect == .python, digits < 3, index < end, bytes[index] >= .digitZero,
        bytes[index] <= UInt8(ascii: "7")
      {
        value = value * 8 + UInt32(bytes[index] - .digitZero)
        index += 1
        digits += 1
      }
      appendScalar(value)
    case .lf where dialect != .json:
      break  // a line continuation
    case .quote, .backslash, UInt8(ascii: "/"):
      appendScalar(UInt32(letter))
    case .apostrophe where dialect != .json, .backtick where dialect == .javascript:
      appendScalar(UInt32(letter))
    default:
      if dialect == .json {
        throw fail("unknown escape '\\\(Unicode.Scalar(letter))'", at: escapeStart)
      }
      // Python keeps an unknown escape as it is: backslash and letter.
      output.append(contentsOf: [.backslash, .backslash])
      appendScalar(UInt32(letter))
    }
  }

  private mutating func readHex(count: Int, escapeStart: Int) throws(LiteralError) -> UInt32 {
    guard index + count <= end else {
      throw fail("the text ends inside an escape", at: escapeStart)
    }
    var value: UInt32 = 0
    for _ in 0..<count {
      guard let digit = bytes[index].hexDigitValue else {
        throw fail("malformed hexadecimal escape", at: escapeStart)
      }
      value = value &* 16 &+ digit
      index += 1
    }
    return value
  }

  private static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]
  private static let hexDigits = Array("0123456789abcdef".utf8)
  private static let nullBytes = Array("null".utf8)

  /// Appends a code point the way orjson writes it inside a string: `"` and `\` escaped,
  /// control characters as `\b \t \n \f \r` or `\u00xx`, everything else as UTF-8. A lone
  /// surrogate or an out-of-range value becomes U+FFFD.
  private mutating func appendScalar(_ value: UInt32) {
    switch value {
    case 0x22: output.append(contentsOf: [.backslash, .quote])
    case 0x5C: output.append(contentsOf: [.backslash, .backslash])
    case 0x0A: output.append(contentsOf: [.backslash, UInt8(ascii: "n")])
    case 0x0D: output.append(contentsOf: [.backslash, UInt8(ascii: "r")])
    case 0x09: output.append(contentsOf: [.backslash, UInt8(ascii: "t")])
    case 0x08: output.append(contentsOf: [.backslash, UInt8(ascii: "b")])
    case 0x0C: output.append(contentsOf: [.backslash, UInt8(ascii: "f")])
    case 0..<0x20:
      output.append(contentsOf: [.backslash, UInt8(ascii: "u"), .digitZero, .digitZero])
      output.append(Self.hexDigits[Int(value >> 4)])
      output.append(Self.hexDigits[Int(value & 0x0F)])
    case 0x20..<0x80:
      output.append(UInt8(value))
    default:
      guard let scalar = Unicode.Scalar(value) else {
        output.append(contentsOf: Self.replacementCharacter)
        return
      }
      output.append(contentsOf: UTF8.encode(scalar) ?? .init(Self.replacementCharacter[...]))
    }
  }

  /// Writes `bytes[range]` (an identifier: no quotes or control bytes) as a JSON string.
  private mutating func writeStringBytes(_ range: Range<Int>) {
    output.append(.quote)
    TextBytes.append(bytes, range: range, to: &output)
    output.append(.quote)
  }

  /// After a JavaScript string: consumes ` +` and the white space before the next string part.
  private mutating func consumeStringContinuation() -> Bool {
    var probe = index
    while probe < end, bytes[probe].isLiteralWhitespace { probe += 1 }
    guard probe < end, bytes[probe] == .plus else { return false }
    probe += 1
    while probe < end, bytes[probe].isLiteralWhitespace { probe += 1 }
    guard probe < end,
      bytes[probe] == .apostrophe || bytes[probe] == .quote || bytes[probe] == .backtick
    else { return false }
    index = probe
    return true
  }

  // MARK: - Numbers and keywords

  private mutating func readNumberOrKeyword() throws(LiteralError) {
    let numberStart = index
    if bytes[index] == .minus {
      index += 1
      // -inf (Python) and -Infinity (JavaScript) have no JSON form; orjson writes null.
      if index < end, !bytes[index].isDigit {
        guard dialect != .json else { throw fail("malformed number", at: numberStart) }
        let mark = output.count
        try readKeyword()
        guard output[mark...].elementsEqual(Self.nullBytes) else {
          throw fail("malformed number", at: numberStart)
        }
        return
      }
    }
    var sawDigit = false
    while index < end {
      let byte = bytes[index]
      if byte.isDigit {
        sawDigit = true
      } else if byte == .dot || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        || ((byte == .plus || byte == .minus)
          && (bytes[index - 1] == UInt8(ascii: "e") || bytes[index - 1] == UInt8(ascii: "E")))
      {
        // part of a fraction or exponent
      } else {
        break
      }
      index += 1
    }
    guard sawDigit else { throw fail("malformed number", at: numberStart) }
    let text = bytes[numberStart..<index]
    if dialect == .json, !Self.isJSONNumber(text) {
      throw fail("malformed number '\(String(decoding: text, as: UTF8.self))'", at: numberStart)
    }
    output.append(contentsOf: text)
    // Python writes "5." for some floats; JSON needs a digit after the point.
    if text.last == .dot { output.append(.digitZero) }
  }

  static func isJSONNumber(_ text: ArraySlice<UInt8>) -> Bool {
    var digits = text
    if digits.first == .minus { digits = digits.dropFirst() }
    guard let first = digits.first, first.isDigit else { return false }
    if first == .digitZero, digits.count > 1, digits[digits.startIndex + 1].isDigit {
      return false
    }
    var seenDot = false
    var seenExponent = false
    var previous = first
    for byte in digits.dropFirst() {
      switch byte {
      case UInt8.digitZero...UInt8.digitNine: break
      case .dot where !seenDot && !seenExponent && previous.isDigit: seenDot = true
      case UInt8(ascii: "e"), UInt8(ascii: "E"):
        if seenExponent || !previous.isDigit { return false }
        seenExponent = true
      case .plus, .minus:
        if previous != UInt8(ascii: "e") && previous != UInt8(ascii: "E") { return false }
      default: return false
      }
      previous = byte
    }
    return previous.isDigit
  }

  private mutating func readKeyword() throws(LiteralError) {
    let wordStart = index
    while index < end, bytes[index].isIdentifierByte { index += 1 }
    let word = String(decoding: bytes[wordStart..<index], as: UTF8.self)
    let canonical: String
    switch (dialect, word) {
    case (.json, "null"), (.javascript, "null"), (.python, "None"): canonical = "null"
    case (.json, "true"), (.javascript, "true"), (.python, "True"): canonical = "true"
    case (.json, "false"), (.javascript, "false"), (.python, "False"): canonical = "false"
    case (.python, "inf"), (.python, "nan"): canonical = "null"
    case (.javascript, "undefined"), (.javascript, "NaN"), (.javascript, "Infinity"):
      canonical = "null"
    default:
      if word.isEmpty {
        throw fail("unexpected '\(Character(Unicode.Scalar(bytes[wordStart])))'", at: wordStart)
      }
      throw fail("unknown word '\(word.prefix(40))'", at: wordStart)
    }
    output.append(contentsOf: canonical.utf8)
  }

  // MARK: - Node's elisions

  /// Consumes `[Object]`, `[Array]`, `[Function: f]`, `[Circular *1]`, … (read as null).
  private mutating func readElidedBracket() -> Bool {
    var probe = index + 1
    guard probe < end, bytes[probe] >= UInt8(ascii: "A"), bytes[probe] <= UInt8(ascii: "Z") else {
      return false
    }
    while probe < end, bytes[probe] != .closeBracket, bytes[probe] != .lf, probe - index < 200 {
      probe += 1
    }
    guard probe < end, bytes[probe] == .closeBracket else { return false }
    index = probe + 1
    isLossy = true
    return true
  }

  /// Consumes `... 12 more items` (or `more item`).
  private mutating func consumeMoreItems() -> Bool {
    let prefix = Array("... ".utf8)
    guard index + prefix.count <= end, bytes[index..<index + prefix.count].elementsEqual(prefix)
    else { return false }
    var probe = index + prefix.count
    while probe < end, bytes[probe].isDigit { probe += 1 }
    for word in [" more items", " more item"] {
      let suffix = Array(word.utf8)
      if probe + suffix.count <= end, bytes[probe..<probe + suffix.count].elementsEqual(suffix) {
        index = probe + suffix.count
        isLossy = true
        return true
      }
    }
    return false
  }

  // MARK: - Helpers

  private mutating func skipWhitespace() {
    while index < end, bytes[index].isLiteralWhitespace { index += 1 }
    // Node prefixes a value that is referenced again with <ref *1>.
    if dialect == .javascript, index + 5 < end, bytes[index] == UInt8(ascii: "<"),
      bytes[index + 1] == UInt8(ascii: "r")
    {
      var probe = index
      while probe < end, bytes[probe] != UInt8(ascii: ">") { probe += 1 }
      if probe < end {
        index = probe + 1
        while index < end, bytes[index].isLiteralWhitespace { index += 1 }
      }
    }
  }

  private func fail(_ message: String, at offset: Int? = nil) -> LiteralError {
    LiteralError(message: message, offset: (offset ?? index) - start)
  }
}
