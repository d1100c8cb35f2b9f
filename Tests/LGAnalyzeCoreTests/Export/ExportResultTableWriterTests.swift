import LGAnalyzeCore
import Testing

/// Result tables as `runs`, `stats`, `query` and `search` print them on a terminal: columns
/// padded by the columns text takes there, whatever its script.
@Suite struct ExportResultTableWriterTests {
  @Test(arguments: [
    ("a", 1), ("São", 3), ("°C.", 3), ("e\u{301}", 1), ("東京", 4), ("한국어", 6),
    ("ｱ", 1), ("Ａ", 2), ("🌞", 2), ("🌧️", 2), ("🌧", 1), ("👩‍💻", 2), ("🇧🇷", 2),
    ("1️⃣", 2), ("a\u{200B}b", 2), ("", 0),
  ])
  func displayWidthCountsTheColumnsATerminalDraws(_ text: String, _ columns: Int) {
    #expect(DisplayWidth.of(text) == columns, "\(text.unicodeScalars.map(\.value))")
  }

  @Test func cellsAreNeverCutByPaddingAndColumnsLineUp() {
    let weather = "It is sunny in São Paulo 🌧️, 24 °C."
    let table = ResultTable(
      columns: ["city", "n"],
      rows: [
        [.string("東京"), .number("1")], [.string("São Paulo 🌧️"), .number("2")],
        [.string("e\u{301}te\u{301}"), .number("3")], [.string(weather), .number("4")],
      ])
    let width = 35  // the weather text: 33 one-column characters and a two-column emoji
    func row(_ cell: String, columns: Int, _ n: String) -> String {
      cell + String(repeating: " ", count: width - columns + 2) + n
    }
    let expected = [
      row("city", columns: 4, "n"),
      String(repeating: "-", count: width) + "  -",
      row("東京", columns: 4, "1"),
      row("São Paulo 🌧️", columns: 12, "2"),
      row("e\u{301}te\u{301}", columns: 3, "3"),
      weather + "  4",
    ]
    #expect(ResultTableWriter.render(table, as: .table) == expected.joined(separator: "\n") + "\n")
  }

  @Test func aWideCellIsCutBetweenCharactersToTheMaximumWidth() {
    let ideographs = String(repeating: "字", count: 40)  // 80 columns
    let emoji = "ab" + String(repeating: "🌞", count: 40)
    let table = ResultTable(columns: ["a", "b"], rows: [[.string(ideographs), .string(emoji)]])
    let lines = ResultTableWriter.render(table, as: .table).split(separator: "\n")
    // 29 ideographs take 58 columns; a 30th would leave no room for the ellipsis.
    let cutIdeographs = String(repeating: "字", count: 29) + "…"
    let cutEmoji = "ab" + String(repeating: "🌞", count: 28) + "…"
    #expect(lines.last == Substring(cutIdeographs + "  " + cutEmoji))
    #expect(
      lines[1]
        == Substring(String(repeating: "-", count: 59) + "  " + String(repeating: "-", count: 59)))
  }
}
