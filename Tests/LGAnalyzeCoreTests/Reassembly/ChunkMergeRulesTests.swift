import LGAnalyzeCore
import Testing

/// `ChunkMergeRules` adds chunks the way langchain_core's `AIMessageChunk.__add__` does
/// (wire-format §3): `merge_content`, `merge_lists` by index and id, `merge_dicts` with its
/// string, int and null rules, and `add_usage`.
@Suite struct ChunkMergeRulesTests {
  private static func json(_ text: String) throws -> JSONValue {
    try LiteralReader.parse(Array(text.utf8)).value
  }

  private static func list(_ text: String) throws -> [JSONValue] {
    try #require(try json(text).arrayValue)
  }

  private static func dict(_ text: String) throws -> JSONObject {
    try #require(try json(text).objectValue)
  }

  /// Folds `chunks` (each a JSON list) into one list with `mergeLists`, as successive chunks are.
  private static func mergeAll(_ chunks: [String]) throws -> [JSONValue] {
    var merged: [JSONValue] = []
    for chunk in chunks { merged = ChunkMergeRules.mergeLists(merged, try list(chunk)) }
    return merged
  }

  // MARK: - Content

  @Test func stringPlusStringConcatenates() {
    #expect(ChunkMergeRules.mergeContent(.string("Hel"), .string("lo")) == .string("Hello"))
    #expect(ChunkMergeRules.mergeContent(.string(""), .string("")) == .string(""))
  }

  @Test func stringPlusListPutsTheStringFirst() throws {
    let block = try Self.json(#"{"type":"text","text":"Hi","index":0}"#)
    #expect(
      ChunkMergeRules.mergeContent(.string(""), .array([block])) == .array([.string(""), block]))
    #expect(
      ChunkMergeRules.mergeContent(.string("a"), .array([block])) == .array([.string("a"), block]))
  }

  @Test func listPlusStringAppendsToATrailingString() throws {
    let block = try Self.json(#"{"type":"text","text":"Hi","index":0}"#)
    #expect(
      ChunkMergeRules.mergeContent(.array([block, .string("a")]), .string("b"))
        == .array([block, .string("ab")]))
    // After a block the string is a new element.
    #expect(
      ChunkMergeRules.mergeContent(.array([block]), .string("x")) == .array([block, .string("x")]))
    // An empty string changes nothing.
    #expect(ChunkMergeRules.mergeContent(.array([block]), .string("")) == .array([block]))
    #expect(
      ChunkMergeRules.mergeContent(.array([.string("a")]), .string("")) == .array([.string("a")]))
  }

  @Test func nullContentTakesTheRight() {
    #expect(ChunkMergeRules.mergeContent(.null, .string("x")) == .string("x"))
  }

  @Test func textBlocksWithTheSameIndexMerge() throws {
    let merged = ChunkMergeRules.mergeContent(
      try Self.json(#"[{"type":"text","text":"Hel","index":0}]"#),
      try Self.json(
        #"[{"type":"text","text":"lo","index":0},{"type":"text","text":"!","index":1}]"#))
    // The right element's type is dropped before merging: the type is not "texttext".
    #expect(
      merged.canonicalText
        == #"[{"type":"text","text":"Hello","index":0},{"type":"text","text":"!","index":1}]"#)
  }

  @Test func anthropicToolUseAndItsJSONDeltasMergeIntoOneBlock() throws {
    var content = try Self.json(#"[{"type":"text","text":"Sure","index":0}]"#)
    for chunk in [
      #"[{"type":"tool_use","id":"toolu_1","name":"f","input":{},"index":1}]"#,
      #"[{"type":"input_json_delta","partial_json":"{\"q\": \"w","index":1}]"#,
      #"[{"type":"input_json_delta","partial_json":"x\"}","index":1}]"#,
    ] {
      content = ChunkMergeRules.mergeContent(content, try Self.json(chunk))
    }
    // The result langchain_core gives (wire-format §3), keys in the same order.
    #expect(
      content.canonicalText
        == #"[{"type":"text","text":"Sure","index":0},{"type":"tool_use","id":"toolu_1","#
        + #""name":"f","input":{},"index":1,"partial_json":"{\"q\": \"wx\"}"}]"#)
  }

  // MARK: - Lists

  @Test func theSameIndexWithDifferentIdsIsNotMerged() throws {
    let merged = try Self.mergeAll([
      #"[{"index":0,"id":"call_A","name":"f","args":"{}"}]"#,
      #"[{"index":0,"id":"call_B","name":"g","args":"{}"}]"#,
      // A fragment without an id merges into the first element with its index.
      #"[{"index":0,"id":null,"name":null,"args":"x"}]"#,
    ])
    #expect(
      JSONValue.array(merged).canonicalText
        == #"[{"index":0,"id":"call_A","name":"f","args":"{}x"},"#
        + #"{"index":0,"id":"call_B","name":"g","args":"{}"}]"#)
  }

  @Test func theSameIndexWithTheSameOrAnEmptyIdMerges() throws {
    let same = try Self.mergeAll([
      #"[{"index":0,"id":"call_A","args":"{"}]"#, #"[{"index":0,"id":"call_A","args":"}"}]"#,
      #"[{"index":0,"id":"","args":""}]"#,
    ])
    // Equal ids are kept, not concatenated.
    #expect(JSONValue.array(same).canonicalText == #"[{"index":0,"id":"call_A","args":"{}"}]"#)
  }

  @Test func elementsWithoutAnIntIndexAreNeverMerged() throws {
    let merged = try Self.mergeAll([
      #"[{"index":null,"args":"{\"a\""}]"#, #"[{"index":null,"args":":1}"}]"#,
      #"[{"args":"x"}]"#, #"[{"args":"y"}]"#,
      #"[{"index":"0","text":"a"}]"#, #"[{"index":"0","text":"b"}]"#, #"["s"]"#, #"["s"]"#,
    ])
    #expect(merged.count == 8)
  }

  @Test func anIndexStringStartingWithLcMerges() throws {
    let merged = try Self.mergeAll([
      #"[{"type":"text","text":"a","index":"lc_txt_0"}]"#,
      #"[{"type":"text","text":"b","index":"lc_txt_0"}]"#,
    ])
    // The index is kept, not concatenated.
    #expect(
      JSONValue.array(merged).canonicalText == #"[{"type":"text","text":"ab","index":"lc_txt_0"}]"#)
  }

  @Test func parallelToolCallChunksMergeIntoTwoCalls() throws {
    let merged = try Self.mergeAll([
      #"[{"name":"get_weather","args":"","id":"call_A","index":0,"type":"tool_call_chunk"}]"#,
      #"[{"name":"get_time","args":"","id":"call_B","index":1,"type":"tool_call_chunk"}]"#,
      #"[{"name":null,"args":"{\"city\": ","id":null,"index":0,"type":"tool_call_chunk"}]"#,
      #"[{"name":null,"args":"{\"tz\": ","id":null,"index":1,"type":"tool_call_chunk"}]"#,
      #"[{"name":null,"args":"\"SF\"}","id":null,"index":0,"type":"tool_call_chunk"}]"#,
      #"[{"name":null,"args":"\"UTC\"}","id":null,"index":1,"type":"tool_call_chunk"}]"#,
    ])
    #expect(
      JSONValue.array(merged).canonicalText
        == #"[{"name":"get_weather","args":"{\"city\": \"SF\"}","id":"call_A","index":0,"#
        + #""type":"tool_call_chunk"},{"name":"get_time","args":"{\"tz\": \"UTC\"}","#
        + #""id":"call_B","index":1,"type":"tool_call_chunk"}]"#)
  }

  @Test func aRepeatedNameIsConcatenated() throws {
    let merged = try Self.mergeAll([
      #"[{"name":"f","args":"{\"a\":","id":"call_1","index":0,"type":"tool_call_chunk"}]"#,
      #"[{"name":"f","args":"1}","id":"call_1","index":0,"type":"tool_call_chunk"}]"#,
    ])
    #expect(merged.first?["name"] == .string("ff"))
    #expect(merged.first?["args"] == .string(#"{"a":1}"#))
  }

  // MARK: - Dicts

  @Test func intsAreSummedExceptIndexCreatedAndTimestamp() throws {
    let merged = ChunkMergeRules.mergeDicts(
      try Self.dict(#"{"a":1,"created":100,"timestamp":5,"index":0,"same":2}"#),
      try Self.dict(#"{"a":2,"created":200,"timestamp":6,"index":1,"same":2}"#))
    // Equal values are kept as they are, so "same" stays 2.
    #expect(
      JSONValue.object(merged).canonicalText
        == #"{"a":3,"created":200,"timestamp":6,"index":1,"same":2}"#)
  }

  @Test func stringsConcatenateExceptEqualIdsVersionsAndProviders() throws {
    let left = #"{"model_provider":"openai","model_name":"gpt-4o","id":"x","output_version":"v1"}"#
    let merged = ChunkMergeRules.mergeDicts(try Self.dict(left), try Self.dict(left))
    #expect(
      JSONValue.object(merged).canonicalText
        == #"{"model_provider":"openai","model_name":"gpt-4ogpt-4o","id":"x","#
        + #""output_version":"v1"}"#)
    let ids = ChunkMergeRules.mergeDicts(
      try Self.dict(#"{"id":"a"}"#), try Self.dict(#"{"id":"b"}"#))
    #expect(ids["id"] == .string("ab"))
  }

  @Test func nullsOnEitherSide() throws {
    let merged = ChunkMergeRules.mergeDicts(
      try Self.dict(#"{"a":null,"b":"kept","c":1}"#),
      try Self.dict(#"{"a":"taken","b":null,"c":null,"d":null}"#))
    #expect(JSONValue.object(merged).canonicalText == #"{"a":"taken","b":"kept","c":1,"d":null}"#)
  }

  @Test func dictsRecurseAndListsMergeByIndex() throws {
    let merged = ChunkMergeRules.mergeDicts(
      try Self.dict(#"{"meta":{"n":1,"s":"a"},"l":[{"index":0,"t":"x"}]}"#),
      try Self.dict(#"{"meta":{"n":2,"s":"b","t":true},"l":[{"index":0,"t":"y"}]}"#))
    #expect(
      JSONValue.object(merged).canonicalText
        == #"{"meta":{"n":3,"s":"ab","t":true},"l":[{"index":0,"t":"xy"}]}"#)
  }

  @Test func mismatchedTypesKeepTheLeft() throws {
    // langchain_core raises here; a saved stream must still be read.
    let merged = ChunkMergeRules.mergeDicts(
      try Self.dict(#"{"a":"x","b":true,"c":[1]}"#), try Self.dict(#"{"a":1,"b":false,"c":{}}"#))
    #expect(JSONValue.object(merged).canonicalText == #"{"a":"x","b":true,"c":[1]}"#)
  }

  // MARK: - Usage

  @Test func usageIsSummedRecursivelyOverTheUnionOfKeys() throws {
    let sum = ChunkMergeRules.addUsage(
      try Self.json(
        #"{"input_tokens":10,"output_tokens":0,"total_tokens":10,"#
          + #""input_token_details":{"cache_read":4}}"#),
      try Self.json(
        #"{"input_tokens":0,"output_tokens":5,"total_tokens":5,"#
          + #""output_token_details":{"reasoning":2}}"#))
    #expect(
      sum?.canonicalText
        == #"{"input_tokens":10,"output_tokens":5,"total_tokens":15,"#
        + #""input_token_details":{"cache_read":4},"output_token_details":{"reasoning":2}}"#)
  }

  @Test func usageSumsEqualCountsAndNestedDetails() throws {
    // Unlike merge_dicts, add_usage adds equal values too.
    let sum = ChunkMergeRules.addUsage(
      try Self.json(#"{"input_tokens":5,"details":{"a":1}}"#),
      try Self.json(#"{"input_tokens":5,"details":{"a":2,"b":3}}"#))
    #expect(sum?.canonicalText == #"{"input_tokens":10,"details":{"a":3,"b":3}}"#)
  }

  @Test func noUsageIsTheEmptyUsage() throws {
    let usage = try Self.json(#"{"input_tokens":1}"#)
    #expect(ChunkMergeRules.addUsage(nil, usage) == usage)
    #expect(ChunkMergeRules.addUsage(usage, nil) == usage)
    #expect(ChunkMergeRules.addUsage(usage, .null) == usage)
    #expect(ChunkMergeRules.addUsage(.null, usage) == usage)
    #expect(ChunkMergeRules.addUsage(nil, nil) == nil)
  }

  // MARK: - Text

  @Test func theTextOfContent() throws {
    #expect(ChunkMergeRules.text(of: .string("plain")) == "plain")
    #expect(ChunkMergeRules.text(of: nil) == "")
    #expect(ChunkMergeRules.text(of: .null) == "")
    let blocks = try Self.json(
      #"[{"type":"text","text":"Hi","index":0},{"type":"tool_use","id":"t","input":{}},"#
        + #"{"type":"text","text":" there","index":2}]"#)
    #expect(ChunkMergeRules.text(of: blocks) == "Hi there")
  }
}
