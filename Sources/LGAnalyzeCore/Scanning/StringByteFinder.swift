// StringByteFinder skips the inside of a JSON string 64 bytes at a time.
//
// Most payload bytes lie inside strings (message text, ids, metadata values), and inside a string
// only four kinds of byte matter: the closing quote, a backslash starting an escape, a control
// byte below 0x20 (invalid raw), and a byte at or above 0x80 (the start of a multi-byte UTF-8
// character, to be validated). The kernel compares 16-byte vectors against those four
// conditions, ORs the masks and reinterprets them as two UInt64 words; zero words mean 16 bytes
// of plain ASCII text, skipped with a handful of instructions. The scalar loop finishes the tail
// and is the reference the tests compare against.

/// Finds the next byte inside a JSON string that needs attention.
public enum StringByteFinder {
  /// The index of the first `"`, `\`, byte < 0x20, byte >= 0x80 or `delimiter` in
  /// `bytes[range]`, or `range.upperBound` when there is none. The delimiter is the string's
  /// closing quote when that is not `"` (Python's `'`, JavaScript's backtick).
  public static func firstSpecialByte(
    in bytes: [UInt8], range: Range<Int>, delimiter: UInt8 = 0x22
  ) -> Int {
    precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range out of bounds")
    return unsafe bytes.withUnsafeBytes { raw in
      var position = range.lowerBound
      let quote = SIMD16<UInt8>(repeating: .quote)
      let backslash = SIMD16<UInt8>(repeating: .backslash)
      let control = SIMD16<UInt8>(repeating: 0x20)
      let high = SIMD16<UInt8>(repeating: 0x7F)
      let closer = SIMD16<UInt8>(repeating: delimiter)
      while position + 16 <= range.upperBound {
        // Safe: position + 16 <= range.upperBound <= bytes.count by the loop condition.
        let v = unsafe raw.loadUnaligned(fromByteOffset: position, as: SIMD16<UInt8>.self)
        let mask =
          (v .== quote) .| (v .== backslash) .| (v .< control) .| (v .> high) .| (v .== closer)
        // Safe: SIMDMask<SIMD16<Int8>> is stored as 16 bytes, the size of SIMD2<UInt64>.
        let words = unsafe unsafeBitCast(mask, to: SIMD2<UInt64>.self)
        if words[0] != 0 { return position + words[0].trailingZeroBitCount / 8 }
        if words[1] != 0 { return position + 8 + words[1].trailingZeroBitCount / 8 }
        position += 16
      }
      return scalarFirstSpecialByte(
        in: bytes, range: position..<range.upperBound, delimiter: delimiter)
    }
  }

  /// The byte-at-a-time reference for `firstSpecialByte`.
  public static func scalarFirstSpecialByte(
    in bytes: [UInt8], range: Range<Int>, delimiter: UInt8 = 0x22
  ) -> Int {
    var position = range.lowerBound
    while position < range.upperBound {
      let byte = bytes[position]
      if byte == .quote || byte == .backslash || byte < 0x20 || byte >= 0x80 || byte == delimiter {
        return position
      }
      position += 1
    }
    return range.upperBound
  }
}
