import LGAnalyzeCore
import Testing

/// `LineReader` ends lines at CRLF, LF and a lone CR and nowhere else, numbers them from 1,
/// skips a byte order mark only at the very start, and says whether the last line was ended.
@Suite struct LineReaderTests {
  /// A line as text, for readable expectations.
  private struct Read: Equatable, CustomStringConvertible {
    var text: String
    var number: Int
    var isTerminated: Bool

    var description: String { "\(number):\(text.debugDescription)\(isTerminated ? "" : "|")" }
  }

  private static func lines(_ bytes: [UInt8], range: Range<Int>? = nil, first: Int = 1)
    -> [Read]
  {
    LineReader(bytes: bytes, range: range, firstLineNumber: first).map { line in
      Read(
        text: String(decoding: bytes[line.content], as: UTF8.self), number: line.number,
        isTerminated: line.isTerminated)
    }
  }

  private static func lines(_ text: String) -> [Read] { lines(Array(text.utf8)) }

  private static func read(_ text: String, _ number: Int, ended: Bool = true) -> Read {
    Read(text: text, number: number, isTerminated: ended)
  }

  @Test func crlfEndsLines() {
    #expect(Self.lines("a\r\nbc\r\n") == [Self.read("a", 1), Self.read("bc", 2)])
  }

  @Test func lfEndsLines() {
    #expect(Self.lines("a\nbc\n") == [Self.read("a", 1), Self.read("bc", 2)])
  }

  @Test func aLoneCREndsALine() {
    #expect(Self.lines("a\rbc\r") == [Self.read("a", 1), Self.read("bc", 2)])
  }

  @Test func mixedLineEnds() {
    #expect(
      Self.lines("a\r\nb\nc\rd")
        == [
          Self.read("a", 1), Self.read("b", 2), Self.read("c", 3), Self.read("d", 4, ended: false),
        ]
    )
    // LF then CR is two breaks; CR CR LF is a lone CR and then a CRLF.
    #expect(Self.lines("\n\r") == [Self.read("", 1), Self.read("", 2)])
    #expect(
      Self.lines("x\r\r\ny") == [
        Self.read("x", 1), Self.read("", 2), Self.read("y", 3, ended: false),
      ])
  }

  @Test func emptyLinesAreLines() {
    #expect(Self.lines("") == [])
    #expect(Self.lines("\n") == [Self.read("", 1)])
    #expect(Self.lines("\r\n") == [Self.read("", 1)])
    #expect(Self.lines("\n\n\n") == [Self.read("", 1), Self.read("", 2), Self.read("", 3)])
    #expect(
      Self.lines("a\n\nb") == [
        Self.read("a", 1), Self.read("", 2), Self.read("b", 3, ended: false),
      ])
  }

  @Test func theLastLineSaysWhetherItWasEnded() {
    #expect(Self.lines("only") == [Self.read("only", 1, ended: false)])
    #expect(Self.lines("only\r") == [Self.read("only", 1)])
    #expect(Self.lines("a\nlast") == [Self.read("a", 1), Self.read("last", 2, ended: false)])
    // A break at the end adds no empty line after it.
    #expect(Self.lines("a\nlast\r\n").count == 2)
  }

  @Test func aFileOfOnlyCRsIsThatManyEmptyLines() {
    let bytes = [UInt8](repeating: UInt8(ascii: "\r"), count: 200)
    let read = Self.lines(bytes)
    #expect(read == (1...200).map { Self.read("", $0) })
  }

  @Test(arguments: [63, 127, 191, 64, 0])
  func crlfIsOneBreakWhenCRAndLFLieInDifferentBlocks(crOffset: Int) {
    // The CR is the last byte of a 64-byte block (offsets 63, 127, 191) and the LF the first
    // byte of the next; offsets 64 and 0 are the same pair inside one block.
    var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: crOffset)
    bytes += Array("\r\nrest\r\n".utf8)
    let read = Self.lines(bytes)
    #expect(read == [Self.read(String(repeating: "x", count: crOffset), 1), Self.read("rest", 2)])
    var reader = LineReader(bytes: bytes)
    _ = reader.next()
    #expect(reader.offset == crOffset + 2)
  }

  @Test func aCRAtTheEndOfARangeDoesNotSwallowTheLFAfterIt() {
    let bytes = Array("ab\r\ncd".utf8)
    var reader = LineReader(bytes: bytes, range: 0..<3)
    let line = reader.next()
    #expect(line?.content == 0..<2)
    #expect(line?.isTerminated == true)
    #expect(reader.offset == 3)
    #expect(reader.next() == nil)
  }

  @Test func aByteOrderMarkIsSkippedOnlyAtTheStart() {
    let bom = "\u{FEFF}"
    let bytes = Array("\(bom)a\n\(bom)b\n".utf8)
    let read = Self.lines(bytes)
    #expect(read == [Self.read("a", 1), Self.read("\(bom)b", 2)])
    var reader = LineReader(bytes: bytes)
    #expect(reader.next()?.content == 3..<4)
    // A piece of a file that starts at a later line starts mid-file, where a BOM is text.
    let later = Self.lines(bytes, range: 5..<bytes.count, first: 2)
    #expect(later == [Self.read("\(bom)b", 2)])
    // A range read as the start of a file (its line 1) skips the BOM it starts with.
    #expect(Self.lines(bytes, range: 5..<bytes.count) == [Self.read("b", 1)])
    // A file that is only a BOM has no lines; a BOM and a break is one empty line.
    #expect(Self.lines(Array(bom.utf8)) == [])
    #expect(Self.lines(Array("\(bom)\r\n".utf8)) == [Self.read("", 1)])
  }

  @Test func lineNumbersCountFromTheGivenFirstNumber() {
    let bytes = Array("skip\nx\ny".utf8)
    let read = Self.lines(bytes, range: 5..<bytes.count, first: 10)
    #expect(read == [Self.read("x", 10), Self.read("y", 11, ended: false)])
  }

  @Test func theLastLineNumberIsTheNumberOfTheLastLineRead() {
    var reader = LineReader(bytes: Array("a\nb\n".utf8), firstLineNumber: 5)
    #expect(reader.lastLineNumber == 4)
    _ = reader.next()
    #expect(reader.lastLineNumber == 5)
    while reader.next() != nil {}
    #expect(reader.lastLineNumber == 6)
  }

  @Test func theOffsetIsWhereTheNextLineStarts() {
    let bytes = Array("ab\r\nc\rd\n".utf8)
    var reader = LineReader(bytes: bytes)
    var offsets: [Int] = [reader.offset]
    while reader.next() != nil { offsets.append(reader.offset) }
    #expect(offsets == [0, 4, 6, 8])
  }

  @Test func unicodeLineSeparatorsStayInsideLines() {
    let text = "a\u{2028}b\u{2029}c\u{85}d\u{0B}e\u{0C}f"
    #expect(
      Self.lines(text + "\n" + text) == [
        Self.read(text, 1), Self.read(text, 2, ended: false),
      ])
  }

  /// A line's place in its buffer, to compare the reader with the reference.
  private struct Span: Equatable {
    var content: Range<Int>
    var number: Int
    var isTerminated: Bool
  }

  /// The reference: lines as the SSE specification splits them, one byte at a time.
  private static func referenceLines(_ bytes: [UInt8]) -> [Span] {
    var result: [Span] = []
    var start = 0
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else {
        index += 1
        continue
      }
      result.append(Span(content: start..<index, number: result.count + 1, isTerminated: true))
      let isCRLF =
        byte == UInt8(ascii: "\r") && index + 1 < bytes.count
        && bytes[index + 1] == UInt8(ascii: "\n")
      index += isCRLF ? 2 : 1
      start = index
    }
    if start < bytes.count {
      result.append(
        Span(content: start..<bytes.count, number: result.count + 1, isTerminated: false))
    }
    return result
  }

  @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
  func randomBuffersSplitAsTheSpecificationSays(seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    let alphabet: [UInt8] = [
      UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: "a"), UInt8(ascii: "{"), 0x0B, 0x85,
    ]
    for _ in 0..<200 {
      // Mostly long runs of text with a few breaks, sometimes breaks everywhere.
      let density = [0.005, 0.05, 0.5].randomElement(using: &generator) ?? 0.05
      let count = Int.random(in: 0...400, using: &generator)
      let bytes: [UInt8] = (0..<count).map { _ in
        Double.random(in: 0..<1, using: &generator) < density
          ? (alphabet.prefix(2).randomElement(using: &generator) ?? 0)
          : (alphabet.dropFirst(2).randomElement(using: &generator) ?? 0)
      }
      // A buffer that starts with a BOM by chance would be read differently; it cannot here.
      let read = LineReader(bytes: bytes).map {
        Span(content: $0.content, number: $0.number, isTerminated: $0.isTerminated)
      }
      #expect(read == Self.referenceLines(bytes))
    }
  }
}
