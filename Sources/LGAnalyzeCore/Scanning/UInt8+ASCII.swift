/// Named ASCII bytes, so that scanning code never compares against bare numbers.
extension UInt8 {
  static let lf = UInt8(ascii: "\n")
  static let cr = UInt8(ascii: "\r")
  static let tab = UInt8(ascii: "\t")
  static let space = UInt8(ascii: " ")
  static let colon = UInt8(ascii: ":")
  static let comma = UInt8(ascii: ",")
  static let quote = UInt8(ascii: "\"")
  static let apostrophe = UInt8(ascii: "'")
  static let backtick = UInt8(ascii: "`")
  static let backslash = UInt8(ascii: "\\")
  static let openBrace = UInt8(ascii: "{")
  static let closeBrace = UInt8(ascii: "}")
  static let openBracket = UInt8(ascii: "[")
  static let closeBracket = UInt8(ascii: "]")
  static let openParen = UInt8(ascii: "(")
  static let closeParen = UInt8(ascii: ")")
  static let minus = UInt8(ascii: "-")
  static let plus = UInt8(ascii: "+")
  static let dot = UInt8(ascii: ".")
  static let pipe = UInt8(ascii: "|")
  static let digitZero = UInt8(ascii: "0")
  static let digitNine = UInt8(ascii: "9")

  /// True for the bytes JSON, Python and JavaScript all treat as white space between tokens.
  var isLiteralWhitespace: Bool { self == .space || self == .lf || self == .cr || self == .tab }

  /// True for `0`…`9`.
  var isDigit: Bool { self >= .digitZero && self <= .digitNine }

  /// The value of a hexadecimal digit, or nil.
  var hexDigitValue: UInt32? {
    switch self {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(self - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(self - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(self - UInt8(ascii: "A") + 10)
    default: return nil
    }
  }

  /// True for bytes that may start or continue an identifier (`run_id`, `$x`) in a JS literal,
  /// including every byte of a non-ASCII character.
  var isIdentifierByte: Bool {
    switch self {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "$"):
      return true
    default:
      return self >= 0x80
    }
  }
}
