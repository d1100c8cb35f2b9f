import Crypto
import Foundation

/// One input opened for reading in blocks, twice if need be: once to hash it, once to parse it.
///
/// Standard input and pipes can be read only once, so they are first copied into a temporary
/// file, removed again by `close()`.
struct InputFile {
  /// What went wrong opening or reading an input.
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  let path: String
  private let readPath: String
  private let temporaryPath: String?
  let byteCount: Int

  /// Opens the input named `path` (`-` for standard input).
  static func open(_ path: String) throws(Failure) -> InputFile {
    // A pipe named on purpose (`<(curl …)`) is read like standard input.
    var special: FileBlockReader?
    if path != "-" {
      switch Ingestor.fileKind(path) {
      case .missing: throw openFailure(path) ?? Failure(description: "no such file or directory")
      case .directory: throw Failure(description: "is a directory")
      case .file:
        guard FileManager.default.isReadableFile(atPath: path) else {
          throw openFailure(path) ?? Failure(description: "cannot open it (permission denied)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return InputFile(path: path, readPath: path, temporaryPath: nil, byteCount: size)
      case .special:
        do {
          special = try FileBlockReader(path: path, blockSize: 4 << 20)
        } catch {
          throw Failure(description: error.description)
        }
      }
    }
    let temporary = FileManager.default.temporaryDirectory
      .appendingPathComponent("lganalyze-input-\(UUID().uuidString)").path
    guard FileManager.default.createFile(atPath: temporary, contents: nil),
      let sink = FileHandle(forWritingAtPath: temporary)
    else { throw Failure(description: "cannot make a temporary copy of it") }
    var total = 0
    do {
      defer { try? sink.close() }
      while true {
        let data: [UInt8]
        if special != nil {
          guard let block = try special?.next() else { break }
          data = block
        } else {
          guard let block = try FileHandle.standardInput.read(upToCount: 4 << 20), !block.isEmpty
          else { break }
          data = Array(block)
        }
        try sink.write(contentsOf: data)
        total += data.count
      }
    } catch let failure as FileBlockReader.Failure {
      try? FileManager.default.removeItem(atPath: temporary)
      throw Failure(description: failure.description)
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw Failure(description: "cannot read it: \(error.localizedDescription)")
    }
    return InputFile(path: path, readPath: temporary, temporaryPath: temporary, byteCount: total)
  }

  /// Why the system cannot open `path` (a missing file, a loop of links, a folder that may not
  /// be entered), in its own words; nil when it can.
  private static func openFailure(_ path: String) -> Failure? {
    do {
      _ = try FileBlockReader(path: path, blockSize: 1)
      return nil
    } catch {
      return Failure(description: error.description)
    }
  }

  /// Removes the temporary copy, if one was made.
  func close() {
    if let temporaryPath { try? FileManager.default.removeItem(atPath: temporaryPath) }
  }

  /// The SHA-256 of the content, as lowercase hex.
  func sha256(blockSize: Int) throws(Failure) -> String {
    var hasher = SHA256()
    var blocks = try blocks(size: blockSize)
    while let block = try blocks.next() { hasher.update(data: block) }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
  }

  /// The whole content of the input named `path` (`-` for standard input), opened by the same
  /// rules as an ingest's inputs.
  static func readAll(_ path: String) throws(Failure) -> [UInt8] {
    let input = try open(path)
    defer { input.close() }
    var blocks = try input.blocks(size: 4 << 20)
    var content: [UInt8] = []
    content.reserveCapacity(input.byteCount)
    while let block = try blocks.next() { content += block }
    return content
  }

  /// The content in blocks of `size` bytes.
  func blocks(size: Int) throws(Failure) -> Blocks {
    do {
      return Blocks(reader: try FileBlockReader(path: readPath, blockSize: size))
    } catch {
      throw Failure(description: error.description)
    }
  }

  /// Successive blocks of a file; the file closes when they are let go, and every call after
  /// the last block answers nil again (an empty file's first call is already the last).
  struct Blocks: ~Copyable {
    var reader: FileBlockReader

    mutating func next() throws(Failure) -> [UInt8]? {
      do {
        return try reader.next()
      } catch {
        throw Failure(description: error.description)
      }
    }
  }
}
