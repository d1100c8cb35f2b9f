/// Renders transcripts as Markdown that reads the same in every viewer.
///
/// Text from the data never becomes Markdown syntax: message text, arguments and results go in
/// fenced blocks and names in code spans, each fence longer than any run of backticks inside,
/// so a model's `#`, `<script>` or stray fence cannot restructure the document or inject HTML.
enum MarkdownRenderer {
  static func render(_ transcripts: [Transcript]) -> String {
    var sections: [String] = []
    for transcript in transcripts { sections.append(renderRun(transcript)) }
    return sections.joined(separator: "\n---\n\n")
  }

  private static func renderRun(_ transcript: Transcript) -> String {
    let run = transcript.run
    var output = "# Run \(code(run.runID))\n\n"
    output += "- Status: **\(plain(run.status))**\n"
    if run.isDamaged { output += "- Damaged: \(TranscriptLayout.damageNote)\n" }
    output += "- Graph: \(run.graphID.map(code) ?? "unknown")\n"
    output += "- Thread: \(run.threadID.map(code) ?? "unknown")\n"
    if run.attempt > 1 { output += "- Attempt: \(run.attempt)\n" }
    output +=
      "- Started: "
      + (TranscriptLayout.startedAt(run).map { "\($0) (from the run id)" } ?? "unknown") + "\n"
    if let tokens = TranscriptLayout.runTokens(run) { output += "- Tokens: \(tokens)\n" }
    output += "\n"

    let answered = TranscriptLayout.answeredCallIDs(transcript)
    for message in transcript.messages
    where !TranscriptLayout.isShownUnderCall(message, answered: answered) {
      output += renderMessage(message)
    }
    for interrupt in TranscriptLayout.interrupts(transcript) {
      output += "## Interrupt"
      if let id = interrupt.id { output += " \(code(id))" }
      output += "\n\n" + fenced(interrupt.value, language: "json")
    }
    if let error = run.error {
      output += "## Error\n\n" + fenced(error, language: "text")
    }
    // Every block ends with a blank line; the run ends with just its line break.
    while output.hasSuffix("\n\n") { output.removeLast() }
    return output
  }

  private static func renderMessage(_ message: Message) -> String {
    var heading = "## \(plain(TranscriptLayout.role(of: message.type)))"
    if let node = message.node { heading += " · node \(code(node))" }
    if message.type == "tool", let id = message.toolCallID { heading += " · answers \(code(id))" }
    var output = heading + "\n\n"
    var details: [String] = []
    if let model = message.model { details.append("model \(code(model))") }
    if let tokens = TranscriptLayout.tokens(message.usage) { details.append(tokens) }
    if !details.isEmpty { output += "_" + details.joined(separator: " · ") + "_\n\n" }
    if !message.content.isEmpty { output += fenced(message.content, language: "text") }
    for call in message.toolCalls {
      output += "**Tool call** \(code(call.name))"
      if let id = call.toolCallID { output += " · id \(code(id))" }
      if !call.argsValid { output += " · arguments are not valid JSON" }
      // Arguments that are not a JSON object are shown as the text they are, not as JSON.
      let isJSON = TranscriptExporter.argsValue(call).objectValue != nil
      output +=
        "\n\n" + fenced(TranscriptLayout.argumentsText(call), language: isJSON ? "json" : "text")
      if let result = call.result {
        output += "**Result**\n\n" + fenced(result, language: "text")
      }
    }
    return output
  }

  /// `text` in a fenced block whose fence is longer than any backtick run inside it.
  static func fenced(_ text: String, language: String) -> String {
    let fence = String(repeating: "`", count: max(3, longestBacktickRun(text) + 1))
    // Scalars, not characters: a final "\r\n" is one Character that is not "\n".
    let body = text.unicodeScalars.last == "\n" ? text : text + "\n"
    return "\(fence)\(language)\n\(body)\(fence)\n\n"
  }

  /// `text` as an inline code span on one line, delimited by more backticks than it contains.
  static func code(_ text: String) -> String {
    let flat = String(
      String.UnicodeScalarView(
        text.unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 }))
    let ticks = String(repeating: "`", count: longestBacktickRun(flat) + 1)
    // A span that starts or ends with a backtick needs a space between it and the delimiter.
    let padding = flat.hasPrefix("`") || flat.hasSuffix("`") ? " " : ""
    return ticks + padding + flat + padding + ticks
  }

  /// Words of the tool's own (status, role) with Markdown's punctuation escaped, in case a
  /// database holds something unexpected there.
  private static func plain(_ text: String) -> String {
    var output = ""
    for character in text {
      if "\\`*_{}[]()#+-.!<>|~".contains(character) { output.append("\\") }
      output.append(character == "\n" || character == "\r\n" ? " " : character)
    }
    return output
  }

  private static func longestBacktickRun(_ text: String) -> Int {
    var longest = 0
    var current = 0
    for scalar in text.unicodeScalars {
      current = scalar == "`" ? current + 1 : 0
      longest = max(longest, current)
    }
    return longest
  }
}
