/// Renders transcripts as one self-contained HTML page.
///
/// Each `<pre>` opens with a line break because HTML drops the first one after the tag; text
/// that itself starts with a line break would otherwise lose it.
///
/// The page carries its own CSS and nothing else: no scripts, no images, no links to load, and
/// a Content-Security-Policy that forbids them anyway. Every string from the data is escaped,
/// so a `<script>` a model wrote shows up as text.
enum HTMLRenderer {
  static func render(_ transcripts: [Transcript]) -> String {
    let title =
      transcripts.count == 1
      ? "Run \(transcripts[0].run.runID)" : "\(transcripts.count) runs"
    var output = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta http-equiv="Content-Security-Policy" \
      content="default-src 'none'; style-src 'unsafe-inline'">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="generator" content="lganalyze">
      <title>\(escape(title))</title>
      <style>\(stylesheet)</style>
      </head>
      <body>

      """
    for transcript in transcripts { output += renderRun(transcript) }
    output += "</body>\n</html>\n"
    return output
  }

  private static func renderRun(_ transcript: Transcript) -> String {
    let run = transcript.run
    var output = "<section class=\"run\">\n"
    output += "<h1>Run <code>\(escape(run.runID))</code> "
    output += "<span class=\"status \(statusClass(run.status))\">"
    output += "\(escape(run.status))</span></h1>\n"
    output += "<dl class=\"meta\">\n"
    if run.isDamaged { output += term("Damaged", escape(TranscriptLayout.damageNote)) }
    output += term("Graph", run.graphID.map(escape) ?? "unknown")
    output += term("Thread", run.threadID.map { "<code>\(escape($0))</code>" } ?? "unknown")
    if run.attempt > 1 { output += term("Attempt", String(run.attempt)) }
    output += term(
      "Started",
      TranscriptLayout.startedAt(run).map { "\(escape($0)) (from the run id)" } ?? "unknown")
    if let tokens = TranscriptLayout.runTokens(run) { output += term("Tokens", escape(tokens)) }
    output += "</dl>\n"

    let answered = TranscriptLayout.answeredCallIDs(transcript)
    for message in transcript.messages
    where !TranscriptLayout.isShownUnderCall(message, answered: answered) {
      output += renderMessage(message)
    }
    for interrupt in TranscriptLayout.interrupts(transcript) {
      output += "<div class=\"interrupt\"><div class=\"label\">Interrupt"
      if let id = interrupt.id { output += " <code>\(escape(id))</code>" }
      output += "</div>\n<pre>\n\(escape(interrupt.value))</pre></div>\n"
    }
    if let error = run.error {
      output += "<div class=\"error\"><div class=\"label\">Error</div>\n"
      output += "<pre>\n\(escape(error))</pre></div>\n"
    }
    output += "</section>\n"
    return output
  }

  private static func renderMessage(_ message: Message) -> String {
    var output = "<article class=\"message \(roleClass(message.type))\">\n<header>"
    output += "<span class=\"role\">\(escape(TranscriptLayout.role(of: message.type)))</span>"
    if let node = message.node { output += " <span class=\"node\">\(escape(node))</span>" }
    if message.type == "tool", let id = message.toolCallID {
      output += " <span class=\"detail\">answers <code>\(escape(id))</code></span>"
    }
    if let model = message.model { output += " <span class=\"detail\">\(escape(model))</span>" }
    if let tokens = TranscriptLayout.tokens(message.usage) {
      output += " <span class=\"detail\">\(escape(tokens))</span>"
    }
    output += "</header>\n"
    if !message.content.isEmpty {
      output += "<pre class=\"content\">\n\(escape(message.content))</pre>\n"
    }
    for call in message.toolCalls {
      output += "<div class=\"call\"><div class=\"label\">Tool call "
      output += "<code>\(escape(call.name))</code>"
      if let id = call.toolCallID { output += " <span class=\"detail\">\(escape(id))</span>" }
      if !call.argsValid { output += " <span class=\"warn\">arguments are not valid JSON</span>" }
      output += "</div>\n<pre class=\"args\">\n"
      output += "\(escape(TranscriptLayout.argumentsText(call)))</pre>\n"
      if let result = call.result {
        output += "<div class=\"result\"><div class=\"label\">Result</div>\n"
        output += "<pre>\n\(escape(result))</pre></div>\n"
      }
      output += "</div>\n"
    }
    output += "</article>\n"
    return output
  }

  private static func term(_ name: String, _ valueHTML: String) -> String {
    "<dt>\(name)</dt><dd>\(valueHTML)</dd>\n"
  }

  /// `text` safe in element content and in quoted attribute values.
  static func escape(_ text: String) -> String {
    var output = ""
    output.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": output += "&amp;"
      case "<": output += "&lt;"
      case ">": output += "&gt;"
      case "\"": output += "&quot;"
      case "'": output += "&#39;"
      default: output.unicodeScalars.append(scalar)
      }
    }
    return output
  }

  /// A class name for a status; only the known ones get their own colour.
  private static func statusClass(_ status: String) -> String {
    ["success", "error", "interrupted", "incomplete"].contains(status)
      ? "status-\(status)" : "status-other"
  }

  private static func roleClass(_ type: String) -> String {
    ["human", "ai", "tool", "system"].contains(type) ? "role-\(type)" : "role-other"
  }

  private static let stylesheet = """

    body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;\
    color:#1d1d1f;background:#fff}
    h1{font-size:1.3em;margin:1.5em 0 .5em}
    code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
    pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.4em 0;padding:.5em .7em;\
    background:#f6f8fa;border-radius:4px}
    .run{border-top:2px solid #d0d7de;padding-top:.5em}
    .meta{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;color:#57606a}
    .meta dt{font-weight:600}.meta dd{margin:0}
    .status{font-size:.75em;padding:.1em .5em;border-radius:1em;vertical-align:middle;\
    background:#eaeef2}
    .status-success{background:#dafbe1;color:#116329}
    .status-error{background:#ffebe9;color:#a40e26}
    .status-interrupted,.status-incomplete{background:#fff8c5;color:#7d4e00}
    .message{border-left:4px solid #d0d7de;margin:1em 0;padding:.2em .8em}
    .role-human{border-color:#2da44e}.role-ai{border-color:#0969da}
    .role-tool{border-color:#8250df}.role-system{border-color:#57606a}
    .role{font-weight:600}.node{color:#0969da}.detail{color:#57606a;font-size:.85em}
    .call{margin:.5em 0 .5em 1em}.label{font-weight:600;font-size:.9em}
    .result{margin-left:1.5em}.warn{color:#a40e26;font-size:.85em}
    .interrupt,.error{margin:1em 0;padding:.3em .8em;border-radius:4px}
    .interrupt{background:#fff8c5}.error{background:#ffebe9}

    """
}
