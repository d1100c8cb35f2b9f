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

  private static func renderTable(_ table: ResultTable) -> String {
    let cells = table.rows.map { row in
      row.map { value -> String in
        // One line per row: breaks and control characters are shown, never obeyed.
        let flat = String(
          String.UnicodeScalarView(
            text(value).unicodeScalars.map { scalar in
              scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? " " : scalar
            }))
        return flat.count > maximumCellWidth
          ? String(flat.prefix(maximumCellWidth - 1)) + "…" : flat
      }
    }
    var widths = table.columns.map(\.count)
    for row in cells {
      for (index, cell) in row.enumerated() where index < widths.count {
        widths[index] = max(widths[index], cell.count)
      }
    }
    func line(_ values: [String]) -> String {
      values.enumerated().map { index, value in
        value.padding(toLength: widths[index], withPad: " ", startingAt: 0)
      }.joined(separator: "  ").replacing(/\s+$/, with: "")
    }
    var output = line(table.columns) + "\n"
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
