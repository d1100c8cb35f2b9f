#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file read from start to end in blocks of a fixed size, the first stage of the scanner.
///
/// Each block is one `read(2)` call into a fresh array (more only when the kernel returns less,
/// as it may for pipes). `FileHandle.read(upToCount:)` was measured instead doing the same work
/// as a chain of 4 KiB reads appended into a `Data` and then copied into an array: 99,000 system
/// calls for a 212 MB corpus, and the worker's largest cost after parsing.
public struct FileBlockReader: ~Copyable {
  /// Why a file could not be opened or read, in words for a person.
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  private let descriptor: Int32
  private let blockSize: Int
  private var isFinished = false

  /// Opens `path` for reading in blocks of `blockSize` bytes.
  public init(path: String, blockSize: Int) throws(Failure) {
    let descriptor = unsafe open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw Failure(description: "cannot open it (\(Self.reason(errno)))")
    }
    self.descriptor = descriptor
    self.blockSize = max(1, blockSize)
  }

  deinit {
    close(descriptor)
  }

  /// The next block: `blockSize` bytes, fewer for the last one, nil once the end is reached.
  public mutating func next() throws(Failure) -> [UInt8]? {
    guard !isFinished else { return nil }
    var failure: Int32 = 0
    let descriptor = descriptor
    let block = unsafe [UInt8](unsafeUninitializedCapacity: blockSize) { buffer, count in
      count = 0
      guard let base = buffer.baseAddress else { return }
      // Safe: every read writes inside the buffer, at `count` for at most what is left of it,
      // and `count` only grows by what the kernel says it wrote.
      while count < buffer.count {
        let got = unsafe read(descriptor, base + count, buffer.count - count)
        if got > 0 {
          count += got
        } else if got == 0 {
          return
        } else if errno != EINTR {
          failure = errno
          return
        }
      }
    }
    if failure != 0 {
      isFinished = true
      throw Failure(description: "cannot read it (\(Self.reason(failure)))")
    }
    if block.count < blockSize { isFinished = true }
    return block.isEmpty ? nil : block
  }

  private static func reason(_ code: Int32) -> String {
    guard let text = unsafe strerror(code) else { return "error \(code)" }
    return unsafe String(cString: text)
  }
}
