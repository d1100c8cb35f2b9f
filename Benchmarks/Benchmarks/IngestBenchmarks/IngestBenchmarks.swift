// Ingest end to end: hashing, format detection, block reading, framing, JSON, reassembly and
// the SQLite writes, with the worker threads `lganalyze ingest` uses (one per core).
//
// The corpus is a directory named by LGANALYZE_BENCH_CORPUS, made beforehand with
//
//   ../../shared/tools/make-corpus /tmp/lganalyze-corpus --mb 50 --files 16 --seed 3
//
// Without the variable the suite registers nothing and says so. Every iteration ingests the
// whole corpus into a new database in a new temporary directory; opening (and migrating) that
// database and deleting it afterwards are outside the measurement.

import Benchmark
import BenchmarkInputs
import Foundation
import LGAnalyzeCore

let corpusVariable = "LGANALYZE_BENCH_CORPUS"

/// The bytes of the files ingest reads below `directory` (hidden files are left out, as ingest
/// leaves them out).
func corpusSize(_ directory: String) -> Int {
  guard let walker = FileManager.default.enumerator(atPath: directory) else { return 0 }
  var bytes = 0
  while let relative = walker.nextObject() as? String {
    if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
    let path = (directory as NSString).appendingPathComponent(relative)
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
      attributes[.type] as? FileAttributeType == .typeRegular
    else { continue }
    bytes += (attributes[.size] as? Int) ?? 0
  }
  return bytes
}

let benchmarks: @Sendable () -> Void = {
  var isDirectory: ObjCBool = false
  guard let corpus = ProcessInfo.processInfo.environment[corpusVariable], !corpus.isEmpty,
    FileManager.default.fileExists(atPath: corpus, isDirectory: &isDirectory), isDirectory.boolValue
  else {
    FileHandle.standardError.write(
      Data(
        ("IngestBenchmarks: skipped, \(corpusVariable) does not name a corpus directory. Make one "
          + "with `../../shared/tools/make-corpus /tmp/lganalyze-corpus --mb 50 --files 16 "
          + "--seed 3` and set \(corpusVariable)=/tmp/lganalyze-corpus.\n").utf8))
    return
  }
  let bytes = corpusSize(corpus)

  Benchmark(
    "Ingestor.ingest",
    configuration: ByteRate.configuration(
      maxDuration: .seconds(30), maxIterations: 10, mallocTolerance: 2)
  ) { benchmark in
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("lganalyze-bench-\(UUID().uuidString)")
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: directory) }
      let store = try RunStore(path: directory.appendingPathComponent("bench.db").path)
      let ingestor = Ingestor(store: store)

      benchmark.startMeasurement()
      var reports: [FileReport] = []
      ByteRate.measure(benchmark, bytes: bytes) {
        reports = ingestor.ingest(paths: [corpus])
        return reports.count
      }
      benchmark.stopMeasurement()

      let failed = reports.filter {
        if case .stored = $0.outcome { return false }
        return true
      }
      if let first = failed.first {
        benchmark.error("\(failed.count) of \(reports.count) inputs not stored: \(first.summary)")
      }
    } catch {
      benchmark.error("could not prepare a database: \(error)")
    }
  }
}
