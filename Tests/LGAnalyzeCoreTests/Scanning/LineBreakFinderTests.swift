import LGAnalyzeCore
import Testing

/// `LineBreakFinder.firstLineBreak` (the 64-byte vector path) gives the same answer as the
/// byte-at-a-time `scalarFirstLineBreak` on every buffer, and only CR and LF count as breaks.
@Suite struct LineBreakFinderTests {
  private static let cr = UInt8(ascii: "\r")
  private static let lf = UInt8(ascii: "\n")

  /// Every byte value that is not a line break.
  private static let nonBreakBytes: [UInt8] = (0...255).map { UInt8($0) }.filter {
    $0 != cr && $0 != lf
  }

  /// Random bytes where each byte is CR or LF with probability `density`.
  private static func randomBuffer(
    count: Int, density: Double, using generator: inout SeededGenerator
  ) -> [UInt8] {
    (0..<count).map { _ in
      if Double.random(in: 0..<1, using: &generator) < density {
        return Bool.random(using: &generator) ? cr : lf
      }
      return nonBreakBytes.randomElement(using: &generator) ?? 0
    }
  }

  /// Checks the vector path against the scalar reference on `bytes[range]`.
  private static func expectAgreement(
    _ bytes: [UInt8], _ range: Range<Int>, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let fast = LineBreakFinder.firstLineBreak(in: bytes, range: range)
    let reference = LineBreakFinder.scalarFirstLineBreak(in: bytes, range: range)
    #expect(
      fast == reference, "count \(bytes.count), range \(range)", sourceLocation: sourceLocation)
  }

  @Test(arguments: [0.0, 0.001, 0.005, 0.02, 0.1, 0.5, 1.0])
  func randomBuffersAgreeWithTheScalarReference(density: Double) {
    var generator = SeededGenerator(seed: UInt64(density * 1_000_000) &+ 17)
    for _ in 0..<300 {
      let count = Int.random(in: 0...600, using: &generator)
      let bytes = Self.randomBuffer(count: count, density: density, using: &generator)
      Self.expectAgreement(bytes, 0..<count)
      // Ranges that start and end anywhere, odd offsets included.
      for _ in 0..<8 {
        let lower = Int.random(in: 0...count, using: &generator)
        let upper = Int.random(in: lower...count, using: &generator)
        Self.expectAgreement(bytes, lower..<upper)
      }
    }
  }

  @Test(arguments: [63, 64, 65, 127, 128, 129, 191, 192, 193, 200, 255, 256, 257])
  func aBreakIsFoundAtEveryOffset(length: Int) {
    for offset in 0..<min(200, length) {
      for breakByte in [Self.cr, Self.lf] {
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
        bytes[offset] = breakByte
        #expect(LineBreakFinder.firstLineBreak(in: bytes, range: 0..<length) == offset)
        Self.expectAgreement(bytes, 0..<length)
        // From odd starting offsets the break is found when it lies in the range.
        for start in [1, 3, 7, 33, 63, 65] where start <= length {
          let expected = offset >= start ? offset : nil
          #expect(LineBreakFinder.firstLineBreak(in: bytes, range: start..<length) == expected)
        }
        // A break that lies just past the end of the range is not reported.
        #expect(LineBreakFinder.firstLineBreak(in: bytes, range: 0..<offset) == nil)
      }
    }
  }

  @Test(arguments: [1, 2, 15, 16, 17, 48, 63, 64, 65, 130])
  func theFirstOfTwoBreaksIsReported(gap: Int) {
    for offset in stride(from: 0, to: 200, by: 7) {
      var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: offset + gap + 70)
      bytes[offset] = Self.lf
      bytes[offset + gap] = Self.cr
      #expect(LineBreakFinder.firstLineBreak(in: bytes, range: 0..<bytes.count) == offset)
      #expect(
        LineBreakFinder.firstLineBreak(in: bytes, range: (offset + 1)..<bytes.count)
          == offset + gap)
    }
  }

  @Test func anEmptyRangeHasNoBreak() {
    let bytes = [UInt8]("\n\r\n\r".utf8)
    #expect(LineBreakFinder.firstLineBreak(in: bytes, range: 0..<0) == nil)
    #expect(LineBreakFinder.firstLineBreak(in: bytes, range: 2..<2) == nil)
    #expect(LineBreakFinder.firstLineBreak(in: [], range: 0..<0) == nil)
    #expect(LineBreakFinder.scalarFirstLineBreak(in: [], range: 0..<0) == nil)
  }

  /// Bytes that Unicode or Swift's `Character.isNewline` treat as line ends, which payloads
  /// carry inside strings: NEL (raw 0x85 and its UTF-8 form C2 85), U+2028, U+2029, VT, FF;
  /// also NUL, and CR and LF with the high bit set (0x8D, 0x8A).
  @Test(
    arguments: [
      [0x85], [0xC2, 0x85], [0xE2, 0x80, 0xA8], [0xE2, 0x80, 0xA9], [0x0B], [0x0C], [0x00],
      [0x0E, 0x8D, 0x8A],
    ] as [[UInt8]])
  func otherNewlineLikeBytesAreNotBreaks(pattern: [UInt8]) {
    for length in [1, 15, 16, 63, 64, 65, 128, 200, 300] {
      let bytes = (0..<length).map { pattern[$0 % pattern.count] }
      #expect(LineBreakFinder.firstLineBreak(in: bytes, range: 0..<length) == nil)
      #expect(LineBreakFinder.scalarFirstLineBreak(in: bytes, range: 0..<length) == nil)
      #expect(LineBreakFinder.firstLineBreak(in: bytes, range: 1..<length) == nil)
    }
  }

  @Test func noByteButCRAndLFIsABreak() {
    // Every other byte value, several times over so that each lands in every vector lane.
    let bytes = Array(repeating: Self.nonBreakBytes, count: 5).flatMap { $0 }
    #expect(LineBreakFinder.firstLineBreak(in: bytes, range: 0..<bytes.count) == nil)
    for start in [1, 13, 64, 101] {
      #expect(LineBreakFinder.firstLineBreak(in: bytes, range: start..<bytes.count) == nil)
    }
    var withBreak = bytes
    withBreak.append(Self.cr)
    #expect(
      LineBreakFinder.firstLineBreak(in: withBreak, range: 0..<withBreak.count) == bytes.count)
  }
}
