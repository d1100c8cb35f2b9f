/// Writes a JSONValue over several lines for people to read: exports and tool arguments.
///
/// Strings and numbers come out exactly as CanonicalJSONWriter writes them, so the indented and
/// the compact text of a value parse to the same value; only white space differs.
public enum IndentedJSONWriter {
  /// `value` as JSON text, each nesting level indented by `indent` spaces, without a final
  /// line break. Empty objects and arrays stay on one line (`{}`, `[]`).
  public static func string(_ value: JSONValue, indent: Int = 2) -> String {
    var output: [UInt8] = []
    write(value, level: 0, indent: max(0, indent), into: &output)
    return String(decoding: output, as: UTF8.self)
  }

  private static func write(
    _ value: JSONValue, level: Int, indent: Int, into output: inout [UInt8]
  ) {
    switch value {
    case .array(let elements) where !elements.isEmpty:
      output.append(.openBracket)
      for (position, element) in elements.enumerated() {
        if position > 0 { output.append(.comma) }
        newline(level: level + 1, indent: indent, into: &output)
        write(element, level: level + 1, indent: indent, into: &output)
      }
      newline(level: level, indent: indent, into: &output)
      output.append(.closeBracket)
    case .object(let object) where !object.isEmpty:
      output.append(.openBrace)
      for (position, (key, member)) in object.members.enumerated() {
        if position > 0 { output.append(.comma) }
        newline(level: level + 1, indent: indent, into: &output)
        CanonicalJSONWriter.writeString(key, into: &output)
        output.append(.colon)
        output.append(.space)
        write(member, level: level + 1, indent: indent, into: &output)
      }
      newline(level: level, indent: indent, into: &output)
      output.append(.closeBrace)
    default:
      CanonicalJSONWriter.write(value, into: &output)
    }
  }

  private static func newline(level: Int, indent: Int, into output: inout [UInt8]) {
    output.append(.lf)
    output.append(contentsOf: repeatElement(UInt8.space, count: level * indent))
  }
}
