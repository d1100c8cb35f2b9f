/// One payload as canonical JSON bytes with its structural tape: the form every event's data
/// takes inside lganalyze, whatever syntax the source wrote it in.
///
/// Reading a payload is two stages. The tape builder validates the bytes and indexes their
/// structure in one pass; then reassembly asks for the few values it needs through `JSONNode`
/// (a routing key, a message id, the content of a chunk), and only those are decoded. When the
/// source bytes are already canonical — every payload of a raw SSE capture — they are kept as
/// they are and stored without being rewritten.
public struct JSONDocument: Sendable {
  /// The bytes and tape, shared by every node of the document: copying a node then costs one
  /// reference count, which matters on the hot path where nodes are made per lookup.
  final class Storage: Sendable {
    let bytes: [UInt8]
    let tape: JSONTape
    let isLossy: Bool

    init(bytes: [UInt8], tape: JSONTape, isLossy: Bool) {
      self.bytes = bytes
      self.tape = tape
      self.isLossy = isLossy
    }
  }

  let storage: Storage

  /// The canonical JSON bytes of the payload.
  public var bytes: [UInt8] { storage.bytes }
  var tape: JSONTape { storage.tape }
  /// True when the source rendering elided parts of the payload (Node's `[Object]`).
  public var isLossy: Bool { storage.isLossy }

  /// Reads a payload written in `dialect` from `source[range]`. Canonical JSON is indexed in
  /// place; anything else (pretty JSON, a Python repr, a JS literal) is rewritten canonically
  /// first.
  /// - Parameter envelopeDepth: levels of an envelope around the payloads (a JSONL line's
  ///   object) that do not count against the nesting limit, which is the payloads'.
  public static func read(
    _ source: [UInt8], range: Range<Int>? = nil, dialect: LiteralDialect = .json,
    envelopeDepth: Int = 0
  ) throws(LiteralError) -> JSONDocument {
    let range = range ?? 0..<source.count
    if dialect == .json,
      let tape = JSONTapeBuilder.buildIfCanonical(
        source, range: range, envelopeDepth: envelopeDepth)
    {
      // Most payloads are canonical already: index them where they lie, then copy them out.
      let bytes = range == 0..<source.count ? source : Array(source[range])
      return JSONDocument(bytes: bytes, tape: tape, isLossy: false)
    }
    let (canonical, isLossy) = try LiteralReader.transcode(
      source, range: range, dialect: dialect, envelopeDepth: envelopeDepth)
    let tape = try JSONTapeBuilder.build(
      canonical, range: 0..<canonical.count, envelopeDepth: envelopeDepth)
    return JSONDocument(canonicalBytes: canonical, tape: tape, isLossy: isLossy)
  }

  /// The document of an already parsed value.
  public init(_ value: JSONValue, isLossy: Bool = false) {
    let bytes = CanonicalJSONWriter.bytes(value)
    // The writer's output is valid canonical JSON, so indexing it cannot fail; an empty tape
    // would only make every lookup answer nil.
    let tape =
      (try? JSONTapeBuilder.build(bytes, range: 0..<bytes.count))
      ?? JSONTape(storage: [], isCanonical: true)
    storage = Storage(bytes: bytes, tape: tape, isLossy: isLossy)
  }

  /// A document over bytes already known to be canonical, with their tape.
  init(canonicalBytes: [UInt8], tape: JSONTape, isLossy: Bool) {
    self.init(bytes: canonicalBytes, tape: tape, isLossy: isLossy)
  }

  private init(bytes: [UInt8], tape: JSONTape, isLossy: Bool) {
    storage = Storage(bytes: bytes, tape: tape, isLossy: isLossy)
  }

  fileprivate init(storage: Storage) {
    self.storage = storage
  }

  /// The document of one value inside this one, as `read` would make it of that value's bytes.
  ///
  /// When this document is canonical, so is every value in it, and the value's tape is a run of
  /// this tape with its offsets moved: copying that run spares indexing the bytes again.
  func document(of node: JSONNode) throws(LiteralError) -> JSONDocument {
    let range = node.byteRange
    guard tape.isCanonical, node.entry < tape.count else {
      return try Self.read(bytes, range: range, dialect: .json)
    }
    let first = node.entry
    let stop = tape.next(first)
    let offset = Int32(truncatingIfNeeded: range.lowerBound)
    let entryOffset = Int32(truncatingIfNeeded: first)
    var entries: [Int32] = []
    entries.reserveCapacity((stop - first) * JSONTape.stride)
    var position = first * JSONTape.stride
    let source = tape.storage
    while position < stop * JSONTape.stride {
      entries.append(source[position])
      entries.append(source[position + 1] &- offset)
      entries.append(source[position + 2] &- offset)
      entries.append(source[position + 3] &- entryOffset)
      position += JSONTape.stride
    }
    return JSONDocument(
      bytes: Array(bytes[range]), tape: JSONTape(storage: entries, isCanonical: true),
      isLossy: false)
  }

  /// The top-level value.
  public var root: JSONNode { JSONNode(document: storage, entry: 0) }

  /// The canonical JSON text.
  public var text: String { String(decoding: bytes, as: UTF8.self) }

  /// The whole payload as a value tree.
  public var value: JSONValue { root.value }
}

/// A value inside a JSONDocument, decoded only when asked.
public struct JSONNode: Sendable {
  let document: JSONDocument.Storage
  let entry: Int

  private var tape: JSONTape { document.tape }

  /// What the node holds; `.null` for a node of an empty tape.
  public var kind: JSONTape.Kind { entry < tape.count ? tape.kind(entry) : .null }

  public var isNull: Bool { kind == .null }

  /// The member named `key` when this is an object, else nil.
  public subscript(key: String) -> JSONNode? {
    // The tape and bytes are taken out of the shared storage once, not at every key compared:
    // each access through the class would cost a reference count.
    let tape = document.tape
    guard entry < tape.count, tape.kind(entry) == .object else { return nil }
    let bytes = document.bytes
    let keyLength = key.utf8.count
    // Keys of one length often share a prefix (`langgraph_node`, `langgraph_plan`), rarely a
    // last byte: checking that first spares most calls of the full comparison.
    let keyLast = key.utf8.last ?? 0
    var child = entry + 1
    let stop = tape.next(entry)
    while child < stop {
      let valueEntry = child + 1
      let contentStart = tape.start(child) + 1
      let contentEnd = tape.end(child) - 1
      if tape.hasEscapes(child) {
        if JSONNode(document: document, entry: child).stringValue == key {
          return JSONNode(document: document, entry: valueEntry)
        }
      } else if contentEnd - contentStart == keyLength,
        keyLength == 0 || bytes[contentEnd - 1] == keyLast,
        TextBytes.bytes(bytes, at: contentStart, equal: key)
      {
        return JSONNode(document: document, entry: valueEntry)
      }
      child = tape.next(valueEntry)
    }
    return nil
  }

  /// The string when this is a string, else nil.
  public var stringValue: String? {
    let tape = document.tape
    guard entry < tape.count, tape.kind(entry) == .string else { return nil }
    let start = tape.start(entry)
    let end = tape.end(entry)
    if !tape.hasEscapes(entry) {
      return TextBytes.string(document.bytes, range: (start + 1)..<(end - 1))
    }
    return Self.unescape(document.bytes, range: (start + 1)..<(end - 1))
  }

  /// Decodes the content of a validated JSON string (its escapes are well formed).
  static func unescape(_ bytes: [UInt8], range: Range<Int>) -> String {
    var decoded: [UInt8] = []
    decoded.reserveCapacity(range.count)
    var index = range.lowerBound
    func hex4(_ at: Int) -> UInt32 {
      var value: UInt32 = 0
      for offset in 0..<4 where at + offset < range.upperBound {
        value = value << 4 | (bytes[at + offset].hexDigitValue ?? 0)
      }
      return value
    }
    while index < range.upperBound {
      let byte = bytes[index]
      guard byte == .backslash, index + 1 < range.upperBound else {
        decoded.append(byte)
        index += 1
        continue
      }
      let letter = bytes[index + 1]
      index += 2
      switch letter {
      case UInt8(ascii: "n"): decoded.append(.lf)
      case UInt8(ascii: "t"): decoded.append(.tab)
      case UInt8(ascii: "r"): decoded.append(.cr)
      case UInt8(ascii: "b"): decoded.append(0x08)
      case UInt8(ascii: "f"): decoded.append(0x0C)
      case UInt8(ascii: "u"):
        var value = hex4(index)
        index += 4
        if (0xD800...0xDBFF).contains(value), index + 6 <= range.upperBound,
          bytes[index] == .backslash, bytes[index + 1] == UInt8(ascii: "u")
        {
          let low = hex4(index + 2)
          if (0xDC00...0xDFFF).contains(low) {
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            index += 6
          }
        }
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        decoded.append(contentsOf: UTF8.encode(scalar) ?? .init([0xEF, 0xBF, 0xBD][...]))
      default: decoded.append(letter)
      }
    }
    return String(decoding: decoded, as: UTF8.self)
  }

  /// The number as an integer when it is one, else nil.
  public var intValue: Int? {
    guard kind == .number else { return nil }
    var result = 0
    var negative = false
    var position = tape.start(entry)
    let end = tape.end(entry)
    if document.bytes[position] == .minus {
      negative = true
      position += 1
    }
    while position < end {
      let byte = document.bytes[position]
      guard byte.isDigit else { return nil }
      let (times10, overflow1) = result.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - .digitZero))
      if overflow1 || overflow2 { return nil }
      result = sum
      position += 1
    }
    return negative ? -result : result
  }

  /// The elements when this is an array, else nil.
  public var elements: [JSONNode]? {
    guard kind == .array else { return nil }
    var result: [JSONNode] = []
    var child = entry + 1
    let stop = tape.next(entry)
    while child < stop {
      result.append(JSONNode(document: document, entry: child))
      child = tape.next(child)
    }
    return result
  }

  /// The members in order when this is an object, else nil.
  public var members: [(key: String, value: JSONNode)]? {
    guard kind == .object else { return nil }
    var result: [(key: String, value: JSONNode)] = []
    var child = entry + 1
    let stop = tape.next(entry)
    while child < stop {
      let key = JSONNode(document: document, entry: child).stringValue ?? ""
      result.append((key, JSONNode(document: document, entry: child + 1)))
      child = tape.next(child + 1)
    }
    return result
  }

  /// How many values are directly inside this container (keys count as values).
  private var childCount: Int {
    var count = 0
    var child = entry + 1
    let stop = tape.next(entry)
    while child < stop {
      count += 1
      child = tape.next(child)
    }
    return count
  }

  /// This value in a document of its own. A node keeps its whole document alive: reassembly,
  /// which keeps the legacy snapshots of a message until the run ends, keeps them detached, or
  /// every payload a snapshot appeared in would stay too.
  var detached: JSONNode {
    guard byteRange != 0..<document.bytes.count,
      let own = try? JSONDocument(storage: document).document(of: self)
    else { return self }
    return own.root
  }

  /// True when `other` has the same canonical text, so the same value, as this node.
  func hasSameText(as other: JSONNode) -> Bool {
    TextBytes.bytes(document.bytes, range: byteRange, equal: other.document.bytes, other.byteRange)
  }

  /// Where the node's text lies in its document's bytes.
  public var byteRange: Range<Int> {
    entry < tape.count ? tape.start(entry)..<tape.end(entry) : 0..<0
  }

  /// The node's canonical JSON text.
  public var text: String {
    let tape = document.tape
    guard entry < tape.count else { return "null" }
    return TextBytes.string(document.bytes, range: tape.start(entry)..<tape.end(entry))
  }

  /// The node decoded into a value tree.
  public var value: JSONValue {
    switch kind {
    case .null: return .null
    case .true: return .bool(true)
    case .false: return .bool(false)
    case .number:
      return .number(
        TextBytes.string(document.bytes, range: tape.start(entry)..<tape.end(entry)))
    case .string: return .string(stringValue ?? "")
    case .array:
      // The tape is walked in place: building `elements` or `members` first would cost an
      // array and a reference count per child, for every value decoded.
      var values: [JSONValue] = []
      values.reserveCapacity(childCount)
      var child = entry + 1
      let stop = tape.next(entry)
      while child < stop {
        values.append(JSONNode(document: document, entry: child).value)
        child = tape.next(child)
      }
      return .array(values)
    case .object:
      var object = JSONObject(reservingCapacity: childCount / 2)
      var child = entry + 1
      let stop = tape.next(entry)
      while child < stop {
        let key = JSONNode(document: document, entry: child).stringValue ?? ""
        object.appendMember(key, JSONNode(document: document, entry: child + 1).value)
        child = tape.next(child + 1)
      }
      return .object(object)
    }
  }
}
