import LGAnalyzeCore
import Testing

/// The byte helpers that spare slices give what the slice-based code gives.
@Suite struct TextBytesTests {
  private static let bytes = Array("key: langgraph_node é\u{0}end".utf8)

  @Test func bytesAtAnOffsetAreComparedWithText() {
    #expect(TextBytes.bytes(Self.bytes, at: 5, equal: "langgraph_node"))
    #expect(TextBytes.bytes(Self.bytes, at: 5, equal: "langgraph"))
    #expect(TextBytes.bytes(Self.bytes, at: 0, equal: ""))
    #expect(!TextBytes.bytes(Self.bytes, at: 5, equal: "langgraph_plan"))
    #expect(TextBytes.bytes(Self.bytes, at: 20, equal: "é\u{0}end"))
    // Text running past the end, or an offset outside the bytes, never matches.
    #expect(!TextBytes.bytes(Self.bytes, at: 22, equal: "\u{0}end!"))
    #expect(!TextBytes.bytes(Self.bytes, at: Self.bytes.count + 1, equal: "x"))
    #expect(!TextBytes.bytes(Self.bytes, at: -1, equal: "k"))
  }

  @Test func rangesAreComparedWithRanges() {
    let other = Array("node langgraph_node".utf8)
    #expect(TextBytes.bytes(Self.bytes, range: 5..<19, equal: other, 5..<19))
    #expect(TextBytes.bytes(Self.bytes, range: 15..<19, equal: other, 0..<4))
    #expect(!TextBytes.bytes(Self.bytes, range: 5..<19, equal: other, 4..<18))
    #expect(!TextBytes.bytes(Self.bytes, range: 5..<19, equal: other, 5..<18))
    #expect(TextBytes.bytes(Self.bytes, range: 3..<3, equal: other, 7..<7))
  }

  @Test func rangesAreDecodedAsSlicesAre() {
    for range in [0..<Self.bytes.count, 5..<19, 20..<22, 20..<21, 3..<3] {
      #expect(
        TextBytes.string(Self.bytes, range: range)
          == String(decoding: Self.bytes[range], as: UTF8.self))
    }
  }

  @Test func rangesAreAppendedAsSlicesAre() {
    for range in [0..<Self.bytes.count, 5..<19, 20..<22, 21..<Self.bytes.count, 3..<3] {
      var output = Array("prefix ".utf8)
      TextBytes.append(Self.bytes, range: range, to: &output)
      #expect(output == Array("prefix ".utf8) + Self.bytes[range])
    }
    var empty: [UInt8] = []
    TextBytes.append([], range: 0..<0, to: &empty)
    #expect(empty.isEmpty)
  }
}
