// Framing: cutting a saved stream into lines and SSE events, the first thing ingest does to
// every byte. Target: ≥ 4 GB/s for line framing on an in-memory buffer.
//
// The buffer is every capture of Samples/{sse,jsonl,transcripts} repeated to 64 MiB, so the
// line lengths are the real mix (long JSON lines between short framing lines). SSEReader.parse
// runs on the SSE captures concatenated once; it reads every data payload as JSON as well, so it
// is framing plus the JSON reader, not framing alone.

import Benchmark
import BenchmarkInputs
import LGAnalyzeCore

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = ByteRate.configuration()

  let samples = Samples.load()
  let buffer = SampleBuffers.repeated(samples, toAtLeast: 64 << 20)
  let sse = SampleBuffers.sseStream(samples.filter { $0.folder == "sse" })

  Benchmark("LineBreakFinder.firstLineBreak.everyLine") {
    benchmark in
    ByteRate.measure(benchmark, bytes: buffer.count) {
      var lines = 0
      var position = 0
      while let hit = LineBreakFinder.firstLineBreak(in: buffer, range: position..<buffer.count) {
        lines += 1
        position = hit + 1
      }
      return lines
    }
  }

  Benchmark("LineBreakFinder.scalarFirstLineBreak.everyLine") {
    benchmark in
    ByteRate.measure(benchmark, bytes: buffer.count) {
      var lines = 0
      var position = 0
      while let hit = LineBreakFinder.scalarFirstLineBreak(
        in: buffer, range: position..<buffer.count)
      {
        lines += 1
        position = hit + 1
      }
      return lines
    }
  }

  Benchmark("LineReader.everyLine") { benchmark in
    ByteRate.measure(benchmark, bytes: buffer.count) {
      var lines = 0
      var contentBytes = 0
      for line in LineReader(bytes: buffer) {
        lines += 1
        contentBytes &+= line.content.count
      }
      return lines &+ contentBytes
    }
  }

  Benchmark("SSEReader.parse") { benchmark in
    ByteRate.measure(benchmark, bytes: sse.count) {
      let parsed = SSEReader.parse(sse)
      return parsed.events.count &+ parsed.issues.count
    }
  }
}
