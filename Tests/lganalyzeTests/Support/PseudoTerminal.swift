import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A pseudo-terminal for a process under test to write to, so that it finds a terminal on its
/// standard output or error, and everything the process wrote, read back from the other side.
/// (Unchecked: `received` is written by the reading thread only, and read once it is done.)
final class PseudoTerminal: @unchecked Sendable {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// TIOCSPTLCK and TIOCGPTN (asm-generic/ioctls.h), which Swift cannot import.
  private static let setLock: UInt = 0x4004_5431
  private static let getNumber: UInt = 0x8004_5430

  /// The side the process writes to, as its standard output or error.
  let terminal: FileHandle
  private let controller: Int32
  private let done = DispatchSemaphore(value: 0)
  private var received: [UInt8] = []

  init() throws {
    // posix_openpt, unlockpt and ptsname are not in Swift's Glibc module; these are the
    // ioctls they make on Linux.
    controller = open("/dev/ptmx", O_RDWR | O_NOCTTY)
    var unlock: CInt = 0
    var number: CInt = 0
    guard controller >= 0, ioctl(controller, Self.setLock, &unlock) == 0,
      ioctl(controller, Self.getNumber, &number) == 0
    else { throw Failure(description: "no pseudo-terminal: errno \(errno)") }
    let name = "/dev/pts/\(number)"
    let descriptor = open(name, O_RDWR | O_NOCTTY)
    guard descriptor >= 0 else { throw Failure(description: "cannot open \(name): \(errno)") }
    // Raw: line feeds stay line feeds (no CR added), nothing is echoed.
    var attributes = termios()
    tcgetattr(descriptor, &attributes)
    cfmakeraw(&attributes)
    tcsetattr(descriptor, TCSANOW, &attributes)
    terminal = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    // Read as the process writes, so that it never waits on a full terminal buffer.
    let controller = controller
    Thread.detachNewThread { [self] in
      var buffer = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let count = read(controller, &buffer, buffer.count)
        if count > 0 {
          received += buffer[0..<count]
        } else if count < 0 && errno == EINTR {
          continue
        } else {
          break  // EIO: the terminal side is closed everywhere
        }
      }
      done.signal()
    }
  }

  /// What was written, once every holder of the terminal side has closed it (call after the
  /// process ended).
  func output() throws -> String {
    try terminal.close()
    guard done.wait(timeout: .now() + 30) == .success else {
      throw Failure(description: "the terminal was not closed")
    }
    close(controller)
    return String(decoding: received, as: UTF8.self)
  }
}
