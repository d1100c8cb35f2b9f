/// How many columns of a terminal text takes.
///
/// Terminals draw most characters one column wide, East Asian wide and fullwidth characters
/// (CJK ideographs, kana, Hangul syllables, fullwidth forms) and emoji two columns, and
/// combining marks, joiners and other format characters in no column of their own. Widths are
/// summed per grapheme cluster, what a reader sees as one character, so that an emoji sequence
/// counts once: 🌧️ (a cloud and variation selector 16), 👩‍💻 (two emoji joined by U+200D) and
/// 🇧🇷 (two regional indicators) are each two columns; é written as e + U+0301 is one.
///
/// Unicode leaves the width of some characters to the terminal (East Asian "ambiguous" ones
/// such as °, …, and text-style symbols such as 🌧 without a variation selector): they count as
/// one column, as in most Western terminals and in wcwidth(3).
public enum DisplayWidth {
  /// The columns `text` takes.
  public static func of(_ text: String) -> Int {
    text.reduce(0) { $0 + of($1) }
  }

  /// The columns one character (a grapheme cluster) takes: 0, 1 or 2.
  public static func of(_ character: Character) -> Int {
    let scalars = character.unicodeScalars
    guard let first = scalars.first else { return 0 }
    if character.isASCII {
      // Also a CR LF cluster: controls take no column.
      return first.value >= 0x20 && first.value != 0x7F ? 1 : 0
    }
    // Emoji are wide when they show as emoji: by default, or when variation selector 16 asks.
    if scalars.contains(where: { $0.properties.isEmojiPresentation })
      || (first.properties.isEmoji && scalars.contains(variationSelector16))
    {
      return 2
    }
    // The first scalar that takes a column decides; the marks after it draw on it.
    for scalar in scalars {
      let width = Self.width(of: scalar)
      if width > 0 { return width }
    }
    return 0
  }

  /// The longest start of `text` that fits in `columns`, cut between characters.
  public static func prefix(of text: String, fittingIn columns: Int) -> String {
    var used = 0
    var end = text.startIndex
    for index in text.indices {
      let width = of(text[index])
      if used + width > columns { break }
      used += width
      end = text.index(after: index)
    }
    return String(text[..<end])
  }

  private static let variationSelector16: Unicode.Scalar = "\u{FE0F}"
  private static let softHyphen: UInt32 = 0xAD

  /// The columns a scalar takes on its own.
  private static func width(of scalar: Unicode.Scalar) -> Int {
    let value = scalar.value
    if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format, .lineSeparator, .paragraphSeparator:
      // A soft hyphen is a format character that terminals draw as a hyphen.
      return value == softHyphen ? 1 : 0
    default:
      break
    }
    // Hangul vowels and final consonants join the syllable before them.
    if (0x1160...0x11FF).contains(value) { return 0 }
    return wideRanges.contains { $0.contains(value) } ? 2 : 1
  }

  /// East Asian Wide and Fullwidth code points (Unicode's EastAsianWidth.txt, W and F) that
  /// are not emoji, which the emoji properties cover.
  private static let wideRanges: [ClosedRange<UInt32>] = [
    0x1100...0x115F,  // Hangul leading consonants
    0x2329...0x232A,  // angle brackets
    0x2E80...0x303E,  // CJK radicals, ideographic description, CJK symbols and punctuation
    0x3041...0x33FF,  // kana, bopomofo, Hangul compatibility jamo, kanbun, CJK compatibility
    0x3400...0x4DBF,  // CJK extension A
    0x4E00...0x9FFF,  // CJK unified ideographs
    0xA000...0xA4CF,  // Yi
    0xA960...0xA97F,  // Hangul jamo extended A
    0xAC00...0xD7A3,  // Hangul syllables
    0xF900...0xFAFF,  // CJK compatibility ideographs
    0xFE10...0xFE19,  // vertical forms
    0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
    0xFF00...0xFF60,  // fullwidth forms
    0xFFE0...0xFFE6,  // fullwidth signs
    0x16FE0...0x16FE4, 0x16FF0...0x16FF1,  // ideographic symbols
    0x17000...0x18CFF, 0x18D00...0x18D08,  // Tangut, Khitan
    0x1AFF0...0x1B2FF,  // kana supplement and extensions, Nüshu
    0x1F200...0x1F265,  // enclosed ideographic supplement
    0x20000...0x2FFFD,  // CJK extensions B to F, compatibility supplement
    0x30000...0x3FFFD,  // CJK extensions G and H
  ]
}
