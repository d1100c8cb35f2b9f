import Crypto
import Foundation

/// What happened to one input of an ingest.
public struct FileReport: Sendable {
  /// How the input ended.
  public enum Outcome: Sendable, Equatable {
    /// Read and stored (possibly with issues, listed in `issues`).
    case stored(StoreSummary)
    /// The same content was ingested before; nothing was added.
    case alreadyIngested
    /// Left out of a directory walk because it does not look like a saved stream.
    case skipped(String)
    /// Could not be read at all.
    case failed(String)
  }

  public var path: String
  public var format: String?
  public var outcome: Outcome
  public var eventCount = 0
  public var runCount = 0
  /// Lines that could not be read; every other event of the file was kept.
  public var issues: [SourceIssue] = []

  /// True when the input was read without any problem.
  public var isClean: Bool {
    switch outcome {
    case .stored: issues.isEmpty
    case .alreadyIngested, .skipped: true
    case .failed: false
    }
  }

  /// One line for a person: what was read and what went wrong.
  public var summary: String {
    switch outcome {
    case .stored(let stored):
      var text = "\(path): \(format ?? "?"), \(eventCount) events, \(runCount) runs"
      if stored.runsAlreadyStored > 0 { text += " (\(stored.runsAlreadyStored) already stored)" }
      if !issues.isEmpty {
        let lines = issues.prefix(5).map { String($0.line) }.joined(separator: ", ")
        text += "; \(issues.count) error(s) at line \(lines)\(issues.count > 5 ? ", …" : "")"
        text += " — see ingest_errors; the first: \(issues[0].message)"
      }
      return text
    case .alreadyIngested: return "\(path): already ingested (same content); nothing added"
    case .skipped(let why): return "\(path): skipped, \(why)"
    case .failed(let why): return "\(path): \(why)"
    }
  }
}

/// Reads saved streams and stores them: the `ingest` command's work.
///
/// Each input is read whole, its format detected (or forced), its events parsed and split into
/// runs, each run reassembled, and the lot written to the database in one transaction per file.
public struct Ingestor {
  /// The store to write to.
  public var store: RunStore
  /// A format to use for every input instead of detecting it.
  public var forcedFormat: FormatKind?

  public init(store: RunStore, forcedFormat: FormatKind? = nil) {
    self.store = store
    self.forcedFormat = forcedFormat
  }

  /// Ingests the inputs (files, directories walked recursively, `-` for standard input) in order,
  /// reporting on each.
  public func ingest(paths: [String], onReport: (FileReport) -> Void = { _ in }) -> [FileReport] {
    var reports: [FileReport] = []
    for input in paths {
      for (path, isFromDirectory) in Self.expand(input) {
        let report = ingestFile(path: path, isFromDirectory: isFromDirectory)
        onReport(report)
        reports.append(report)
      }
    }
    return reports
  }

  /// The files an input names: itself, or every regular file below a directory (sorted, hidden
  /// files left out).
  static func expand(_ input: String) -> [(String, Bool)] {
    guard input != "-", fileKind(input) == .directory else { return [(input, false)] }
    guard let walker = FileManager.default.enumerator(atPath: input) else {
      return [(input, false)]
    }
    var files: [String] = []
    while let relative = walker.nextObject() as? String {
      if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
      let full = (input as NSString).appendingPathComponent(relative)
      if fileKind(full) == .file { files.append(full) }
    }
    return files.sorted().map { ($0, true) }
  }

  /// Reads, parses and stores one file.
  public func ingestFile(path: String, isFromDirectory: Bool = false) -> FileReport {
    var report = FileReport(path: path, format: nil, outcome: .failed(""))
    let bytes: [UInt8]
    do {
      bytes = try Self.readAll(path)
    } catch {
      report.outcome = .failed(error.description)
      try? store.recordError(source: path, sha256: nil, line: nil, message: error.description)
      return report
    }
    let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    do {
      if try store.containsSource(sha256: digest) {
        report.outcome = .alreadyIngested
        return report
      }
    } catch {
      report.outcome = .failed("cannot read the database: \(error)")
      return report
    }

    guard let kind = forcedFormat ?? FormatDetector.detect(bytes, fileName: path) else {
      let why = "not a saved LangGraph stream (no SSE fields, JSONL events or transcript headers)"
      if isFromDirectory {
        report.outcome = .skipped(why)
      } else {
        report.outcome = .failed("\(why); pass --format sse|jsonl|transcript to read it anyway")
        try? store.recordError(source: path, sha256: digest, line: nil, message: why)
      }
      return report
    }

    let parsed = FormatDetector.read(bytes, as: kind)
    let segments = RunAssembler.split(parsed.events)
    var runs: [Run] = []
    for (index, segment) in segments.enumerated() {
      // Events before any metadata event get a stable id derived from the content.
      let runID = segment.runID ?? "source-\(digest.prefix(16))-\(index)"
      runs.append(
        RunAssembler.assemble(
          segment, runID: runID,
          endsInsideEvent: parsed.endsInsideEvent && index == segments.count - 1,
          threadID: parsed.headerThreadID))
    }
    report.format = parsed.format.description
    report.eventCount = parsed.events.count
    report.runCount = runs.count
    report.issues = parsed.issues
    if parsed.events.isEmpty && parsed.issues.isEmpty {
      report.issues.append(
        SourceIssue(line: 1, message: "no events found in the file", excerpt: ""))
    }
    do {
      let summary = try store.write(
        source: SourceRecord(
          path: path, sha256: digest, format: parsed.format.description, byteCount: bytes.count),
        runs: runs, issues: report.issues)
      report.outcome = .stored(summary)
    } catch {
      report.outcome = .failed("could not store it, nothing of it was written: \(error)")
    }
    return report
  }

  enum FileKind { case missing, file, directory }

  /// What is at `path`, following symbolic links.
  static func fileKind(_ path: String) -> FileKind {
    let url = URL(fileURLWithPath: path)
    guard let values = try? url.resourceValues(forKeys: [.isDirectoryKey]) else { return .missing }
    return values.isDirectory == true ? .directory : .file
  }

  /// Why an input could not be read.
  struct ReadError: Error, CustomStringConvertible {
    var description: String
  }

  /// The whole content of a file, or of standard input for `-`.
  static func readAll(_ path: String) throws(ReadError) -> [UInt8] {
    if path == "-" {
      return Array(FileHandle.standardInput.readDataToEndOfFile())
    }
    switch fileKind(path) {
    case .missing: throw ReadError(description: "no such file or directory")
    case .directory: throw ReadError(description: "is a directory")
    case .file: break
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw ReadError(description: "cannot open it (permission denied?)")
    }
    defer { try? handle.close() }
    do {
      return Array(try handle.readToEnd() ?? Data())
    } catch {
      throw ReadError(description: "cannot read it: \(error.localizedDescription)")
    }
  }
}
