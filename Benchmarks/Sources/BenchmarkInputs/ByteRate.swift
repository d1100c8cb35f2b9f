import Benchmark

/// Bytes per second, the figure lganalyze's stages are judged by.
///
/// package-benchmark's `throughput` counts iterations per second and its scaling factors are
/// powers of 1000, so a byte rate is not one of its built-in metrics. Each measured iteration
/// therefore times its own work and records the rate as a custom metric, `MB/s` (decimal
/// megabytes, 10^6 bytes), whose percentiles the tool prints next to the built-in ones.
public enum ByteRate {
  /// The custom metric: higher is better, never divided by a scaling factor.
  public static let megabytesPerSecond = BenchmarkMetric.custom(
    "MB/s", polarity: .prefersLarger, useScalingFactor: false)

  /// The metrics of every suite: iterations per second, wall clock, allocations, byte rate.
  public static let metrics: [BenchmarkMetric] = [
    .throughput, .wallClock, .mallocCountTotal, megabytesPerSecond,
  ]

  /// The configuration every suite starts from; `MB/s` is printed as a plain number.
  ///
  /// Only allocation counts are checked against the thresholds in `Thresholds/`: times vary
  /// with whatever else the machine runs, allocation counts do not. `mallocTolerance` is the
  /// percentage by which an allocation count may move either way before the check fails: 0 for
  /// single-threaded work, whose counts repeat exactly; more where threads hand work to one
  /// another and the count depends on who waits.
  public static func configuration(
    maxDuration: Duration = .seconds(2), maxIterations: Int = 1_000, warmupIterations: Int = 1,
    mallocTolerance: Double = 0
  ) -> Benchmark.Configuration {
    .init(
      metrics: metrics, units: [megabytesPerSecond: .count], warmupIterations: warmupIterations,
      maxDuration: maxDuration, maxIterations: maxIterations,
      thresholds: [.mallocCountTotal: BenchmarkThresholds(relative: [.p90: mallocTolerance])])
  }

  /// Runs `work` once, records `bytes` over its duration as MB/s, and keeps its result alive.
  @inlinable
  public static func measure<Result>(
    _ benchmark: Benchmark, bytes: Int, _ work: () -> Result
  ) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = work()
    let elapsed = start.duration(to: clock.now)
    blackHole(result)
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    if seconds > 0 {
      benchmark.measurement(megabytesPerSecond, Int((Double(bytes) / seconds / 1e6).rounded()))
    }
  }
}
