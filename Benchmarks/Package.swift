// swift-tools-version: 6.2
import PackageDescription

// lganalyze's benchmarks: a package of their own, so that building or testing lganalyze never
// resolves package-benchmark. Run them from this directory:
//
//   swift package --allow-writing-to-package-directory benchmark
//
// Two manifest lines are load-bearing:
// - lganalyze is named explicitly: a path dependency otherwise takes the name of the directory
//   it was cloned into, and CI clones into a directory of another name.
// - package-benchmark's default traits pull a runtime interposer that does not resolve here;
//   enabling only MallocInterposer keeps the malloc metrics and resolves.

let benchmark: Target.Dependency = .product(name: "Benchmark", package: "package-benchmark")
let core: Target.Dependency = .product(name: "LGAnalyzeCore", package: "lganalyze")
let benchmarkPlugin: Target.PluginUsage = .plugin(
  name: "BenchmarkPlugin", package: "package-benchmark")

let package = Package(
  name: "lganalyze-benchmarks",
  dependencies: [
    .package(name: "lganalyze", path: ".."),
    .package(
      url: "https://github.com/ordo-one/package-benchmark.git", from: "1.38.1",
      traits: ["MallocInterposer"]),
  ],
  targets: [
    // What every suite needs: the samples, the inputs made from them, the byte-rate metric.
    .target(
      name: "BenchmarkInputs",
      dependencies: [benchmark, core],
      path: "Sources/BenchmarkInputs"
    )
  ]
)

// One executable per area. The plugin finds a suite by its directory, Benchmarks/<target>.
for suite in [
  "FramingBenchmarks", "JSONBenchmarks", "ReassemblyBenchmarks", "IngestBenchmarks",
  "SIMDBenchmarks",
] {
  package.targets.append(
    .executableTarget(
      name: suite,
      dependencies: [benchmark, core, "BenchmarkInputs"],
      path: "Benchmarks/\(suite)",
      plugins: [benchmarkPlugin]
    ))
}
