import LGAnalyzeCore

/// Payload texts inside one buffer: the inputs of the JSON and literal readers, found once.
public struct PayloadSet: Sendable {
  public var buffer: [UInt8]
  public var ranges: [Range<Int>]
  /// Payloads found but left out because the reader under test refuses them.
  public var refused: Int

  /// The bytes of all payloads together.
  public var byteCount: Int { ranges.reduce(0) { $0 + $1.count } }
}

public enum Payloads {
  /// The value of every `data:` line of an SSE stream (the space after the colon is not part
  /// of it) that reads as JSON. A multi-line data field is not one payload per line and is left
  /// out; the samples have none.
  public static func sseData(in stream: [UInt8]) -> PayloadSet {
    let prefix = Array("data:".utf8)
    var ranges: [Range<Int>] = []
    var refused = 0
    for line in LineReader(bytes: stream) {
      let content = line.content
      guard content.count > prefix.count, stream[content].starts(with: prefix) else { continue }
      var start = content.lowerBound + prefix.count
      if stream[start] == 0x20 { start += 1 }
      let range = start..<content.upperBound
      if (try? JSONTapeBuilder.build(stream, range: range)) != nil {
        ranges.append(range)
      } else {
        refused += 1
      }
    }
    return PayloadSet(buffer: stream, ranges: ranges, refused: refused)
  }

  /// The payloads of Python SDK transcripts (`Receiving new event of type: X...` followed by
  /// `print(chunk.data)`): the text from the first non-blank line after a header up to the end
  /// of the last non-blank line before the next one, kept when it reads as a Python literal.
  public static func pythonTranscript(_ samples: [SampleFile]) -> PayloadSet {
    let header = Array("Receiving new event of type: ".utf8)
    var buffer: [UInt8] = []
    var ranges: [Range<Int>] = []
    var refused = 0
    for sample in samples {
      let base = buffer.count
      buffer.append(contentsOf: sample.bytes)
      buffer.append(0x0A)
      var payload: Range<Int>?
      func finish() {
        defer { payload = nil }
        guard let range = payload else { return }
        if (try? LiteralReader.transcode(buffer, range: range, dialect: .python)) != nil {
          ranges.append(range)
        } else {
          refused += 1
        }
      }
      for line in LineReader(bytes: buffer, range: base..<buffer.count) {
        let content = line.content
        if buffer[content].starts(with: header) {
          finish()
          continue
        }
        guard buffer[content].contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
        payload = (payload?.lowerBound ?? content.lowerBound)..<content.upperBound
      }
      finish()
    }
    return PayloadSet(buffer: buffer, ranges: ranges, refused: refused)
  }
}
