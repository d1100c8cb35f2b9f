import Testing

@testable import LGAnalyzeCore

/// The shortcuts of the document layer give what the long way gives: a value's document cut
/// out of a canonical one equals the document read from that value's bytes, the tape builder
/// that gives up at the first non-canonical byte agrees with the full one, and a value tree
/// decoded from the tape keeps the first place and last value of a repeated key.
@Suite struct JSONDocumentTests {
  private static let payloads = [
    #"{"event":"messages","data":[{"content":"Hi \"there\"","id":"a","n":[1,-2.5e3,{}]},{"ns":"x|y","k":null}],"id":"7"}"#,
    #"{"event":"values","data":{"messages":[],"t":true,"f":false,"u":"\u001f é 😀"}}"#,
    #"{"event":"end","data":null}"#,
    #"{"event":"s","data":"just a string"}"#,
    #"{"event":"n","data":12}"#,
  ]

  @Test func aValuesDocumentEqualsTheDocumentReadFromItsBytes() throws {
    for payload in Self.payloads {
      let line = try JSONDocument.read(Array(payload.utf8))
      #expect(line.tape.isCanonical)
      for node in [line.root] + (line.root.members ?? []).map(\.value) {
        let cut = try line.document(of: node)
        let read = try JSONDocument.read(line.bytes, range: node.byteRange)
        #expect(cut.bytes == read.bytes)
        #expect(cut.tape.storage == read.tape.storage)
        #expect(cut.tape.isCanonical == read.tape.isCanonical)
        #expect(cut.value == read.value)
      }
    }
  }

  @Test func aValueOfATranscodedLineIsCutOutToo() throws {
    let line = try JSONDocument.read(
      Array(#"{"event": "m", "data": [{"a": "\u00e9\/"}, 1]}"#.utf8))
    let data = try #require(line.root["data"])
    let cut = try line.document(of: data)
    #expect(cut.text == #"[{"a":"é/"},1]"#)
    #expect(cut.tape.storage == (try JSONDocument.read(cut.bytes)).tape.storage)
  }

  @Test func theCanonicalOnlyBuilderAgreesWithTheFullOne() throws {
    let texts =
      Self.payloads + [
        #"{"a": 1}"#, " [1]", "[1] ", #"["\/"]"#, #"["\u00E9"]"#, #"["\u0041"]"#, #"["\n"]"#,
        #"["\u000a"]"#, #"["\u001f"]"#, "[1,", #"{"a":}"#, "nul", "[\"\u{7F}\"]",
      ]
    for text in texts {
      // The payload sits inside a larger buffer, as an SSE data line does.
      let buffer = Array("data: \(text)\r\n".utf8)
      let range = 6..<(buffer.count - 2)
      let full = try? JSONTapeBuilder.build(Array(buffer[range]), range: 0..<range.count)
      let canonical = JSONTapeBuilder.buildIfCanonical(buffer, range: range)
      if let full, full.isCanonical {
        #expect(canonical?.storage == full.storage, "\(text)")
      } else {
        #expect(canonical == nil, "\(text)")
      }
    }
  }

  @Test func aDecodedObjectKeepsTheFirstPlaceAndLastValueOfARepeatedKey() throws {
    let document = try JSONDocument.read(Array(#"{"a":1,"b":[2,{"c":3}],"a":4}"#.utf8))
    #expect(document.value.canonicalText == #"{"a":4,"b":[2,{"c":3}]}"#)
    // A lookup finds the first member of a name.
    #expect(document.root["a"]?.intValue == 1)
  }

  @Test func keysAreFoundWhateverTheirLengthAndEscapes() throws {
    let document = try JSONDocument.read(
      Array(#"{"":0,"langgraph_plan":1,"langgraph_node":2,"k\"q":3,"\u00e9":4,"x":5}"#.utf8))
    let root = document.root
    #expect(root[""]?.intValue == 0)
    #expect(root["langgraph_node"]?.intValue == 2)
    #expect(root["langgraph_plan"]?.intValue == 1)
    #expect(root["k\"q"]?.intValue == 3)
    #expect(root["é"]?.intValue == 4)
    #expect(root["x"]?.intValue == 5)
    #expect(root["langgraph_nod"] == nil)
    #expect(root["y"] == nil)
    #expect(root["x"]?["x"] == nil)
  }

  @Test func nodesWithTheSameTextAreTheSame() throws {
    let first = try JSONDocument.read(Array(#"[{"m":{"n":"a"}},{"m":{"n":"a"}}]"#.utf8))
    let second = try JSONDocument.read(Array(#"{"m":{"n":"b"}}"#.utf8))
    let nodes = try #require(first.root.elements)
    let a = try #require(nodes[0]["m"])
    let b = try #require(nodes[1]["m"])
    let c = try #require(second.root["m"])
    #expect(a.hasSameText(as: b))
    #expect(!a.hasSameText(as: c))
    #expect(!a.hasSameText(as: nodes[0]))
  }
}
