// JSON: reading event payloads. Target: ≥ 500 MB/s for the JSON reader on the SSE payloads.
//
// The payloads are the values of every `data:` line of Samples/sse, found once in the stream of
// the SSE captures concatenated; the measured loops index or read them where they lie, as
// SSEReader does. The Python-repr payloads are those of the `*.py.txt` transcripts (the SDK
// loop's `print(chunk.data)`), rewritten as canonical JSON by LiteralReader.

import Benchmark
import BenchmarkInputs
import LGAnalyzeCore

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = ByteRate.configuration()

  let samples = Samples.load()
  let sse = Payloads.sseData(in: SampleBuffers.sseStream(samples.filter { $0.folder == "sse" }))
  let python = Payloads.pythonTranscript(
    samples.filter { $0.folder == "transcripts" && $0.name.hasSuffix(".py.txt") })

  Benchmark("JSONTapeBuilder.build") { benchmark in
    ByteRate.measure(benchmark, bytes: sse.byteCount) {
      var entries = 0
      for range in sse.ranges {
        entries &+= (try? JSONTapeBuilder.build(sse.buffer, range: range))?.count ?? -1
      }
      return entries
    }
  }

  Benchmark("JSONDocument.read") { benchmark in
    ByteRate.measure(benchmark, bytes: sse.byteCount) {
      var bytes = 0
      for range in sse.ranges {
        bytes &+= (try? JSONDocument.read(sse.buffer, range: range))?.bytes.count ?? -1
      }
      return bytes
    }
  }

  Benchmark("LiteralReader.transcode") { benchmark in
    ByteRate.measure(benchmark, bytes: python.byteCount) {
      var bytes = 0
      for range in python.ranges {
        bytes &+=
          (try? LiteralReader.transcode(python.buffer, range: range, dialect: .python))?.bytes
          .count ?? -1
      }
      return bytes
    }
  }
}
