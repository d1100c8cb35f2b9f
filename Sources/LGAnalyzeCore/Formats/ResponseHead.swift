/// The HTTP response head that `curl -i` (or `curl -D -`) saves before a response's events, and
/// what its Location headers say about the response.
///
/// LangGraph's server names the run it streams in both headers (wire-format §1.1):
///
///   location: /threads/<thread>/runs/<run>/stream      (or /runs/<run>/stream, no thread)
///   content-location: /threads/<thread>/runs/<run>     (or /runs/<run>)
///
/// A thread stream (`/threads/<thread>/stream`) names a thread and no run, as it streams many.
public struct ResponseHead: Sendable, Equatable {
  /// The source line of its status line (`HTTP/1.1 200 OK`).
  public var line: Int
  /// The thread the headers name, if any.
  public var threadID: String?
  /// The run the headers name, if any: the response streams that run (and its retries) only.
  public var runID: String?

  public init(line: Int, threadID: String? = nil, runID: String? = nil) {
    self.line = line
    self.threadID = threadID
    self.runID = runID
  }

  /// Takes in one header line; the first header to name a thread or a run names it.
  mutating func read(headerLine line: ArraySlice<UInt8>) {
    let text = String(decoding: line, as: UTF8.self)
    let lowered = text.lowercased()
    guard lowered.hasPrefix("location:") || lowered.hasPrefix("content-location:") else { return }
    threadID = threadID ?? Self.pathSegment(after: "/threads/", in: text)
    runID = runID ?? Self.pathSegment(after: "/runs/", in: text)
  }

  /// The path segment that follows `marker` in `text`, if there is one.
  private static func pathSegment(after marker: String, in text: String) -> String? {
    guard let found = text.range(of: marker) else { return nil }
    let segment = text[found.upperBound...].prefix { $0 != "/" && $0 != " " && $0 != "?" }
    return segment.isEmpty ? nil : String(segment)
  }
}
