import Foundation

/// One stored run, as the `runs` command lists it.
public struct RunSummary: Sendable, Equatable {
  public var runID: String
  public var attempt: Int
  public var threadID: String?
  public var graphID: String?
  public var assistantID: String?
  public var status: String
  public var error: String?
  public var eventCount: Int
  public var messageCount: Int
  public var toolCallCount: Int
  public var inputTokens: Int
  public var outputTokens: Int
  public var totalTokens: Int
  public var source: String
  /// True when not all of the run's lines could be read, or it was cut off (`runs.damaged`):
  /// what it holds is what could be read, and `ingest_errors` says what was not.
  public var isDamaged: Bool

  public init(
    runID: String, attempt: Int, threadID: String?, graphID: String?, assistantID: String?,
    status: String, error: String?, eventCount: Int, messageCount: Int, toolCallCount: Int,
    inputTokens: Int, outputTokens: Int, totalTokens: Int, source: String, isDamaged: Bool = false
  ) {
    self.runID = runID
    self.attempt = attempt
    self.threadID = threadID
    self.graphID = graphID
    self.assistantID = assistantID
    self.status = status
    self.error = error
    self.eventCount = eventCount
    self.messageCount = messageCount
    self.toolCallCount = toolCallCount
    self.inputTokens = inputTokens
    self.outputTokens = outputTokens
    self.totalTokens = totalTokens
    self.source = source
    self.isDamaged = isDamaged
  }

  /// When the run started, read from its UUIDv7 run id; nil for ids of other versions.
  public var startedAt: Date? { UUIDv7.timestamp(of: runID) }
}

/// A stored run with its messages in order: what `show` and `export` render.
public struct Transcript: Sendable, Equatable {
  public var run: RunSummary
  /// Messages in the order they first appeared, tool calls with their results.
  public var messages: [Message]
  /// The interrupts the run stopped at, as JSON text (the `__interrupt__` values).
  public var interrupts: [String]

  public init(run: RunSummary, messages: [Message], interrupts: [String]) {
    self.run = run
    self.messages = messages
    self.interrupts = interrupts
  }
}

/// Reads the time in a UUIDv7: its first 48 bits are Unix time in milliseconds.
///
/// LangGraph's run ids and the model-call ids inside `lc_run--<uuid>` message ids are UUIDv7, so
/// runs and model calls can be placed in time although the streams carry no timestamps.
public enum UUIDv7 {
  /// The time encoded in `identifier` (a UUID, or an id ending in one such as `lc_run--<uuid>`),
  /// or nil when it is not a version-7 UUID.
  public static func timestamp(of identifier: String) -> Date? {
    milliseconds(of: identifier).map { Date(timeIntervalSince1970: Double($0) / 1000) }
  }

  /// The time in `identifier` as ISO 8601 text with milliseconds (`2026-11-22T22:18:39.123Z`).
  public static func isoTimestamp(of identifier: String) -> String? {
    timestamp(of: identifier).map {
      Date.ISO8601FormatStyle(includingFractionalSeconds: true).format($0)
    }
  }

  /// The Unix time in milliseconds encoded in `identifier`, or nil.
  public static func milliseconds(of identifier: String) -> Int64? {
    let utf8 = Array(identifier.utf8)
    guard utf8.count >= 36 else { return nil }
    let uuid = utf8[(utf8.count - 36)...]
    let base = uuid.startIndex
    // xxxxxxxx-xxxx-7xxx-…: dashes at 8, 13, 18, 23 and the version nibble at 14.
    guard uuid[base + 8] == .minus, uuid[base + 13] == .minus, uuid[base + 18] == .minus,
      uuid[base + 23] == .minus, uuid[base + 14] == UInt8(ascii: "7")
    else { return nil }
    var milliseconds: UInt64 = 0
    for offset in [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12] {
      guard let digit = uuid[base + offset].hexDigitValue else { return nil }
      milliseconds = milliseconds << 4 | UInt64(digit)
    }
    return Int64(milliseconds)
  }
}
