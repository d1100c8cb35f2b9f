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
