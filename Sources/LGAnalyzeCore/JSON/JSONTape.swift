// JSONTape is the structural index of one JSON document: one validating pass over the bytes
// records every value as a fixed-size entry, and nothing is decoded until someone asks.
//
// Each entry is four Int32s: kind (with a flag for strings that contain escapes), the byte
// offset where the value starts, the offset just past its end, and the index of the entry that
// follows the value's whole subtree. Containers are followed by their children; an object's
// children alternate key, value. For `{"a":[1,2],"b":"x"}`:
//
//   entry  kind    start end next        the text
//   0      object  0     19  6           {"a":[1,2],"b":"x"}
//   1      string  1     4   2           "a"
//   2      array   5     10  5           [1,2]
//   3      number  6     7   4           1
//   4      number  8     9   5           2
//   5      string  11    14  ...         "b"   (then entry 6, "x", and so on)
//
// The pass also decides whether the bytes are *canonical* — exactly what the LangGraph server's
// orjson would have written (no white space outside strings, no escapes but `\" \\ \b \f \n \r
// \t` and lowercase `\u00xx` for other control characters, valid UTF-8). Canonical payloads,
// which is every payload of a raw SSE capture, are stored as the bytes they arrived in.
//
// The builder is iterative, so deep nesting costs heap, not stack; it still refuses documents
// nested deeper than `maximumDepth`.

/// The structural index of one JSON document.
public struct JSONTape: Sendable {
  /// What an entry holds.
  public enum Kind: Int32, Sendable {
    case null = 0, `true`, `false`, number, string, array, object
  }

  static let stride = 4
  static let escapeFlag: Int32 = 0x100

  /// Four Int32s per entry: kind | flags, start, end, next.
  var storage: [Int32]
  /// True when the document's bytes are exactly what orjson would write for its value.
  public var isCanonical: Bool

  /// Entries in the tape.
  public var count: Int { storage.count / Self.stride }

  @inline(__always) func kind(_ entry: Int) -> Kind {
    Kind(rawValue: storage[entry &* Self.stride] & 0xFF) ?? .null
  }
  @inline(__always) func hasEscapes(_ entry: Int) -> Bool {
    storage[entry &* Self.stride] & Self.escapeFlag != 0
  }
  @inline(__always) func start(_ entry: Int) -> Int { Int(storage[entry &* Self.stride &+ 1]) }
  @inline(__always) func end(_ entry: Int) -> Int { Int(storage[entry &* Self.stride &+ 2]) }
  @inline(__always) func next(_ entry: Int) -> Int { Int(storage[entry &* Self.stride &+ 3]) }
}

/// Builds a JSONTape from bytes, validating them as strict JSON.
public enum JSONTapeBuilder {
  /// Containers nested deeper than this are refused.
  public static let maximumDepth = 512

  private enum State { case value, key, afterValue }

  /// Indexes `bytes[range]`, which must hold exactly one JSON value (white space around it is
  /// allowed but makes the document non-canonical). The first `envelopeDepth` levels (a JSONL
  /// line's object) do not count against `maximumDepth`.
  public static func build(
    _ bytes: [UInt8], range: Range<Int>, envelopeDepth: Int = 0
  ) throws(LiteralError) -> JSONTape {
    do {
      return try buildAbsolute(
        bytes, range: range, base: 0, canonicalOnly: false, envelopeDepth: envelopeDepth)
    } catch {
      // Offsets in errors count from the start of the document, not of the buffer.
      throw LiteralError(message: error.message, offset: error.offset - range.lowerBound)
    }
  }

  /// The tape of `bytes[range]`, with offsets counted from `range.lowerBound`, when those bytes
  /// are valid canonical JSON; nil otherwise. It gives up at the first non-canonical byte: most
  /// payloads that are not canonical (JSONL written by `json.dumps`, pretty transcripts) show
  /// it within their first few bytes, and indexing the rest would be wasted.
  static func buildIfCanonical(_ bytes: [UInt8], range: Range<Int>, envelopeDepth: Int = 0)
    -> JSONTape?
  {
    try? buildAbsolute(
      bytes, range: range, base: range.lowerBound, canonicalOnly: true,
      envelopeDepth: envelopeDepth)
  }

  /// Indexes `bytes[range]`; offsets in the tape count from `base` (those in errors from the
  /// start of `bytes`). With `canonicalOnly`, non-canonical bytes are an error.
  private static func buildAbsolute(
    _ bytes: [UInt8], range: Range<Int>, base: Int, canonicalOnly: Bool, envelopeDepth: Int
  ) throws(LiteralError) -> JSONTape {
    let depthLimit = maximumDepth + envelopeDepth
    guard range.upperBound <= Int(Int32.max) else {
      throw LiteralError(message: "the payload is larger than 2 GiB", offset: 0)
    }
    var storage: [Int32] = []
    // About one value per eight bytes of payload, four Int32s each: reserving that up front
    // spares the doublings that otherwise cost an allocation and a copy per payload.
    storage.reserveCapacity(max(64, range.count / 2))
    var canonical = true
    var containers: [Int] = []  // entry indexes of the open containers
    containers.reserveCapacity(16)
    let end = range.upperBound
    var index = range.lowerBound
    var state = State.value

    func fail(_ message: String) -> LiteralError {
      LiteralError(message: message, offset: index)
    }
    func append(_ kind: JSONTape.Kind, _ start: Int, _ stop: Int, flags: Int32 = 0) {
      let entry = storage.count / JSONTape.stride
      storage.append(kind.rawValue | flags)
      storage.append(Int32(truncatingIfNeeded: start &- base))
      storage.append(Int32(truncatingIfNeeded: stop &- base))
      storage.append(Int32(truncatingIfNeeded: entry + 1))
    }
    func skipWhitespace() throws(LiteralError) {
      while index < end, bytes[index].isLiteralWhitespace {
        index += 1
        canonical = false
        if canonicalOnly { throw fail("not canonical") }
      }
    }

    try skipWhitespace()
    loop: while true {
      switch state {
      case .value:
        guard index < end else { throw fail("the text ends where a value should start") }
        let byte = bytes[index]
        switch byte {
        case .openBrace, .openBracket:
          guard containers.count < depthLimit else {
            throw fail("values are nested deeper than \(maximumDepth) levels")
          }
          containers.append(storage.count / JSONTape.stride)
          append(byte == .openBrace ? .object : .array, index, index)
          index += 1
          try skipWhitespace()
          if index < end, bytes[index] == (byte == .openBrace ? .closeBrace : .closeBracket) {
            close(&storage, &containers, at: index, base: base)
            index += 1
            state = .afterValue
          } else {
            state = byte == .openBrace ? .key : .value
          }
          continue loop
        case .quote:
          let stringStart = index
          let (stop, escaped) = try scanString(bytes, from: index, end: end, canonical: &canonical)
          if canonicalOnly && !canonical { throw fail("not canonical") }
          index = stop
          append(.string, stringStart, stop, flags: escaped ? JSONTape.escapeFlag : 0)
        case .minus, UInt8.digitZero...UInt8.digitNine:
          let numberStart = index
          index = try scanNumber(bytes, from: index, end: end)
          append(.number, numberStart, index)
        case UInt8(ascii: "t"):
          try expectWord(bytes, trueBytes, at: index, end: end)
          append(.true, index, index + 4)
          index += 4
        case UInt8(ascii: "f"):
          try expectWord(bytes, falseBytes, at: index, end: end)
          append(.false, index, index + 5)
          index += 5
        case UInt8(ascii: "n"):
          try expectWord(bytes, nullBytes, at: index, end: end)
          append(.null, index, index + 4)
          index += 4
        default:
          throw fail("unexpected '\(Character(Unicode.Scalar(byte)))' where a value should start")
        }
        state = .afterValue

      case .key:
        try skipWhitespace()
        guard index < end, bytes[index] == .quote else { throw fail("expected a key") }
        let keyStart = index
        let (stop, escaped) = try scanString(bytes, from: index, end: end, canonical: &canonical)
        if canonicalOnly && !canonical { throw fail("not canonical") }
        index = stop
        append(.string, keyStart, stop, flags: escaped ? JSONTape.escapeFlag : 0)
        try skipWhitespace()
        guard index < end, bytes[index] == .colon else { throw fail("expected ':' after a key") }
        index += 1
        try skipWhitespace()
        state = .value

      case .afterValue:
        try skipWhitespace()
        guard let container = containers.last else { break loop }
        guard index < end else {
          throw fail("the text ends inside an \(storage[container * 4] == 6 ? "object" : "array")")
        }
        let isObject = storage[container * JSONTape.stride] == JSONTape.Kind.object.rawValue
        let byte = bytes[index]
        if byte == .comma {
          index += 1
          try skipWhitespace()
          state = isObject ? .key : .value
        } else if byte == (isObject ? .closeBrace : .closeBracket) {
          close(&storage, &containers, at: index, base: base)
          index += 1
        } else {
          throw fail(
            isObject ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
        }
      }
    }
    if index < end { throw fail("unexpected text after the value") }
    return JSONTape(storage: storage, isCanonical: canonical)
  }

  private static func close(
    _ storage: inout [Int32], _ containers: inout [Int], at index: Int, base: Int
  ) {
    let container = containers.removeLast()
    storage[container * JSONTape.stride + 2] = Int32(truncatingIfNeeded: index + 1 - base)
    storage[container * JSONTape.stride + 3] = Int32(
      truncatingIfNeeded: storage.count / JSONTape.stride)
  }

  /// Scans a string whose opening quote is at `start`; returns the offset past its closing
  /// quote and whether it contains escapes.
  static func scanString(
    _ bytes: [UInt8], from start: Int, end: Int, canonical: inout Bool
  ) throws(LiteralError) -> (Int, Bool) {
    var index = start + 1
    var escaped = false
    while true {
      index = StringByteFinder.firstSpecialByte(in: bytes, range: index..<end)
      guard index < end else {
        throw LiteralError(message: "the text ends inside a string", offset: index)
      }
      let byte = bytes[index]
      if byte == .quote { return (index + 1, escaped) }
      if byte == .backslash {
        escaped = true
        guard index + 1 < end else {
          throw LiteralError(message: "the text ends inside an escape", offset: index)
        }
        switch bytes[index + 1] {
        case .quote, .backslash, UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
          UInt8(ascii: "r"), UInt8(ascii: "t"):
          index += 2
        case UInt8(ascii: "/"):
          canonical = false
          index += 2
        case UInt8(ascii: "u"):
          guard index + 6 <= end else {
            throw LiteralError(message: "the text ends inside an escape", offset: index)
          }
          var value: UInt32 = 0
          var lowercase = true
          for offset in 2..<6 {
            guard let digit = bytes[index + offset].hexDigitValue else {
              throw LiteralError(message: "malformed \\u escape", offset: index)
            }
            if bytes[index + offset] >= UInt8(ascii: "A")
              && bytes[index + offset] <= UInt8(ascii: "F")
            {
              lowercase = false
            }
            value = value << 4 | digit
          }
          // orjson escapes only control characters, and those with a short form it writes short.
          if value >= 0x20 || !lowercase || [0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(value) {
            canonical = false
          }
          index += 6
        default:
          throw LiteralError(message: "unknown escape in a string", offset: index)
        }
      } else if byte < 0x20 {
        throw LiteralError(message: "a raw control character inside a string", offset: index)
      } else {
        // A multi-byte UTF-8 character: invalid sequences are read (as U+FFFD) but are not
        // canonical, so they are rewritten on the way in.
        if let length = utf8SequenceLength(bytes, at: index, end: end) {
          index += length
        } else {
          canonical = false
          index += 1
        }
      }
    }
  }

  /// The length of the valid UTF-8 sequence starting at `index`, or nil.
  static func utf8SequenceLength(_ bytes: [UInt8], at index: Int, end: Int) -> Int? {
    let lead = bytes[index]
    let length: Int
    var low: UInt8 = 0x80
    var high: UInt8 = 0xBF
    switch lead {
    case 0xC2...0xDF: length = 2
    case 0xE0: length = 3; low = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: length = 3
    case 0xED: length = 3; high = 0x9F
    case 0xF0: length = 4; low = 0x90
    case 0xF1...0xF3: length = 4
    case 0xF4: length = 4; high = 0x8F
    default: return nil
    }
    guard index + length <= end else { return nil }
    let second = bytes[index + 1]
    guard second >= low && second <= high else { return nil }
    for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return nil }
    return length
  }

  private static func scanNumber(_ bytes: [UInt8], from start: Int, end: Int) throws(LiteralError)
    -> Int
  {
    var index = start
    if bytes[index] == .minus { index += 1 }
    guard index < end, bytes[index].isDigit else {
      throw LiteralError(message: "malformed number", offset: start)
    }
    if bytes[index] == .digitZero {
      index += 1
    } else {
      while index < end, bytes[index].isDigit { index += 1 }
    }
    if index < end, bytes[index] == .dot {
      index += 1
      guard index < end, bytes[index].isDigit else {
        throw LiteralError(message: "malformed number", offset: start)
      }
      while index < end, bytes[index].isDigit { index += 1 }
    }
    if index < end, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      index += 1
      if index < end, bytes[index] == .plus || bytes[index] == .minus { index += 1 }
      guard index < end, bytes[index].isDigit else {
        throw LiteralError(message: "malformed number", offset: start)
      }
      while index < end, bytes[index].isDigit { index += 1 }
    }
    return index
  }

  private static let trueBytes = Array("true".utf8)
  private static let falseBytes = Array("false".utf8)
  private static let nullBytes = Array("null".utf8)

  private static func expectWord(_ bytes: [UInt8], _ word: [UInt8], at index: Int, end: Int)
    throws(LiteralError)
  {
    guard index + word.count <= end, bytes[index..<index + word.count].elementsEqual(word) else {
      throw LiteralError(message: "unknown word", offset: index)
    }
  }
}
