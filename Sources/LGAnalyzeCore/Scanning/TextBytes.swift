#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Byte-level questions about text, answered with the C library's vectorized search.
public enum TextBytes {
  /// True when `text` contains U+0000 (the NUL byte in UTF-8).
  ///
  /// Asked of every text value before it is bound for SQLite, so it must cost next to nothing:
  /// `memchr` runs at memory speed where iterating `String.UTF8View` goes byte by byte.
  public static func containsNUL(_ text: String) -> Bool {
    var native = text
    return native.withUTF8 { buffer in
      // Safe: the pointer is used only inside the closure, for buffer.count bytes.
      guard let base = buffer.baseAddress else { return false }
      return unsafe memchr(base, 0, buffer.count) != nil
    }
  }

  /// True when `bytes` holds the UTF-8 of `text` at `offset` (the bytes after it may be
  /// anything).
  ///
  /// Object keys are looked up this way on every event, so the comparison is one `memcmp`
  /// rather than a walk over `String.UTF8View`.
  public static func bytes(_ bytes: [UInt8], at offset: Int, equal text: String) -> Bool {
    var native = text
    return native.withUTF8 { textBuffer in
      guard offset >= 0, textBuffer.count <= bytes.count - offset else { return false }
      guard let textBase = textBuffer.baseAddress else { return true }
      return unsafe bytes.withUnsafeBufferPointer { buffer in
        // Safe: offset + textBuffer.count <= bytes.count was checked above, and both pointers
        // are used only inside their closures.
        guard let base = buffer.baseAddress else { return false }
        return unsafe memcmp(base + offset, textBase, textBuffer.count) == 0
      }
    }
  }

  /// `bytes[range]` decoded as UTF-8, invalid sequences repaired as `String(decoding:as:)`
  /// repairs them.
  ///
  /// Decoding an ArraySlice costs a retain and a release of the source's buffer; reassembly
  /// decodes a string out of a payload for nearly every key it looks up.
  public static func string(_ bytes: [UInt8], range: Range<Int>) -> String {
    precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range out of bounds")
    return unsafe bytes.withUnsafeBufferPointer { buffer in
      // Safe: the range lies inside the buffer (checked above), which outlives the call.
      unsafe String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
    }
  }

  /// Appends `bytes[range]` to `output`.
  ///
  /// `output.append(contentsOf: bytes[range])` retains and releases the source's buffer for the
  /// slice; the literal reader copies a run of a string this way for nearly every string it
  /// reads, and those two atomic operations took a third of its time.
  public static func append(_ bytes: [UInt8], range: Range<Int>, to output: inout [UInt8]) {
    precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range out of bounds")
    unsafe bytes.withUnsafeBufferPointer { buffer in
      // Safe: the range lies inside the buffer (checked above), which outlives the call.
      unsafe output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[range]))
    }
  }

  /// True when `bytes[range]` and `other[otherRange]` hold the same bytes.
  public static func bytes(
    _ bytes: [UInt8], range: Range<Int>, equal other: [UInt8], _ otherRange: Range<Int>
  ) -> Bool {
    precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range out of bounds")
    precondition(
      otherRange.lowerBound >= 0 && otherRange.upperBound <= other.count, "range out of bounds")
    guard range.count == otherRange.count else { return false }
    guard !range.isEmpty else { return true }
    return unsafe bytes.withUnsafeBufferPointer { buffer in
      unsafe other.withUnsafeBufferPointer { otherBuffer in
        // Safe: both ranges lie inside their buffers (checked above) and are not empty, so
        // the base addresses exist; the pointers are used only inside the closures.
        guard let base = buffer.baseAddress, let otherBase = otherBuffer.baseAddress else {
          return false
        }
        return unsafe memcmp(
          base + range.lowerBound, otherBase + otherRange.lowerBound, range.count) == 0
      }
    }
  }
}
