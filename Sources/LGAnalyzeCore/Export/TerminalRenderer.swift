/// Renders one transcript for a terminal: what `lganalyze show` prints.
///
/// The run's header, then its messages in order under a header for each node they came from,
/// each tool call with its arguments and, indented under it, its result; then the interrupts and
/// the error of a run that stopped. Everything taken from the data goes through `TerminalText`,
/// so a transcript cannot send escape sequences to the terminal that shows it.
public enum TerminalRenderer {
  /// `transcript` as text ending with a line break; ANSI colours only when `useColor`.
  public static func render(_ transcript: Transcript, useColor: Bool) -> String {
    var printer = Printer(useColor: useColor)
    let run = transcript.run
    printer.line(printer.paint("Run \(clean(run.runID))", .bold))
    printer.field("graph", run.graphID.map(clean) ?? "unknown")
    printer.field("thread", run.threadID.map(clean) ?? "unknown")
    printer.field("status", printer.paint(clean(run.status), statusStyle(run.status)))
    if run.isDamaged {
      printer.field("damaged", printer.paint(TranscriptLayout.damageNote, .yellow))
    }
    if run.attempt > 1 { printer.field("attempt", String(run.attempt)) }
    printer.field(
      "started",
      TranscriptLayout.startedAt(run).map { "\($0) (from the run id)" }
        ?? "unknown (the run id is not a UUIDv7)")
    if let tokens = TranscriptLayout.runTokens(run) { printer.field("tokens", tokens) }

    let answered = TranscriptLayout.answeredCallIDs(transcript)
    var currentNode: String?
    for message in transcript.messages
    where !TranscriptLayout.isShownUnderCall(message, answered: answered) {
      printer.blank()
      if let node = message.node, node != currentNode {
        printer.line(printer.paint("── \(clean(node)) ──", .cyan))
      }
      currentNode = message.node
      printMessage(message, runStart: UUIDv7.milliseconds(of: run.runID), into: &printer)
    }

    for interrupt in TranscriptLayout.interrupts(transcript) {
      printer.blank()
      let id = interrupt.id.map { " " + printer.paint(clean($0), .dim) } ?? ""
      printer.line(printer.paint("interrupt", .yellow, .bold) + id)
      printer.block(clean(interrupt.value), indent: 2)
    }
    if let error = run.error {
      printer.blank()
      printer.line(printer.paint("error", .red, .bold))
      printer.block(clean(error), indent: 2, style: .red)
    }
    return printer.output
  }

  private static func printMessage(
    _ message: Message, runStart: Int64?, into printer: inout Printer
  ) {
    var heading = printer.paint(TranscriptLayout.role(of: clean(message.type)), roleStyle(message))
    var details: [String] = []
    if message.type == "tool", let id = message.toolCallID { details.append("answers \(id)") }
    if let model = message.model { details.append(model) }
    if let tokens = TranscriptLayout.tokens(message.usage) { details.append(tokens) }
    // When the model call began, from the UUIDv7 in its lc_run id: an inference, said so.
    if let runStart, let called = message.modelCallID.flatMap(UUIDv7.milliseconds(of:)) {
      details.append(
        String(format: "called at +%.3f s (inferred from ids)", Double(called - runStart) / 1000))
    }
    if !details.isEmpty {
      heading += " " + printer.paint(clean(details.joined(separator: " · ")), .dim)
    }
    printer.line(heading)
    printer.block(clean(message.content), indent: 2)
    for call in message.toolCalls {
      let id = call.toolCallID.map { " " + printer.paint(clean($0), .dim) } ?? ""
      let invalid = call.argsValid ? "" : " " + printer.paint("(arguments are not JSON)", .red)
      printer.line("  " + printer.paint("→ \(clean(call.name))", .yellow) + id + invalid)
      printer.block(clean(TranscriptLayout.argumentsText(call)), indent: 4)
      if let result = call.result {
        printer.line("      " + printer.paint("← result", .green))
        printer.block(clean(result), indent: 8)
      }
    }
  }

  private static func clean(_ text: String) -> String { TerminalText.sanitize(text) }

  private static func statusStyle(_ status: String) -> Style {
    switch status {
    case "success": .green
    case "error": .red
    default: .yellow
    }
  }

  private static func roleStyle(_ message: Message) -> Style {
    switch message.type {
    case "human": .green
    case "ai": .blue
    case "tool": .magenta
    default: .bold
    }
  }

  /// The SGR codes the renderer uses.
  fileprivate enum Style: String {
    case bold = "1"
    case dim = "2"
    case red = "31"
    case green = "32"
    case yellow = "33"
    case blue = "34"
    case magenta = "35"
    case cyan = "36"
  }

  /// Collects the lines; colours them only when asked to.
  fileprivate struct Printer {
    let useColor: Bool
    var output = ""

    func paint(_ text: String, _ styles: Style...) -> String {
      guard useColor, !styles.isEmpty, !text.isEmpty else { return text }
      return "\u{1B}[" + styles.map(\.rawValue).joined(separator: ";") + "m" + text + "\u{1B}[0m"
    }

    mutating func line(_ text: String) { output += text + "\n" }

    mutating func blank() {
      if !output.isEmpty && !output.hasSuffix("\n\n") { output += "\n" }
    }

    mutating func field(_ name: String, _ value: String) {
      line("  " + paint(name.padding(to: 8), .dim) + value)
    }

    /// Every line of `text` indented by `indent` spaces. Blank lines around the text are left
    /// out: models often start an answer with line breaks, which would only push it away from
    /// its heading.
    mutating func block(_ text: String, indent: Int, style: Style? = nil) {
      let pad = String(repeating: " ", count: indent)
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      let isBlank = { (line: Substring) in line.allSatisfy(\.isWhitespace) }
      guard let first = lines.firstIndex(where: { !isBlank($0) }),
        let last = lines.lastIndex(where: { !isBlank($0) })
      else { return }
      for textLine in lines[first...last] {
        let body = style.map { paint(String(textLine), $0) } ?? String(textLine)
        line(textLine.isEmpty ? "" : pad + body)
      }
    }
  }
}

extension String {
  /// The string padded with spaces to `width` characters, for aligned labels.
  fileprivate func padding(to width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}
