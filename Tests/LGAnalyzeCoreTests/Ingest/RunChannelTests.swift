import Foundation
import Synchronization
import Testing

@testable import LGAnalyzeCore

/// The channel between a parser worker and the writer keeps order and holds at most its
/// capacity in payload bytes, yet never refuses a single run larger than that.
@Suite struct RunChannelTests {
  /// A run whose events carry `payloads` bytes of data each.
  private static func run(_ runID: String, payloads: [Int]) -> Run {
    let events = payloads.enumerated().map { seq, size in
      RunEvent(
        seq: seq, event: "values", mode: "values", namespace: nil,
        data: String(repeating: "x", count: size), line: seq + 1, streamID: nil, isLossy: false)
    }
    return Run(
      runID: runID, attempt: 1, threadID: nil, graphID: nil, assistantID: nil, status: .success,
      error: nil, errorType: nil, events: events, messages: [], chunks: [], toolCalls: [])
  }

  private static func runID(of item: IngestItem) -> String? {
    if case .run(let run, _) = item { return run.runID }
    return nil
  }

  @Test func weightCountsPayloadBytesAndEvents() {
    let item = IngestItem.run(Self.run("r", payloads: [100, 0, 36]), isDamaged: false)
    #expect(item.payloadWeight == 3 * 64 + 136)
    #expect(IngestItem.abort("stop").payloadWeight == 0)
  }

  @Test func itemsArriveInOrderAcrossManyRefills() {
    let channel = RunChannel(capacity: 2_000)
    let count = 500
    let sender = Thread {
      for index in 0..<count {
        channel.send(.run(Self.run("run-\(index)", payloads: [index % 700]), isDamaged: false))
      }
      channel.send(.abort("done"))
    }
    sender.start()
    var received: [String] = []
    while let runID = Self.runID(of: channel.receive()) { received.append(runID) }
    #expect(received == (0..<count).map { "run-\($0)" })
  }

  @Test func aFullChannelHoldsTheSenderUntilTheWriterTakes() async throws {
    let channel = RunChannel(capacity: 1_000)
    let sent = Atomic<Int>(0)
    let sender = Thread {
      for index in 0..<3 {
        channel.send(.run(Self.run("run-\(index)", payloads: [400]), isDamaged: false))
        sent.add(1, ordering: .sequentiallyConsistent)
      }
    }
    sender.start()
    // Two runs of 464 bytes fit in 1,000; the third must wait for room.
    try await waitUntil { sent.load(ordering: .sequentiallyConsistent) == 2 }
    try await Task.sleep(for: .milliseconds(100))
    #expect(sent.load(ordering: .sequentiallyConsistent) == 2)
    #expect(Self.runID(of: channel.receive()) == "run-0")
    try await waitUntil { sent.load(ordering: .sequentiallyConsistent) == 3 }
    #expect(Self.runID(of: channel.receive()) == "run-1")
    #expect(Self.runID(of: channel.receive()) == "run-2")
  }

  @Test func aRunLargerThanTheCapacityPassesAlone() async throws {
    let channel = RunChannel(capacity: 100)
    let sent = Atomic<Int>(0)
    let sender = Thread {
      channel.send(.run(Self.run("huge", payloads: [10_000]), isDamaged: false))
      sent.add(1, ordering: .sequentiallyConsistent)
      channel.send(.run(Self.run("next", payloads: [10]), isDamaged: false))
      sent.add(1, ordering: .sequentiallyConsistent)
    }
    sender.start()
    try await waitUntil { sent.load(ordering: .sequentiallyConsistent) == 1 }
    try await Task.sleep(for: .milliseconds(100))
    // The huge run alone exceeds the capacity, so the next one waits until it is taken.
    #expect(sent.load(ordering: .sequentiallyConsistent) == 1)
    #expect(Self.runID(of: channel.receive()) == "huge")
    #expect(Self.runID(of: channel.receive()) == "next")
  }

  /// Polls `condition` for up to ten seconds.
  private func waitUntil(_ condition: () -> Bool) async throws {
    for _ in 0..<1_000 {
      if condition() { return }
      try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("the condition did not come true in time")
  }
}
