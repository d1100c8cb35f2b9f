// Reassembly: turning the events of a run into messages, chunks and tool calls.
//
// Every capture of Samples/{sse,jsonl,transcripts} is read and split into runs once; the
// measured loops split the events again, or assemble every run. The byte rate is counted in the
// bytes of the captures the runs came from, so it compares with the framing and JSON stages.

import Benchmark
import BenchmarkInputs
import LGAnalyzeCore

/// One run to assemble, with what ingest would pass along with it.
struct PreparedRun: Sendable {
  var segment: RunAssembler.Segment
  var runID: String
  var endsInsideEvent: Bool
  var threadID: String?
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = ByteRate.configuration()

  let samples = Samples.load()
  let sourceBytes = samples.reduce(0) { $0 + $1.bytes.count }
  var eventsPerSource: [[SourceEvent]] = []
  var runs: [PreparedRun] = []
  for sample in samples {
    guard let kind = FormatDetector.detect(sample.bytes, fileName: sample.name) else { continue }
    let parsed = FormatDetector.read(sample.bytes, as: kind)
    eventsPerSource.append(parsed.events)
    let segments = RunAssembler.split(parsed.events)
    for (index, segment) in segments.enumerated() {
      runs.append(
        PreparedRun(
          segment: segment, runID: segment.runID ?? "\(sample.name)-\(index)",
          endsInsideEvent: index == segments.count - 1 && parsed.endsInsideEvent,
          threadID: parsed.responseHeads.first?.threadID))
    }
  }

  Benchmark("RunAssembler.split") { benchmark in
    ByteRate.measure(benchmark, bytes: sourceBytes) {
      var segments = 0
      for events in eventsPerSource {
        segments &+= RunAssembler.split(events).count
      }
      return segments
    }
  }

  Benchmark("RunAssembler.assemble") { benchmark in
    ByteRate.measure(benchmark, bytes: sourceBytes) {
      var rows = 0
      for prepared in runs {
        let run = RunAssembler.assemble(
          prepared.segment, runID: prepared.runID, endsInsideEvent: prepared.endsInsideEvent,
          threadID: prepared.threadID)
        rows &+= run.events.count &+ run.messages.count &+ run.chunks.count &+ run.toolCalls.count
      }
      return rows
    }
  }
}
