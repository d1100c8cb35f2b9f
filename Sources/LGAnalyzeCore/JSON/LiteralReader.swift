// LiteralReader turns the text of one payload into a JSONValue. Payloads reach lganalyze in three
// syntaxes, and all three share their structure (objects, arrays, strings, numbers, keywords),
// so one recursive-descent reader serves them, switching on a dialect only where they differ:
//
//   JSON        {"run_id":"01a2…","attempt":1}             curl, JSONL, awk and pretty transcripts
//   Python      {'run_id': '01a2…', 'attempt': 1, 'x': None}  the SDK loop's print(chunk.data)
//   JavaScript  { run_id: '01a2…', attempt: 1, x: [Object] }  Node's console.log (util.inspect)
//
// Python adds single-quoted strings with repr escapes (\xNN \uNNNN \UNNNNNNNN, octal), tuples,
// None/True/False and inf/nan. JavaScript adds unquoted keys, '…' "…" `…` strings, undefined, and
// the places where Node elided data: [Object], [Array], [Function: f], [Circular *1] and
// "... N more items". Elided parts become null and the reader records that it was lossy.
//
// Nesting deeper than `maximumDepth` is an error rather than a stack overflow.

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

/// Reads one value in a given dialect from a range of bytes.
public struct LiteralReader {
  /// Objects and arrays nested deeper than this are refused; the limit keeps recursion shallow.
  public static let maximumDepth = 512

  private let bytes: [UInt8]
  private let end: Int
  private let start: Int
  private let dialect: LiteralDialect
  private var index: Int
  private var depth = 0
  /// Set when a JavaScript rendering elided something (its data is incomplete).
  public private(set) var isLossy = false

  /// Prepares to read `bytes[range]` in `dialect`.
  public init(bytes: [UInt8], range: Range<Int>? = nil, dialect: LiteralDialect) {
    self.bytes = bytes
    let range = range ?? 0..<bytes.count
    self.start = range.lowerBound
    self.index = range.lowerBound
    self.end = range.upperBound
    self.dialect = dialect
  }

  /// Reads a whole document: one value with nothing but white space around it.
  public static func parse(
    _ bytes: [UInt8], range: Range<Int>? = nil, dialect: LiteralDialect = .json
  ) throws(LiteralError) -> (value: JSONValue, isLossy: Bool) {
    var reader = LiteralReader(bytes: bytes, range: range, dialect: dialect)
    let value = try reader.readDocument()
    return (value, reader.isLossy)
  }

  /// Reads a whole document: one value with nothing but white space around it.
  public mutating func readDocument() throws(LiteralError) -> JSONValue {
    let value = try readValue()
    skipWhitespace()
    if index < end { throw fail("unexpected text after the value") }
    return value
  }

  // MARK: - Values

  private mutating func readValue() throws(LiteralError) -> JSONValue {
    skipWhitespace()
    guard index < end else { throw fail("the text ends where a value should start") }
    let byte = bytes[index]
    switch byte {
    case .openBrace:
      return try readObject()
    case .openBracket:
      if dialect == .javascript, let elided = readElidedBracket() { return elided }
      return try readArray(closer: .closeBracket)
    case .openParen where dialect == .python:
      return try readArray(closer: .closeParen)
    case .quote:
      return .string(try readString())
    case .apostrophe where dialect != .json, .backtick where dialect == .javascript:
      var text = try readString()
      // Node splits long strings over lines as 'abc' +\n 'def'.
      while dialect == .javascript, consumeStringContinuation() { text += try readString() }
      return .string(text)
    case .minus, UInt8.digitZero...UInt8.digitNine:
      return try readNumberOrKeyword()
    case .dot where dialect == .javascript:
      if consumeMoreItems() { return .null }
      throw fail("unexpected '.'")
    default:
      return try readKeyword()
    }
  }

  private mutating func readObject() throws(LiteralError) -> JSONValue {
    try enterNesting()
    index += 1  // the opening brace
    var object = JSONObject()
    skipWhitespace()
    if index < end, bytes[index] == .closeBrace {
      index += 1
      depth -= 1
      return .object(object)
    }
    while true {
      skipWhitespace()
      guard index < end else { throw fail("the text ends inside an object") }
      // Node marks the end of a truncated object with "... N more items" as well.
      if dialect == .javascript, bytes[index] == .dot, consumeMoreItems() {
        isLossy = true
      } else {
        let key = try readKey()
        skipWhitespace()
        guard index < end, bytes[index] == .colon else { throw fail("expected ':' after a key") }
        index += 1
        object[key] = try readValue()
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
    return .object(object)
  }

  private mutating func readKey() throws(LiteralError) -> String {
    let byte = bytes[index]
    if byte == .quote || (dialect != .json && byte == .apostrophe) { return try readString() }
    if dialect == .javascript, byte.isIdentifierByte {
      let keyStart = index
      while index < end, bytes[index].isIdentifierByte { index += 1 }
      return String(decoding: bytes[keyStart..<index], as: UTF8.self)
    }
    if dialect == .python, byte == .minus || byte.isDigit {
      // Python dicts may have int keys; JSON turns them into strings as json.dumps does.
      guard case .number(let text) = try readNumberOrKeyword() else {
        throw fail("expected a key")
      }
      return text
    }
    throw fail("expected a key")
  }

  private mutating func readArray(closer: UInt8) throws(LiteralError) -> JSONValue {
    try enterNesting()
    index += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if index < end, bytes[index] == closer {
      index += 1
      depth -= 1
      return .array(elements)
    }
    while true {
      elements.append(try readValue())
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
    return .array(elements)
  }

  private mutating func enterNesting() throws(LiteralError) {
    depth += 1
    if depth > Self.maximumDepth {
      throw fail("values are nested deeper than \(Self.maximumDepth) levels")
    }
  }

  // MARK: - Strings

  /// Reads a quoted string whose opening quote is at `index`.
  private mutating func readString() throws(LiteralError) -> String {
    let quote = bytes[index]
    index += 1
    let contentStart = index
    // Fast path: no escapes before the closing quote.
    while index < end {
      let byte = bytes[index]
      if byte == quote {
        let text = String(decoding: bytes[contentStart..<index], as: UTF8.self)
        index += 1
        return text
      }
      if byte == .backslash { break }
      index += 1
    }
    var buffer = Array(bytes[contentStart..<index])
    while index < end {
      let byte = bytes[index]
      if byte == quote {
        index += 1
        return String(decoding: buffer, as: UTF8.self)
      }
      if byte == .backslash {
        try readEscape(into: &buffer)
      } else {
        buffer.append(byte)
        index += 1
      }
    }
    throw fail("the text ends inside a string")
  }

  private mutating func readEscape(into buffer: inout [UInt8]) throws(LiteralError) {
    let escapeStart = index
    index += 1
    guard index < end else { throw fail("the text ends inside an escape") }
    let letter = bytes[index]
    index += 1
    switch letter {
    case UInt8(ascii: "n"): buffer.append(.lf)
    case UInt8(ascii: "t"): buffer.append(.tab)
    case UInt8(ascii: "r"): buffer.append(.cr)
    case UInt8(ascii: "b"): buffer.append(0x08)
    case UInt8(ascii: "f"): buffer.append(0x0C)
    case UInt8(ascii: "v") where dialect != .json: buffer.append(0x0B)
    case UInt8(ascii: "a") where dialect == .python: buffer.append(0x07)
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
        appendScalar(value, to: &buffer)
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
        appendScalar(value, to: &buffer)
      }
    case UInt8(ascii: "x") where dialect != .json:
      appendScalar(try readHex(count: 2, escapeStart: escapeStart), to: &buffer)
    case UInt8(ascii: "U") where dialect == .python:
      appendScalar(try readHex(count: 8, escapeStart: escapeStart), to: &buffer)
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
      appendScalar(value, to: &buffer)
    case .lf where dialect != .json:
      break  // a line continuation
    case .quote, .backslash, UInt8(ascii: "/"):
      buffer.append(letter)
    case .apostrophe where dialect != .json, .backtick where dialect == .javascript:
      buffer.append(letter)
    default:
      if dialect == .json {
        throw fail("unknown escape '\\\(Unicode.Scalar(letter))'", at: escapeStart)
      }
      // Python keeps an unknown escape as it is: backslash and letter.
      buffer.append(.backslash)
      buffer.append(letter)
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

  /// Appends a code point as UTF-8; a lone surrogate or an out-of-range value becomes U+FFFD,
  /// which is what a UTF-8 text column can hold.
  private func appendScalar(_ value: UInt32, to buffer: inout [UInt8]) {
    let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
    buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
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

  private mutating func readNumberOrKeyword() throws(LiteralError) -> JSONValue {
    let numberStart = index
    if bytes[index] == .minus {
      index += 1
      // -inf (Python) and -Infinity (JavaScript) have no JSON form; orjson writes null.
      if index < end, !bytes[index].isDigit {
        let keyword = try readKeyword()
        if keyword == .null { return .null }
        throw fail("malformed number", at: numberStart)
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
    var text = String(decoding: bytes[numberStart..<index], as: UTF8.self)
    if dialect != .json {
      // Python writes 1e-07 and 5. is not JSON; "1." is normalised to "1.0".
      if text.hasSuffix(".") { text += "0" }
    } else if !Self.isJSONNumber(text) {
      throw fail("malformed number '\(text)'", at: numberStart)
    }
    return .number(text)
  }

  static func isJSONNumber(_ text: String) -> Bool {
    var utf8 = Array(text.utf8)[...]
    if utf8.first == .minus { utf8 = utf8.dropFirst() }
    guard let first = utf8.first, first.isDigit else { return false }
    if first == .digitZero, utf8.count > 1, utf8[utf8.startIndex + 1].isDigit { return false }
    var seenDot = false
    var seenExponent = false
    var previous = first
    for byte in utf8.dropFirst() {
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

  private mutating func readKeyword() throws(LiteralError) -> JSONValue {
    let wordStart = index
    while index < end, bytes[index].isIdentifierByte { index += 1 }
    let word = String(decoding: bytes[wordStart..<index], as: UTF8.self)
    switch (dialect, word) {
    case (_, "null") where dialect != .python: return .null
    case (_, "true") where dialect != .python: return .bool(true)
    case (_, "false") where dialect != .python: return .bool(false)
    case (.python, "None"): return .null
    case (.python, "True"): return .bool(true)
    case (.python, "False"): return .bool(false)
    case (.python, "inf"), (.python, "nan"): return .null
    case (.javascript, "undefined"), (.javascript, "NaN"), (.javascript, "Infinity"): return .null
    default:
      if word.isEmpty {
        throw fail("unexpected '\(Character(Unicode.Scalar(bytes[wordStart])))'", at: wordStart)
      }
      throw fail("unknown word '\(word.prefix(40))'", at: wordStart)
    }
  }

  // MARK: - Node's elisions

  /// Reads `[Object]`, `[Array]`, `[Function: f]`, `[Circular *1]`, … as null.
  private mutating func readElidedBracket() -> JSONValue? {
    var probe = index + 1
    guard probe < end, bytes[probe] >= UInt8(ascii: "A"), bytes[probe] <= UInt8(ascii: "Z") else {
      return nil
    }
    while probe < end, bytes[probe] != .closeBracket, bytes[probe] != .lf, probe - index < 200 {
      probe += 1
    }
    guard probe < end, bytes[probe] == .closeBracket else { return nil }
    index = probe + 1
    isLossy = true
    return .null
  }

  /// Consumes `... 12 more items` (or `more item`).
  private mutating func consumeMoreItems() -> Bool {
    let prefix = Array("... ".utf8)
    guard index + prefix.count <= end, Array(bytes[index..<index + prefix.count]) == prefix else {
      return false
    }
    var probe = index + prefix.count
    while probe < end, bytes[probe].isDigit { probe += 1 }
    for word in [" more items", " more item"] {
      let suffix = Array(word.utf8)
      if probe + suffix.count <= end, Array(bytes[probe..<probe + suffix.count]) == suffix {
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
