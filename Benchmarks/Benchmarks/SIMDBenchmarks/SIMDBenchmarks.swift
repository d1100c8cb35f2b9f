// SIMD against scalar: each of the two byte finders next to its byte-at-a-time reference, on
// the same buffers.
//
//   plain    the 64 MiB samples buffer with every byte either finder stops at replaced by a
//            space and one LF at the end: one call crosses the whole buffer, so this is the
//            kernel's peak rate (style.md §2 measured 7–8 GB/s for this shape).
//   samples  the 64 MiB samples buffer as it is, every hit visited: the call overhead and the
//            hit handling at the real density (a line break every ~160 bytes; a quote,
//            backslash, control or non-ASCII byte every few bytes).

import Benchmark
import BenchmarkInputs
import LGAnalyzeCore

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = ByteRate.configuration()

  let samples = SampleBuffers.repeated(Samples.load(), toAtLeast: 64 << 20)
  let plain = SampleBuffers.plainText(from: samples)

  // MARK: - Best case: one hit at the end

  Benchmark("LineBreakFinder.simd.plain") { benchmark in
    ByteRate.measure(benchmark, bytes: plain.count) {
      LineBreakFinder.firstLineBreak(in: plain, range: 0..<plain.count)
    }
  }

  Benchmark("LineBreakFinder.scalar.plain") { benchmark in
    ByteRate.measure(benchmark, bytes: plain.count) {
      LineBreakFinder.scalarFirstLineBreak(in: plain, range: 0..<plain.count)
    }
  }

  Benchmark("StringByteFinder.simd.plain") { benchmark in
    ByteRate.measure(benchmark, bytes: plain.count) {
      StringByteFinder.firstSpecialByte(in: plain, range: 0..<plain.count)
    }
  }

  Benchmark("StringByteFinder.scalar.plain") { benchmark in
    ByteRate.measure(benchmark, bytes: plain.count) {
      StringByteFinder.scalarFirstSpecialByte(in: plain, range: 0..<plain.count)
    }
  }

  // MARK: - Real density: every hit of the samples

  Benchmark("LineBreakFinder.simd.samples") { benchmark in
    ByteRate.measure(benchmark, bytes: samples.count) {
      var hits = 0
      var position = 0
      while let hit = LineBreakFinder.firstLineBreak(in: samples, range: position..<samples.count) {
        hits += 1
        position = hit + 1
      }
      return hits
    }
  }

  Benchmark("LineBreakFinder.scalar.samples") { benchmark in
    ByteRate.measure(benchmark, bytes: samples.count) {
      var hits = 0
      var position = 0
      while let hit = LineBreakFinder.scalarFirstLineBreak(
        in: samples, range: position..<samples.count)
      {
        hits += 1
        position = hit + 1
      }
      return hits
    }
  }

  Benchmark("StringByteFinder.simd.samples") { benchmark in
    ByteRate.measure(benchmark, bytes: samples.count) {
      var hits = 0
      var position = 0
      while position < samples.count {
        position =
          StringByteFinder.firstSpecialByte(in: samples, range: position..<samples.count) + 1
        hits += 1
      }
      return hits
    }
  }

  Benchmark("StringByteFinder.scalar.samples") { benchmark in
    ByteRate.measure(benchmark, bytes: samples.count) {
      var hits = 0
      var position = 0
      while position < samples.count {
        position =
          StringByteFinder.scalarFirstSpecialByte(in: samples, range: position..<samples.count)
          + 1
        hits += 1
      }
      return hits
    }
  }
}
