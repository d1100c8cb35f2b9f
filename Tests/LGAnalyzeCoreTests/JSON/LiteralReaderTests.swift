import LGAnalyzeCore
import Testing

/// `LiteralReader` rewrites JSON, Python reprs and Node `util.inspect` renderings as canonical
/// JSON: the grammar shared by the three, the escapes and keywords of each, the places where Node
/// elided data, and the errors (never crashes) on text that is none of them.
@Suite struct LiteralReaderTests {
  /// The canonical text of `text` read in `dialect`, and whether the reading was lossy.
  private static func read(_ text: String, _ dialect: LiteralDialect = .json) throws
    -> (text: String, isLossy: Bool)
  {
    let (bytes, isLossy) = try LiteralReader.transcode(Array(text.utf8), dialect: dialect)
    return (String(decoding: bytes, as: UTF8.self), isLossy)
  }

  private static func canonical(_ text: String, _ dialect: LiteralDialect = .json) throws
    -> String
  {
    try read(text, dialect).text
  }

  /// The error reading `bytes` gives, or nil when it reads.
  private static func error(_ bytes: [UInt8], _ dialect: LiteralDialect = .json) -> LiteralError? {
    do throws(LiteralError) {
      _ = try LiteralReader.transcode(bytes, dialect: dialect)
      return nil
    } catch {
      return error
    }
  }

  private static func error(_ text: String, _ dialect: LiteralDialect = .json) -> LiteralError? {
    error(Array(text.utf8), dialect)
  }

  // MARK: - JSON

  @Test func jsonEscapesAreWrittenTheWayOrjsonWritesThem() throws {
    // \/ and \u0041 need no escape; \u00E9 is written raw; the short escapes stay short.
    #expect(
      try Self.canonical(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u00E9""#)
        == #""\"\\/\b\f\n\r\tAéé""#)
    // Other control characters as lowercase \u00xx, DEL raw.
    #expect(try Self.canonical(#""\u001F\u000B\u0000\u007f""#) == "\"\\u001f\\u000b\\u0000\u{7F}\"")
  }

  @Test func surrogatePairsBecomeOneCharacter() throws {
    #expect(try Self.canonical(#""\ud83d\ude00""#) == "\"😀\"")
    #expect(try Self.canonical(#""\uD83D\uDE00!""#) == "\"😀!\"")
    #expect(try Self.parseString(#""\ud83d\ude00""#) == "😀")
  }

  @Test func loneSurrogatesBecomeTheReplacementCharacter() throws {
    #expect(try Self.canonical(#""\ud83d""#) == "\"\u{FFFD}\"")
    #expect(try Self.canonical(#""\ude00x""#) == "\"\u{FFFD}x\"")
    #expect(try Self.canonical(#""\ud83dx""#) == "\"\u{FFFD}x\"")
    // A high surrogate followed by an escape that is not a low one: both are kept apart.
    #expect(try Self.canonical(#""\ud83d\u0041""#) == "\"\u{FFFD}A\"")
    #expect(try Self.canonical(#""\ud83d\ud83d\ude00""#) == "\"\u{FFFD}😀\"")
  }

  private static func parseString(_ text: String, _ dialect: LiteralDialect = .json) throws
    -> String?
  {
    try LiteralReader.parse(Array(text.utf8), dialect: dialect).value.stringValue
  }

  @Test(arguments: [
    "0", "-0", "12", "-3", "1.5", "-0.25", "1e10", "1E+2", "2.5e-3", "0.0", "1.0",
    "123456789012345678901234567890", "-1.7976931348623157e308",
  ])
  func validNumbersKeepTheirDigits(number: String) throws {
    #expect(try Self.canonical(number) == number)
    #expect(try Self.canonical("[\(number), \(number)]") == "[\(number),\(number)]")
    #expect(try LiteralReader.parse(Array(number.utf8)).value == .number(number))
  }

  @Test(arguments: [
    "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "1.e3", "0x1F", "1.2.3", "--1", "-.5",
    "1e5e5", "1-2", "Infinity", "-Infinity", "NaN",
  ])
  func invalidNumbersAreErrors(number: String) {
    #expect(Self.error(number) != nil)
    #expect(Self.error("[\(number)]") != nil)
  }

  @Test(arguments: LiteralDialect.allCases)
  func nestingAtTheLimitIsRead(dialect: LiteralDialect) throws {
    let depth = LiteralReader.maximumDepth
    let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    #expect(try Self.canonical(text, dialect) == text)
    let objects =
      String(repeating: "{\"a\":", count: depth - 1) + "{}"
      + String(repeating: "}", count: depth - 1)
    #expect(try Self.canonical(objects, dialect) == objects)
  }

  @Test(arguments: LiteralDialect.allCases)
  func nestingPastTheLimitIsAnError(dialect: LiteralDialect) throws {
    let depth = LiteralReader.maximumDepth + 1
    let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    let error = try #require(Self.error(text, dialect))
    #expect(error.message.contains("nested deeper than \(LiteralReader.maximumDepth)"))
    #expect(error.offset == LiteralReader.maximumDepth)
  }

  @Test(arguments: LiteralDialect.allCases)
  func aHundredThousandLevelsAreAnErrorNotACrash(dialect: LiteralDialect) throws {
    let depth = 100_000
    let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    #expect(Self.error(arrays, dialect)?.message.contains("nested deeper") == true)
    let objects =
      String(repeating: "{\"k\": ", count: depth) + "1" + String(repeating: "}", count: depth)
    #expect(Self.error(objects, dialect)?.message.contains("nested deeper") == true)
    // Unclosed nesting, as a capture cut off in the middle would have.
    #expect(Self.error(String(repeating: "[", count: depth), dialect) != nil)
    // The document reader, which indexes canonical JSON without recursion, refuses it too.
    #expect(throws: LiteralError.self) {
      try JSONDocument.read(Array(arrays.utf8), dialect: dialect)
    }
  }

  @Test(arguments: ["{} x", "1 2", "{}}", #""a""b""#, "[] []", "null,", "true false"])
  func textAfterTheValueIsAnError(text: String) throws {
    let error = try #require(Self.error(text))
    #expect(error.message == "unexpected text after the value")
  }

  @Test func whiteSpaceAroundTheValueIsAllowed() throws {
    #expect(try Self.canonical(" \t\r\n{} \n") == "{}")
    #expect(
      try Self.canonical("{\n  \"b\": [1, 2],\n  \"a\": {\"c\": null}\n}")
        == #"{"b":[1,2],"a":{"c":null}}"#)
  }

  @Test func errorsSayWhereInThePayloadTheProblemIs() throws {
    let colon = try #require(Self.error(#"{"a" 1}"#))
    #expect(colon.message == "expected ':' after a key")
    #expect(colon.offset == 5)
    let open = try #require(Self.error("[1, 2"))
    #expect(open.message == "the text ends inside an array")
    #expect(open.offset == 5)
    // Offsets count from the start of the range read, not of the buffer.
    let buffer = Array("xxxx[1 2]".utf8)
    do throws(LiteralError) {
      _ = try LiteralReader.transcode(buffer, range: 4..<buffer.count)
      Issue.record("[1 2] was read")
    } catch {
      #expect(error.message == "expected ',' or ']' in an array")
      #expect(error.offset == 3)
    }
  }

  @Test func rawLineSeparatorsInsideStringsAreKept() throws {
    let text = "\"a\u{2028}b\u{2029}c\u{85}d\u{7F}e\""
    #expect(try Self.canonical(text) == text)
    #expect(try Self.parseString(text) == "a\u{2028}b\u{2029}c\u{85}d\u{7F}e")
  }

  @Test func rawControlBytesInsideStringsAreEscaped() throws {
    #expect(try Self.canonical("\"a\tb\u{01}c\nd\"") == #""a\tb\u0001c\nd""#)
  }

  @Test func invalidUTF8BecomesTheReplacementCharacter() throws {
    let bytes: [UInt8] = [0x22, 0xFF, 0x41, 0xC3, 0x22]
    let (canonical, _) = try LiteralReader.transcode(bytes)
    #expect(String(decoding: canonical, as: UTF8.self) == "\"\u{FFFD}A\u{FFFD}\"")
  }

  @Test(arguments: [
    "{'a': 1}", "[1,]", #"{"a":1,}"#, "None", "undefined", "{a: 1}", #""\x41""#, #""\'""#,
    "(1)", "True", "[Object]", "'a'", #""\q""#,
  ])
  func jsonRefusesPythonAndJavaScriptSyntax(text: String) {
    #expect(Self.error(text, .json) != nil)
  }

  @Test func parseBuildsTheValueTree() throws {
    let (value, isLossy) = try LiteralReader.parse(
      Array(#"{"b": [1, "x", true, null], "a": {}}"#.utf8))
    #expect(!isLossy)
    #expect(
      value
        == .object(
          JSONObject([
            ("b", .array([.number("1"), .string("x"), .bool(true), .null])),
            ("a", .object(JSONObject())),
          ])))
  }

  // MARK: - Python

  @Test func pythonQuotesFollowReprRules() throws {
    #expect(try Self.canonical("'plain'", .python) == #""plain""#)
    // repr uses double quotes for a string with ' and no ".
    #expect(try Self.canonical(#""it's""#, .python) == #""it's""#)
    #expect(try Self.canonical(#"'say "hi"'"#, .python) == #""say \"hi\"""#)
    #expect(try Self.canonical(#"'it\'s'"#, .python) == #""it's""#)
    #expect(try Self.canonical(#"'a\\b'"#, .python) == #""a\\b""#)
    #expect(try Self.canonical(#"{'k': "v'"}"#, .python) == #"{"k":"v'"}"#)
  }

  @Test func pythonHexAndUnicodeEscapes() throws {
    // \x00 and \x1f are control characters; \x7f, \xe9 and \x85 are written raw.
    #expect(
      try Self.canonical(#"'\x00\x1f\x7f\xe9\x85'"#, .python)
        == "\"\\u0000\\u001f\u{7F}é\u{85}\"")
    #expect(try Self.canonical(#"'\u200b\u2028'"#, .python) == "\"\u{200B}\u{2028}\"")
    #expect(try Self.canonical(#"'\U0001f600\U0010ffff'"#, .python) == "\"😀\u{10FFFF}\"")
    #expect(try Self.canonical(#"'\U00110000'"#, .python) == "\"\u{FFFD}\"")
    #expect(Self.error(#"'\x4'"#, .python) != nil)
    #expect(Self.error(#"'\u12'"#, .python) != nil)
  }

  @Test func pythonOctalEscapesTakeUpToThreeDigits() throws {
    #expect(try Self.canonical(#"'\0'"#, .python) == #""\u0000""#)
    #expect(try Self.canonical(#"'\101'"#, .python) == #""A""#)
    // \123 is S, and the fourth digit is text.
    #expect(try Self.canonical(#"'\1234'"#, .python) == #""S4""#)
    // 8 is not an octal digit.
    #expect(try Self.canonical(#"'\08'"#, .python) == #""\u00008""#)
  }

  @Test func pythonShortEscapes() throws {
    #expect(
      try Self.canonical(#"'\a\b\f\n\r\t\v'"#, .python) == #""\u0007\b\f\n\r\t\u000b""#)
    // An escape Python does not know keeps its backslash.
    #expect(try Self.canonical(#"'\q'"#, .python) == #""\\q""#)
    #expect(try Self.parseString(#"'\q'"#, .python) == #"\q"#)
  }

  @Test func pythonKeywords() throws {
    #expect(try Self.canonical("[None, True, False]", .python) == "[null,true,false]")
    #expect(try Self.canonical("[inf, -inf, nan]", .python) == "[null,null,null]")
    #expect(Self.error("null", .python) != nil)
    #expect(Self.error("true", .python) != nil)
    #expect(Self.error("none", .python) != nil)
  }

  @Test func pythonTuplesBecomeArrays() throws {
    #expect(try Self.canonical("(1, 'a')", .python) == #"[1,"a"]"#)
    #expect(try Self.canonical("('x',)", .python) == #"["x"]"#)
    #expect(try Self.canonical("()", .python) == "[]")
    #expect(try Self.canonical("((1,), [2, (3, 4)])", .python) == "[[1],[2,[3,4]]]")
    #expect(Self.error("(1, 2]", .python) != nil)
  }

  @Test func pythonTrailingCommasAndIntKeys() throws {
    #expect(try Self.canonical("[1, 2,]", .python) == "[1,2]")
    #expect(try Self.canonical("{'a': 1,}", .python) == #"{"a":1}"#)
    #expect(try Self.canonical("{1: 'a', -2: 'b'}", .python) == #"{"1":"a","-2":"b"}"#)
    #expect(Self.error("[1,,2]", .python) != nil)
  }

  @Test func pythonFloats() throws {
    #expect(try Self.canonical("[1.5e-07, 1.0, -2.5, 5.]", .python) == "[1.5e-07,1.0,-2.5,5.0]")
  }

  @Test func theTrickyLiveStringReadsAsItsValue() throws {
    let repr = #"'it\'s "quoted" \\ back\nnew 日本 \x00 \u200b'"#
    #expect(
      try Self.parseString(repr, .python) == "it's \"quoted\" \\ back\nnew 日本 \u{0} \u{200B}")
    #expect(
      try Self.canonical(repr, .python) == #""it's \"quoted\" \\ back\nnew 日本 \u0000 "#
        + "\u{200B}\"")
  }

  @Test func aPythonMessageChunkReadsAsItsJSON() throws {
    let repr =
      "[{'content': 'Let m', 'additional_kwargs': {}, 'type': 'AIMessageChunk', 'name': None, "
      + "'tool_call_chunks': [], 'example': False}, {'langgraph_step': 1, "
      + "'langgraph_path': ('__pregel_pull', 'agent')}]"
    let json =
      #"[{"content":"Let m","additional_kwargs":{},"type":"AIMessageChunk","name":null,"#
      + #""tool_call_chunks":[],"example":false},{"langgraph_step":1,"#
      + #""langgraph_path":["__pregel_pull","agent"]}]"#
    let (text, isLossy) = try Self.read(repr, .python)
    #expect(text == json)
    #expect(!isLossy)
  }

  // MARK: - JavaScript

  @Test func javascriptKeysNeedNoQuotes() throws {
    let (text, isLossy) = try Self.read("{ run_id: 'r1', attempt: 1, $x: 2, _y: 3 }", .javascript)
    #expect(text == #"{"run_id":"r1","attempt":1,"$x":2,"_y":3}"#)
    #expect(!isLossy)
    #expect(
      try Self.canonical(#"{ 'content-type': "it's", "x": null }"#, .javascript)
        == #"{"content-type":"it's","x":null}"#)
  }

  @Test(arguments: [
    "[Object]", "[Array]", "[Function: f]", "[Function (anonymous)]", "[Circular *1]",
    "[Getter]",
  ])
  func elidedPartsReadAsNullAndMakeTheReadingLossy(elision: String) throws {
    let (text, isLossy) = try Self.read("{ a: \(elision), b: 1 }", .javascript)
    #expect(text == #"{"a":null,"b":1}"#)
    #expect(isLossy)
    let (alone, aloneIsLossy) = try Self.read(elision, .javascript)
    #expect(alone == "null")
    #expect(aloneIsLossy)
  }

  @Test func aCircularReferenceAndItsMarker() throws {
    let (text, isLossy) = try Self.read("<ref *1> { name: 'n', self: [Circular *1] }", .javascript)
    #expect(text == #"{"name":"n","self":null}"#)
    #expect(isLossy)
  }

  @Test func moreItemsReadAsNullAndMakeTheReadingLossy() throws {
    let (array, arrayIsLossy) = try Self.read("[ 1, 2, ... 3 more items ]", .javascript)
    #expect(array == "[1,2,null]")
    #expect(arrayIsLossy)
    #expect(try Self.canonical("[ 'a', ... 1 more item ]", .javascript) == #"["a",null]"#)
    let (object, objectIsLossy) = try Self.read("{ a: 1, ... 2 more items }", .javascript)
    #expect(object == #"{"a":1}"#)
    #expect(objectIsLossy)
    // Dots that do not say "more items" are an error.
    #expect(Self.error("[ 1, ... ]", .javascript) != nil)
  }

  @Test func javascriptKeywords() throws {
    let (text, isLossy) = try Self.read(
      "[ undefined, null, true, false, NaN, Infinity, -Infinity ]", .javascript)
    #expect(text == "[null,null,true,false,null,null,null]")
    // undefined is a value Node printed in full, not an elision.
    #expect(!isLossy)
    #expect(Self.error("None", .javascript) != nil)
    #expect(Self.error("(1)", .javascript) != nil)
  }

  @Test func javascriptStringsContinueAcrossLines() throws {
    let rendering = """
      {
        text: 'Hello, ' +
          "it's " +
          `me`,
        n: 1
      }
      """
    #expect(try Self.canonical(rendering, .javascript) == #"{"text":"Hello, it's me","n":1}"#)
    #expect(try Self.canonical("'a' + 'b'", .javascript) == #""ab""#)
    // Only JavaScript joins strings.
    #expect(Self.error("'a' + 'b'", .python) != nil)
  }

  @Test func javascriptEscapes() throws {
    #expect(
      try Self.canonical(#"`say "hi" it's`"#, .javascript) == #""say \"hi\" it's""#)
    #expect(try Self.canonical(#"'\u{1F600}\x41\0\v'"#, .javascript) == "\"😀A\\u0000\\u000b\"")
    #expect(Self.error(#"'\u{}'"#, .javascript) != nil)
    #expect(Self.error(#"'\u{12'"#, .javascript) != nil)
  }

  @Test func aNodeRenderingOfAMessagesTupleEvent() throws {
    let rendering = """
      [
        {
          content: 'Let m',
          additional_kwargs: {},
          tool_calls: [],
          usage_metadata: null,
          response_metadata: [Object]
        },
        { langgraph_node: 'agent', langgraph_path: [Array] }
      ]
      """
    let (text, isLossy) = try Self.read(rendering, .javascript)
    #expect(
      text
        == #"[{"content":"Let m","additional_kwargs":{},"tool_calls":[],"usage_metadata":null,"#
        + #""response_metadata":null},{"langgraph_node":"agent","langgraph_path":null}]"#)
    #expect(isLossy)
  }
}
