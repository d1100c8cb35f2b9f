import Foundation

/// One capture of the repository's Samples directory, read into memory.
public struct SampleFile: Sendable {
  /// The path below Samples, such as `sse/react_events.sse`.
  public var name: String
  /// The folder it lies in: `sse`, `jsonl` or `transcripts`.
  public var folder: String
  public var bytes: [UInt8]
}

/// The captures under Samples/, which every suite measures on.
///
/// The directory is found from the source file of the benchmark that asks (`#filePath` at the
/// call site), walking up until a folder holds `Samples/sse`, so the suites run from any working
/// directory and from a clone of any name.
public enum Samples {
  /// The folders of whole, undamaged captures (edge/ holds deliberately broken ones).
  public static let captureFolders = ["sse", "jsonl", "transcripts"]

  /// The Samples directory of the checkout that holds `file`.
  public static func directory(from file: String = #filePath) -> URL {
    var candidate = URL(fileURLWithPath: file).deletingLastPathComponent()
    while candidate.path != "/" {
      let samples = candidate.appendingPathComponent("Samples")
      if FileManager.default.fileExists(atPath: samples.appendingPathComponent("sse").path) {
        return samples
      }
      candidate = candidate.deletingLastPathComponent()
    }
    fatalError("no Samples/sse directory above \(file)")
  }

  /// The captures of `folders`, sorted by name within each folder.
  public static func load(
    _ folders: [String] = captureFolders, from file: String = #filePath
  ) -> [SampleFile] {
    let root = directory(from: file)
    var samples: [SampleFile] = []
    for folder in folders {
      let url = root.appendingPathComponent(folder)
      let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
      for name in names.sorted() where !name.hasPrefix(".") {
        guard let data = FileManager.default.contents(atPath: url.appendingPathComponent(name).path)
        else { continue }
        samples.append(SampleFile(name: "\(folder)/\(name)", folder: folder, bytes: Array(data)))
      }
    }
    precondition(!samples.isEmpty, "no samples found under \(root.path)")
    return samples
  }
}

/// Buffers made from the samples, built once per benchmark process.
public enum SampleBuffers {
  /// The captures one after another, repeated until at least `size` bytes; each capture ends
  /// with a line break so that no two captures share a line.
  public static func repeated(_ samples: [SampleFile], toAtLeast size: Int) -> [UInt8] {
    var buffer: [UInt8] = []
    buffer.reserveCapacity(size + (samples.map(\.bytes.count).max() ?? 0) + 1)
    while buffer.count < size {
      for sample in samples {
        buffer.append(contentsOf: sample.bytes)
        if sample.bytes.last != 0x0A && sample.bytes.last != 0x0D { buffer.append(0x0A) }
        if buffer.count >= size { break }
      }
    }
    return buffer
  }

  /// SSE captures one after another as one stream: an empty line after each capture ends its
  /// last event before the next capture's first line.
  public static func sseStream(_ samples: [SampleFile]) -> [UInt8] {
    var buffer: [UInt8] = []
    for sample in samples {
      buffer.append(contentsOf: sample.bytes)
      if sample.bytes.last != 0x0A && sample.bytes.last != 0x0D { buffer.append(0x0A) }
      buffer.append(0x0A)
    }
    return buffer
  }

  /// `bytes` with every byte that either finder stops at (CR, LF, `"`, `\`, control bytes and
  /// bytes ≥ 0x80) replaced by a space, and one LF at the very end: the finders' best case, a
  /// single long run of plain text, with the samples' letter mix.
  public static func plainText(from bytes: [UInt8]) -> [UInt8] {
    var plain = bytes.map { byte -> UInt8 in
      byte < 0x20 || byte >= 0x80 || byte == 0x22 || byte == 0x5C ? 0x20 : byte
    }
    plain[plain.count - 1] = 0x0A
    return plain
  }
}
