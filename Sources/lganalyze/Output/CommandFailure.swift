import Foundation

/// A failure while a command runs, as against a usage mistake: a file it cannot read or write,
/// output it cannot deliver. Printed as one line naming what failed, without the usage text;
/// exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
  var description: String

  init(_ description: String) {
    self.description = description
  }

  /// "`what`: why", the why in the operating system's words when `cause` carries an errno.
  init(_ what: String, cause: any Error) {
    description = "\(what): \(Self.reason(for: cause))"
  }

  /// The errno text of a Foundation error (`no such file or directory`), else its description.
  static func reason(for error: any Error) -> String {
    let error = error as NSError
    if error.domain == NSPOSIXErrorDomain { return errnoText(Int32(error.code)) }
    if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
      underlying.domain == NSPOSIXErrorDomain
    {
      return errnoText(Int32(underlying.code))
    }
    // Foundation often keeps only its own code, which stands for one errno.
    guard error.domain == NSCocoaErrorDomain else { return error.localizedDescription }
    switch CocoaError.Code(rawValue: error.code) {
    case .fileNoSuchFile, .fileReadNoSuchFile: return errnoText(ENOENT)
    case .fileReadNoPermission, .fileWriteNoPermission: return errnoText(EACCES)
    case .fileWriteOutOfSpace: return errnoText(ENOSPC)
    case .fileWriteVolumeReadOnly: return errnoText(EROFS)
    case .fileReadTooLarge: return errnoText(EFBIG)
    case .fileReadInapplicableStringEncoding, .fileReadCorruptFile: return "not UTF-8 text"
    default: return error.localizedDescription
    }
  }

  /// What `strerror` says of `code`, starting lowercase as lganalyze's other messages do.
  static func errnoText(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    return text.prefix(1).lowercased() + text.dropFirst()
  }
}
