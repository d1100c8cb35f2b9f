/// Writes a JSONValue as canonical JSON: the bytes LangGraph's server would have sent.
///
/// The server serializes with orjson, so canonical here means orjson's output: compact (no space
/// after `,` or `:`), keys in insertion order, non-ASCII written as raw UTF-8 (U+2028 and DEL
/// included), and only `"`, `\` and the control characters below U+0020 escaped — as `\b \t \n
/// \f \r` or a lowercase `\u00xx`. A payload read from a Python repr or a pretty-printed
/// transcript therefore comes out byte for byte as the SSE capture of the same run carried it.
public enum CanonicalJSONWriter {
  /// The canonical bytes of `value`.
  public static func bytes(_ value: JSONValue) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(64)
    write(value, into: &output)
    return output
  }

  /// The canonical text of `value`.
  public static func string(_ value: JSONValue) -> String {
    String(decoding: bytes(value), as: UTF8.self)
  }

  /// Appends the canonical bytes of `value` to `output`.
  public static func write(_ value: JSONValue, into output: inout [UInt8]) {
    switch value {
    case .null: output.append(contentsOf: nullBytes)
    case .bool(let flag): output.append(contentsOf: flag ? trueBytes : falseBytes)
    case .number(let text): output.append(contentsOf: text.utf8)
    case .string(let text): writeString(text, into: &output)
    case .array(let elements):
      output.append(.openBracket)
      for (position, element) in elements.enumerated() {
        if position > 0 { output.append(.comma) }
        write(element, into: &output)
      }
      output.append(.closeBracket)
    case .object(let object):
      output.append(.openBrace)
      for (position, (key, member)) in object.members.enumerated() {
        if position > 0 { output.append(.comma) }
        writeString(key, into: &output)
        output.append(.colon)
        write(member, into: &output)
      }
      output.append(.closeBrace)
    }
  }

  /// Appends `text` as a quoted, escaped JSON string.
  public static func writeString(_ text: String, into output: inout [UInt8]) {
    output.append(.quote)
    for byte in text.utf8 {
      switch byte {
      case .quote: output.append(contentsOf: [.backslash, .quote])
      case .backslash: output.append(contentsOf: [.backslash, .backslash])
      case .lf: output.append(contentsOf: [.backslash, UInt8(ascii: "n")])
      case .cr: output.append(contentsOf: [.backslash, UInt8(ascii: "r")])
      case .tab: output.append(contentsOf: [.backslash, UInt8(ascii: "t")])
      case 0x08: output.append(contentsOf: [.backslash, UInt8(ascii: "b")])
      case 0x0C: output.append(contentsOf: [.backslash, UInt8(ascii: "f")])
      case 0x00..<0x20:
        output.append(contentsOf: Array("\\u00".utf8))
        output.append(hexDigits[Int(byte >> 4)])
        output.append(hexDigits[Int(byte & 0x0F)])
      default: output.append(byte)
      }
    }
    output.append(.quote)
  }

  private static let nullBytes = Array("null".utf8)
  private static let trueBytes = Array("true".utf8)
  private static let falseBytes = Array("false".utf8)
  private static let hexDigits = Array("0123456789abcdef".utf8)
}

extension JSONValue {
  /// The canonical JSON text of this value (see `CanonicalJSONWriter`).
  public var canonicalText: String { CanonicalJSONWriter.string(self) }
}
