/// The syntaxes `lganalyze convert` writes a saved stream in.
public enum CaptureFormat: String, CaseIterable, Sendable {
  /// Server-Sent Events framed byte for byte as LangGraph's API server frames them.
  case sse
  /// One `{"event": …, "data": …}` object per line (`"id"` too when the event had one).
  case jsonl
  /// The streaming guide's `sed | awk` printout: a header line, the compact JSON, a blank line.
  case transcript
}

/// Writes events back out as a saved stream, so that a capture in one syntax can be turned into
/// another (a Python printout into SSE for tools that replay streams, for instance).
///
/// Payloads are written as canonical JSON — what the server itself would have sent — so reading
/// the output gives back the same events with the same canonical data, whatever syntax the
/// events were first read from. An event read from a printout that elided parts of it (Node's
/// `[Object]`) stays marked lossy: SSE carries the mark as a comment (`: lganalyze lossy`) and
/// JSONL as a `"lossy": true` member, which other readers ignore. The awk transcript has room
/// for neither, nor for stream ids, which the awk pipeline drops (see `losses(in:as:)`).
public enum CaptureWriter {
  /// `events` in `format`.
  public static func write(_ events: [SourceEvent], as format: CaptureFormat) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(events.count * 256)
    switch format {
    case .sse: writeSSE(events, into: &output)
    case .jsonl: writeJSONL(events, into: &output)
    case .transcript: writeTranscript(events, into: &output)
    }
    return output
  }

  private static let crlf: [UInt8] = [.cr, .lf]

  /// `event: NAME\r\ndata: JSON\r\n[id: ID\r\n]\r\n`, the server's `json_to_sse`.
  private static func writeSSE(_ events: [SourceEvent], into output: inout [UInt8]) {
    // An SSE id is sticky: a reader keeps the last one for every later event. The server never
    // drops an id once it sent one, but events read from JSONL may have an id and then none, so
    // an empty `id:` line (which clears it) is written in that one case to keep such events
    // without an id.
    var idInForce: String?
    for event in events {
      if event.isLossy {
        output.append(contentsOf: SSEReader.lossyMark)
        output.append(contentsOf: crlf)
      }
      output.append(contentsOf: "event: ".utf8)
      output.append(contentsOf: singleLine(event.name).utf8)
      output.append(contentsOf: crlf)
      if let payload = event.payload {
        output.append(contentsOf: "data: ".utf8)
        CanonicalJSONWriter.write(payload, into: &output)
        output.append(contentsOf: crlf)
      } else if event.name != "end" {
        // An empty data line reads back as no data. Without one, an event line and then a blank
        // line is what a stray line break leaves, which the reader reports as damage; only the
        // legacy `end` event came with no data line from the server.
        output.append(contentsOf: "data:".utf8)
        output.append(contentsOf: crlf)
      }
      let streamID = event.streamID.map(singleLine).flatMap { $0.isEmpty ? nil : $0 }
      if let streamID {
        output.append(contentsOf: "id: ".utf8)
        output.append(contentsOf: streamID.utf8)
        output.append(contentsOf: crlf)
      } else if idInForce != nil {
        output.append(contentsOf: "id: ".utf8)
        output.append(contentsOf: crlf)
      }
      idInForce = streamID
      output.append(contentsOf: crlf)
    }
  }

  /// `{"event":NAME,"data":JSON}` or `{"event":NAME,"data":JSON,"id":ID}` per line.
  private static func writeJSONL(_ events: [SourceEvent], into output: inout [UInt8]) {
    for event in events {
      var object = JSONObject()
      object["event"] = .string(event.name)
      object["data"] = event.payload ?? .null
      if let streamID = event.streamID { object["id"] = .string(streamID) }
      if event.isLossy { object["lossy"] = .bool(true) }
      CanonicalJSONWriter.write(.object(object), into: &output)
      output.append(.lf)
    }
  }

  /// `Receiving event of type: NAME...\nJSON\n\n`; an event without data has no JSON line.
  private static func writeTranscript(_ events: [SourceEvent], into output: inout [UInt8]) {
    for event in events {
      output.append(contentsOf: "Receiving event of type: ".utf8)
      output.append(contentsOf: singleLine(event.name).utf8)
      output.append(contentsOf: "...".utf8)
      output.append(.lf)
      if let payload = event.payload {
        CanonicalJSONWriter.write(payload, into: &output)
        output.append(.lf)
      }
      output.append(.lf)
    }
  }

  /// `events` in `format`, then the event the source stopped inside, cut off as a capture in
  /// `format` would be cut off there, so that reading the output says the run is incomplete.
  ///
  /// The tail is the event's name and what the source held of its payload, with no line break
  /// after it: `event: NAME` and `data: PARTIAL` for SSE, `{"event":"NAME","data":PARTIAL` for
  /// JSONL (a JSONL source's own line as it was), the header and the partial payload for a
  /// transcript. When that could read as whole (a Python repr is no JSON, but reads as a
  /// transcript payload), only the name is written, which is cut off in every format.
  public static func write(
    _ events: [SourceEvent], endingInside cut: CutOffEvent, from source: SourceFormat,
    as format: CaptureFormat
  ) -> [UInt8] {
    var output = write(events, as: format)
    let text = singleLine(trimmingWhitespace(cut.text), keepingLineBreaks: format == .transcript)
    let name = singleLine(cut.name ?? "message")
    var tail: [UInt8] = []
    switch format {
    case .sse:
      if let eventName = cut.name {
        tail += Array("event: \(singleLine(eventName))".utf8) + crlf
      }
      if !text.isEmpty { tail += Array("data: ".utf8) + text }
    case .jsonl:
      if source == .jsonl {
        tail = text
      } else {
        tail = Array(#"{"event":"#.utf8)
        CanonicalJSONWriter.write(.string(name), into: &tail)
        tail += Array(#","data":"#.utf8) + text
      }
    case .transcript:
      tail = Array("Receiving event of type: \(name)...".utf8)
      if !text.isEmpty { tail += [.lf] + text }
    }
    if tail.isEmpty || !FormatDetector.read(tail, as: FormatKind(format)).endsInsideEvent {
      switch format {
      case .sse: tail = Array("event: \(name)\r\n".utf8)
      case .jsonl:
        tail = Array(#"{"event":"#.utf8)
        CanonicalJSONWriter.write(.string(name), into: &tail)
      case .transcript: tail = Array("Receiving event of type: \(name)...".utf8)
      }
    }
    output += tail
    return output
  }

  /// `bytes` without the white space at either end.
  private static func trimmingWhitespace(_ bytes: [UInt8]) -> [UInt8] {
    guard let first = bytes.firstIndex(where: { !$0.isLiteralWhitespace }),
      let last = bytes.lastIndex(where: { !$0.isLiteralWhitespace })
    else { return [] }
    return Array(bytes[first...last])
  }

  /// `bytes` with each CR and LF left out, or with line breaks kept as LF.
  private static func singleLine(_ bytes: [UInt8], keepingLineBreaks: Bool) -> [UInt8] {
    guard bytes.contains(where: { $0 == .cr || $0 == .lf }) else { return bytes }
    var result: [UInt8] = []
    result.reserveCapacity(bytes.count)
    var previous: UInt8 = 0
    for byte in bytes {
      defer { previous = byte }
      guard byte == .cr || byte == .lf else {
        result.append(byte)
        continue
      }
      // CRLF is one line break; a lone CR or LF is one too.
      if keepingLineBreaks && !(byte == .lf && previous == .cr) { result.append(.lf) }
    }
    return result
  }

  /// What of `events` writing them as `format` would lose, in words; empty when nothing.
  public static func losses(in events: [SourceEvent], as format: CaptureFormat) -> [String] {
    guard format == .transcript else { return [] }
    var losses: [String] = []
    let lossy = events.count(where: \.isLossy)
    if lossy > 0 {
      losses.append(
        "\(lossy) event(s) read from a printout that elided parts of them would no longer be "
          + "marked lossy, and would pass for a whole capture")
    }
    let identified = events.count(where: { $0.streamID != nil })
    if identified > 0 {
      losses.append("the stream ids of \(identified) event(s) would be dropped")
    }
    return losses
  }

  /// `text` without CR and LF, as the server's `_sanitize_sse_field` leaves a field: a line
  /// break inside a name would split the event.
  private static func singleLine(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == .cr || $0 == .lf }) else { return text }
    return String(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }.map(Character.init))
  }
}
