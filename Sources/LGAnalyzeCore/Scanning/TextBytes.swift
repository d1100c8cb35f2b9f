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
}
