/// How a result table is printed.
public enum TableFormat: String, Sendable, CaseIterable {
  /// Aligned columns for a terminal.
  case table
  /// RFC 4180 CSV with a header row.
  case csv
  /// A JSON array of objects keyed by column name.
  case json
}

/// Prints result tables (of `runs`, `stats`, `query`, `search`) as a table, CSV or JSON.
public enum ResultTableWriter {
  /// The widest a table cell gets before it is cut with `…`.
  public static let maximumCellWidth = 60

  /// `table` rendered in `format`, ending with a newline.
  public static func render(_ table: ResultTable, as format: TableFormat) -> String {
    switch format {
    case .table: renderTable(table)
    case .csv: renderCSV(table)
    case .json: renderJSON(table)
    }
  }

  static func text(_ value: JSONValue) -> String {
    switch value {
    case .null: ""
    case .string(let text): text
    case .number(let text): text
    default: CanonicalJSONWriter.string(value)
    }
  }

  /// Aligned columns, padded by the columns each cell takes on a terminal (see `DisplayWidth`),
  /// so that accented, CJK and emoji text lines up and is never cut by the padding; a cell
  /// wider than `maximumCellWidth` is cut between characters and ends in `…`.
  private static func renderTable(_ table: ResultTable) -> String {
    func cell(_ text: String) -> String {
      // A table is for reading on a terminal: escape sequences, controls and bidirectional
      // overrides go (TerminalText), and each row is one line, its breaks and tabs spaces.
      let flat = String(
        String.UnicodeScalarView(
          TerminalText.sanitize(text).unicodeScalars.map { scalar in
            scalar == "\n" || scalar == "\t" ? " " : scalar
          }))
      return DisplayWidth.of(flat) > maximumCellWidth
        ? DisplayWidth.prefix(of: flat, fittingIn: maximumCellWidth - 1) + "…" : flat
    }
    let header = table.columns.map(cell)
    let cells = table.rows.map { row in row.map { cell(text($0)) } }
    var widths = header.map(DisplayWidth.of)
    for row in cells {
      for (index, cell) in row.enumerated() where index < widths.count {
        widths[index] = max(widths[index], DisplayWidth.of(cell))
      }
    }
    func line(_ values: [String]) -> String {
      values.enumerated().map { index, value in
        guard index < widths.count else { return value }
        return value + String(repeating: " ", count: max(0, widths[index] - DisplayWidth.of(value)))
      }.joined(separator: "  ").replacing(/\s+$/, with: "")
    }
    var output = line(header) + "\n"
    output += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
    for row in cells { output += line(row) + "\n" }
    return output
  }

  private static func renderCSV(_ table: ResultTable) -> String {
    func field(_ text: String) -> String {
      guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
        return text
      }
      return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    var output = table.columns.map(field).joined(separator: ",") + "\r\n"
    for row in table.rows {
      output += row.map { field(text($0)) }.joined(separator: ",") + "\r\n"
    }
    return output
  }

  private static func renderJSON(_ table: ResultTable) -> String {
    let objects = table.rows.map { row in
      JSONValue.object(JSONObject(Array(zip(table.columns, row))))
    }
    return CanonicalJSONWriter.string(.array(objects)) + "\n"
  }
}
