import LGAnalyzeCore
import Testing

/// `CanonicalJSONWriter` writes what the LangGraph server's orjson writes: compact, keys in
/// insertion order, non-ASCII raw, only `"`, `\` and control characters escaped; so a payload
/// comes out as the same bytes whichever syntax it was read from.
@Suite struct CanonicalJSONWriterTests {
  private static func object(_ pairs: [(String, JSONValue)]) -> JSONValue {
    .object(JSONObject(pairs))
  }

  @Test func theOutputIsCompact() {
    let value = Self.object([
      ("a", .array([.number("1"), .bool(true), .bool(false), .null, .string("x")])),
      ("b", .object(JSONObject())),
      ("c", .array([])),
      ("d", Self.object([("e", .number("-0.5"))])),
    ])
    #expect(
      CanonicalJSONWriter.string(value)
        == #"{"a":[1,true,false,null,"x"],"b":{},"c":[],"d":{"e":-0.5}}"#)
    #expect(value.canonicalText == CanonicalJSONWriter.string(value))
    #expect(CanonicalJSONWriter.bytes(value) == Array(CanonicalJSONWriter.string(value).utf8))
  }

  @Test func keysKeepTheirInsertionOrder() {
    let value = Self.object([("z", .number("1")), ("a", .number("2")), ("m", .number("3"))])
    #expect(value.canonicalText == #"{"z":1,"a":2,"m":3}"#)
    // A key given twice keeps its first place and its last value.
    let repeated = Self.object([("a", .number("1")), ("b", .number("2")), ("a", .number("3"))])
    #expect(repeated.canonicalText == #"{"a":3,"b":2}"#)
  }

  @Test func numbersAreWrittenAsTheirLiteralText() {
    let value = JSONValue.array([.number("1e-07"), .number("1.0"), .number("-0"), .number("12")])
    #expect(value.canonicalText == "[1e-07,1.0,-0,12]")
  }

  @Test func nonASCIIIsWrittenRaw() {
    let text = "日本 é 😀 \u{2028}\u{2029}\u{85}\u{7F}\u{200B}"
    #expect(CanonicalJSONWriter.bytes(.string(text)) == Array("\"\(text)\"".utf8))
  }

  @Test func quoteAndBackslashAreEscapedAndSlashIsNot() {
    #expect(JSONValue.string(#"a"b\c/d"#).canonicalText == #""a\"b\\c/d""#)
    #expect(Self.object([(#"k"\"#, .string(""))]).canonicalText == #"{"k\"\\":""}"#)
  }

  /// The escape orjson writes for a control character, derived from its rules: the five short
  /// escapes, else `\u` and four lowercase hex digits.
  private static func expectedEscape(_ code: UInt32) -> String {
    let short: [UInt32: String] = [
      0x08: #"\b"#, 0x09: #"\t"#, 0x0A: #"\n"#, 0x0C: #"\f"#, 0x0D: #"\r"#,
    ]
    if let escape = short[code] { return escape }
    let hex = String(code, radix: 16)
    return #"\u"# + String(repeating: "0", count: 4 - hex.count) + hex
  }

  @Test(arguments: UInt32(0)..<0x20)
  func controlCharactersAreEscaped(code: UInt32) throws {
    let scalar = try #require(Unicode.Scalar(code))
    let text = "a" + String(Character(scalar)) + "z"
    let expected = "\"a" + Self.expectedEscape(code) + "z\""
    #expect(JSONValue.string(text).canonicalText == expected)
    // The reader writes the same escape for the same character however it was escaped.
    let (read, _) = try LiteralReader.transcode(Array(expected.utf8))
    #expect(String(decoding: read, as: UTF8.self) == expected)
    let uppercase = #""a\u"# + String(format4: code).uppercased() + #"z""#
    let (fromUppercase, _) = try LiteralReader.transcode(Array(uppercase.utf8))
    #expect(String(decoding: fromUppercase, as: UTF8.self) == expected)
  }

  @Test func someControlCharactersByName() {
    let text = "\u{08}\t\n\u{0C}\r\u{1F}\u{00}\u{0B}\u{1B}"
    #expect(JSONValue.string(text).canonicalText == #""\b\t\n\f\r\u001f\u0000\u000b\u001b""#)
  }

  /// Compact payloads as the server sends them.
  static let canonicalPayloads: [String] = [
    #"{"run_id":"01a20522-80bc-7616-bf3a-1cefb812d6f9","attempt":1}"#,
    #"[{"content":"Let m","additional_kwargs":{},"response_metadata":{},"type":"AIMessageChunk","#
      + #""name":null,"id":"lc_run--01a20522-82d9-724a-98e7-ecddfc6b55c3","tool_calls":[],"#
      + #""invalid_tool_calls":[],"usage_metadata":null,"tool_call_chunks":[],"#
      + #""chunk_position":null},{"langgraph_step":1,"langgraph_path":["__pregel_pull","agent"]}]"#,
    #"{"t":"a\"b\\c\nd\u0001\u001fé/"}"#,
    "{\"line\":\"x\u{2028}y\u{85}z\u{7F}\",\"n\":-1.5e-07,\"e\":[],\"o\":{}}",
    #"{"error":"ValueError","message":"upstream tool exploded: quota exceeded"}"#,
    #"[1,[2,[3,[4,[]]]],{"a":{"b":{"c":null}}},true,false,"",0]"#,
  ]

  @Test(arguments: canonicalPayloads)
  func parsingAndWritingCompactJSONGivesTheSameBytes(payload: String) throws {
    let bytes = Array(payload.utf8)
    let (value, _) = try LiteralReader.parse(bytes)
    #expect(CanonicalJSONWriter.bytes(value) == bytes)
    #expect(try JSONDocument.read(bytes).value.canonicalText == payload)
    #expect(try JSONTapeBuilder.build(bytes, range: 0..<bytes.count).isCanonical)
  }

  @Test func theWritersOutputIsCanonical() throws {
    let control = String((0..<0x20).compactMap { Unicode.Scalar(UInt32($0)) }.map(Character.init))
    let value = Self.object([
      ("control", .string(control)),
      ("unicode", .string("日本\u{2028}\u{85}😀\u{7F}")),
      ("nested", .array([Self.object([("q", .string(#"" \ /"#))]), .null])),
    ])
    let bytes = CanonicalJSONWriter.bytes(value)
    #expect(try JSONTapeBuilder.build(bytes, range: 0..<bytes.count).isCanonical)
    #expect(try LiteralReader.parse(bytes).value == value)
  }

  @Test func prettyJSONIsWrittenCompact() throws {
    let pretty = "{\n  \"b\": [\n    1,\n    2\n  ],\n  \"a\": \"\\u00e9\\/\"\n}"
    let (value, _) = try LiteralReader.parse(Array(pretty.utf8))
    #expect(value.canonicalText == #"{"b":[1,2],"a":"é/"}"#)
  }

  /// The same payloads as a Python repr and as the JSON the server sent.
  static let pythonAndJSON: [(String, String)] = [
    ("{'run_id': '01a2', 'attempt': 1}", #"{"run_id":"01a2","attempt":1}"#),
    (
      #"{'content': 'it\'s "ok"\n日本', 'n': None, 'flag': True, 'ids': ('a', 'b'), "#
        + #"'x': 1.5e-07, 'off': False}"#,
      #"{"content":"it's \"ok\"\n日本","n":null,"flag":true,"ids":["a","b"],"#
        + #""x":1.5e-07,"off":false}"#
    ),
    (
      #"[{'type': 'tool', 'content': "It's sunny, 24 °C.", 'tool_call_id': 'call_A1', "#
        + #"'artifact': None, 'status': 'success'}, {'langgraph_path': ['__pregel_push', 0, "#
        + #"False]}]"#,
      #"[{"type":"tool","content":"It's sunny, 24 °C.","tool_call_id":"call_A1","#
        + #""artifact":null,"status":"success"},{"langgraph_path":["__pregel_push",0,false]}]"#
    ),
    (
      #"{'tab': '\t', 'nul': '\x00', 'zw': '\u200b', 'esc': '\x1b'}"#,
      "{\"tab\":\"\\t\",\"nul\":\"\\u0000\",\"zw\":\"\u{200B}\",\"esc\":\"\\u001b\"}"
    ),
  ]

  @Test(arguments: pythonAndJSON)
  func aPythonReprGivesTheBytesOfTheJSON(repr: String, json: String) throws {
    let (fromRepr, _) = try LiteralReader.parse(Array(repr.utf8), dialect: .python)
    let (fromJSON, _) = try LiteralReader.parse(Array(json.utf8))
    #expect(CanonicalJSONWriter.bytes(fromRepr) == Array(json.utf8))
    #expect(CanonicalJSONWriter.bytes(fromRepr) == CanonicalJSONWriter.bytes(fromJSON))
    let (transcoded, _) = try LiteralReader.transcode(Array(repr.utf8), dialect: .python)
    #expect(transcoded == Array(json.utf8))
  }

  @Test func aFullNodeRenderingGivesTheBytesOfTheJSON() throws {
    let rendering = "{ content: 'It\\'s \"ok\"', n: null, list: [ 1, 'a' ], u: undefined }"
    let (value, isLossy) = try LiteralReader.parse(Array(rendering.utf8), dialect: .javascript)
    #expect(!isLossy)
    #expect(value.canonicalText == #"{"content":"It's \"ok\"","n":null,"list":[1,"a"],"u":null}"#)
  }
}

extension String {
  /// `code` as four lowercase hex digits.
  fileprivate init(format4 code: UInt32) {
    let hex = String(code, radix: 16)
    self = String(repeating: "0", count: 4 - hex.count) + hex
  }
}
