/// Makes untrusted text safe to print on a terminal.
///
/// Model output and tool results can hold escape sequences that recolour, move the cursor,
/// clear the screen, set the window title or write hyperlinks and clipboard contents (OSC 52).
/// Printing them raw would let a transcript rewrite what the reader sees, so every control
/// character goes except line feed and tab: ESC and the sequences it starts, the rest of C0,
/// DEL, and C1 (U+0080–U+009F, which some terminals obey as 8-bit CSI, OSC and so on). So do
/// the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
/// reorder the text after them until the line ends: "Trojan Source" text that shows one thing
/// and says another.
///
/// Every command uses this for what it prints to a terminal from the data; what it writes to
/// files and pipes keeps the data exactly.
public enum TerminalText {
  private static let escape: UInt32 = 0x1B
  private static let bell: UInt32 = 0x07
  /// The C1 string terminator, and the 8-bit CSI.
  private static let stringTerminator: UInt32 = 0x9C
  private static let controlSequenceIntroducer: UInt32 = 0x9B

  /// `text` with every control character, escape sequence and bidirectional override removed.
  public static func sanitize(_ text: String) -> String {
    let scalars = Array(text.unicodeScalars)
    guard scalars.contains(where: { isControl($0.value) }) else { return text }
    var kept = String.UnicodeScalarView()
    var index = 0
    while index < scalars.count {
      let value = scalars[index].value
      guard isControl(value) else {
        kept.append(scalars[index])
        index += 1
        continue
      }
      index = endOfSequence(startingAt: index, in: scalars)
    }
    return String(kept)
  }

  /// True for what must not reach the terminal: C0 but line feed and tab, DEL, C1, and the
  /// bidirectional embeddings, overrides and isolates.
  static func isControl(_ value: UInt32) -> Bool {
    (value < 0x20 && value != 0x0A && value != 0x09) || (0x7F...0x9F).contains(value)
      || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
  }

  /// The index after the control character at `start` and the sequence it introduces.
  ///
  /// A sequence whose end is missing ends where it stops looking like one, so that cut-off
  /// escape codes cannot swallow the text after them.
  private static func endOfSequence(startingAt start: Int, in scalars: [Unicode.Scalar]) -> Int {
    let value = scalars[start].value
    if value == controlSequenceIntroducer { return endOfControlSequence(from: start + 1, scalars) }
    if [0x90, 0x98, 0x9D, 0x9E, 0x9F].contains(value) {
      return endOfControlString(from: start + 1, scalars) ?? start + 1
    }
    guard value == escape, start + 1 < scalars.count else { return start + 1 }
    let next = scalars[start + 1].value
    switch next {
    case 0x5B:  // ESC [ : CSI
      return endOfControlSequence(from: start + 2, scalars)
    case 0x5D, 0x50, 0x58, 0x5E, 0x5F:  // ESC ] OSC, P DCS, X SOS, ^ PM, _ APC
      return endOfControlString(from: start + 2, scalars) ?? start + 2
    case 0x20...0x2F:  // intermediate bytes, then one final byte
      var index = start + 1
      while index < scalars.count, (0x20...0x2F).contains(scalars[index].value) { index += 1 }
      if index < scalars.count, (0x30...0x7E).contains(scalars[index].value) { index += 1 }
      return index
    case 0x30...0x7E:  // a two-character escape such as ESC c (reset) or ESC 7
      return start + 2
    default:
      return start + 1
    }
  }

  /// After a CSI: parameter bytes, intermediate bytes, then the final byte.
  private static func endOfControlSequence(from start: Int, _ scalars: [Unicode.Scalar]) -> Int {
    var index = start
    while index < scalars.count, (0x30...0x3F).contains(scalars[index].value) { index += 1 }
    while index < scalars.count, (0x20...0x2F).contains(scalars[index].value) { index += 1 }
    if index < scalars.count, (0x40...0x7E).contains(scalars[index].value) { index += 1 }
    return index
  }

  /// After an OSC, DCS, SOS, PM or APC: the index after its BEL or string terminator, or nil
  /// when there is none.
  private static func endOfControlString(from start: Int, _ scalars: [Unicode.Scalar]) -> Int? {
    var index = start
    while index < scalars.count {
      let value = scalars[index].value
      if value == bell || value == stringTerminator { return index + 1 }
      if value == escape, index + 1 < scalars.count, scalars[index + 1] == "\\" {
        return index + 2
      }
      index += 1
    }
    return nil
  }
}
