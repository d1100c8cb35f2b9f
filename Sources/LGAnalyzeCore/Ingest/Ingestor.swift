import Crypto
import Foundation
import Synchronization

// Ingest is a pipeline: parser workers (`jobs` of them) read inputs in parallel, and the calling
// thread writes what they read, input by input in the order given, in transactions that commit
// in batches (see BatchWriter); an input that fails halfway is taken out of its batch again.
//
//   worker:  hash the file → already known? → detect the format → read 256 KiB blocks →
//            SourceStreamer (complete events) → RunStream (reassembles each run as its events
//            arrive) → RunChannel (bounded)
//   writer:  RunChannel → BatchWriter.write → commit when due → FileReports of the batch
//
// Memory stays flat whatever the input size: a worker holds one block, the events of the run it
// is reading (a long run's go to the writer in pieces of `runPieceBytes` ahead of the run), and
// its share of `readAheadBudget` in runs read ahead; workers start at most `jobs + 1` inputs
// ahead of the writer. Standard input and pipes are first copied to a temporary file,
// because the content is hashed before it is read (to skip what was ingested before).

/// Reads saved streams and stores them: the `ingest` command's work.
public struct Ingestor: Sendable {
  /// The store to write to.
  public var store: RunStore
  /// A format to use for every input instead of detecting it.
  public var forcedFormat: FormatKind?
  /// How many inputs are read in parallel, from 1 to `maximumJobs`.
  public var jobs: Int
  /// The most parser workers an ingest starts: each is a thread with its own stack and
  /// read-ahead share, and more workers than cores only wait on the one writer.
  public static let maximumJobs = 256
  /// The size of the blocks inputs are read in. Measured on a 212 MB corpus: 256 KiB blocks
  /// spend less system time than 4 MiB ones (1.13 s against 1.52 s), as each block then fits
  /// the cache and reuses freed memory instead of mapping fresh pages.
  public var blockSize = 256 << 10
  /// Once a run still being read holds this many payload bytes, its events so far go to the
  /// writer ahead of it: memory then follows this size, not the size of the longest run.
  public var runPieceBytes = 8 << 20
  /// Counters for showing progress, if someone watches.
  public var progress: IngestProgress?
  /// The stack each parser worker thread gets.
  static let workerStackSize = 8 << 20
  /// Payload bytes the workers may have read ahead of the writer, all inputs together.
  /// Measured on a 212 MB corpus of 3 MB files with two workers: when a worker could read only
  /// 16 runs ahead (about 0.6 MB), the writer waited on it for a third of the ingest, and the
  /// workers slept half of theirs; a budget of 24 MiB took ingest from 2.52 s to 1.93 s
  /// (median of six), with peak RSS from 70 to 82 MB.
  static let readAheadBudget = 24 << 20

  public init(store: RunStore, forcedFormat: FormatKind? = nil, jobs: Int? = nil) {
    self.store = store
    self.forcedFormat = forcedFormat
    self.jobs = min(
      Self.maximumJobs, max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount))
  }

  /// Ingests the inputs (files, directories walked recursively, `-` for standard input) in order,
  /// reporting on each as soon as it is stored.
  public func ingest(paths: [String], onReport: (FileReport) -> Void = { _ in }) -> [FileReport] {
    ingest(inputs: paths.flatMap(Self.expand), onReport: onReport)
  }

  /// Reads, parses and stores one file.
  public func ingestFile(path: String, isFromDirectory: Bool = false) -> FileReport {
    ingest(inputs: [(path, isFromDirectory)], onReport: { _ in })[0]
  }

  private func ingest(inputs: [(String, Bool)], onReport: (FileReport) -> Void) -> [FileReport] {
    progress?.setTotal(inputs.count)
    let known = (try? store.sourceDigests()) ?? []
    let claimed = SharedDigests()
    let nextInput = SharedCounter()
    // The window lets `jobs + 1` inputs be open at once, so the budget is shared that many ways.
    let channelCapacity = max(1 << 20, Self.readAheadBudget / (jobs + 1))
    let channels = inputs.map { _ in RunChannel(capacity: channelCapacity) }
    let window = DispatchSemaphore(value: jobs + 1)
    let worker = self
    for _ in 0..<min(jobs, inputs.count) {
      let thread = Thread {
        while true {
          window.wait()
          let index = nextInput.next()
          guard index < inputs.count else {
            window.signal()
            return
          }
          let (path, isFromDirectory) = inputs[index]
          worker.read(
            path: path, isFromDirectory: isFromDirectory, known: known, claimed: claimed,
            into: channels[index])
        }
      }
      // Reading a payload recurses once per nesting level, up to the readers' limit of 512,
      // which takes about 1 MiB of stack in a debug build: more than pooled threads have on
      // some platforms (512 KiB on macOS), so the workers get a main thread's 8 MiB.
      thread.stackSize = Self.workerStackSize
      thread.qualityOfService = .userInitiated
      thread.start()
    }
    var reports: [FileReport] = []
    var pending: [FileReport] = []
    var consumed = 0
    /// Reports on the inputs of a batch once it is committed (before that, none is stored),
    /// as failed when the commit did not happen.
    func settle(failure: (any Error)?) {
      if let failure {
        for index in pending.indices where pending[index].isStored {
          pending[index].outcome = .failed(
            "could not store it, nothing of it was written: \(failure)")
        }
      }
      for report in pending { onReport(report) }
      reports += pending
      pending = []
    }
    do {
      try store.withBatchWriter { writer in
        func commit() {
          do {
            try writer.commit()
            settle(failure: nil)
          } catch {
            settle(failure: error)
          }
        }
        for channel in channels {
          pending.append(write(from: channel, with: writer))
          consumed += 1
          progress?.fileDone()
          if writer.hasLostPendingSources || writer.isCommitDue { commit() }
          window.signal()
        }
        commit()
      }
    } catch {
      // The writer could not start or went away: nothing after the last commit is stored.
      settle(failure: error)
      for channel in channels.dropFirst(consumed) {
        var report = drain(channel)
        report.outcome = .failed("could not store it, nothing of it was written: \(error)")
        onReport(report)
        reports.append(report)
        window.signal()
      }
    }
    return reports
  }

  // MARK: - Writing

  /// Takes what is left in a channel, so that its worker can finish.
  private func drain(_ channel: RunChannel) -> FileReport {
    var report = FileReport(path: "?", format: nil, outcome: .failed(""))
    while true {
      switch channel.receive() {
      case .settled(let settled, _): return settled
      case .begin(let source): report.path = source.path
      case .end, .abort: return report
      case .run, .runEvents: continue
      }
    }
  }

  /// Stores what a worker read of one input.
  private func write(from channel: RunChannel, with writer: BatchWriter) -> FileReport {
    let source: SourceRecord
    switch channel.receive() {
    case .begin(let record): source = record
    case .settled(let report, let problem):
      if let problem { try? writer.record(problem) }
      return report
    case .run, .runEvents, .end, .abort:
      return FileReport(path: "?", format: nil, outcome: .failed("the reader sent no input"))
    }
    var report = FileReport(path: source.path, format: source.format, outcome: .failed(""))
    var finished = false
    struct Aborted: Error { var reason: String }
    // Freeing a run's thousands of strings costs the writer, the one thread that bounds ingest
    // speed; written runs are handed to a background queue in batches, where they are freed.
    // A run is retired when the next one is asked for, that is once the store has written it.
    var written: [Run] = []
    var inserting: Run?
    func retire(next run: Run?) {
      if let done = inserting { written.append(done) }
      inserting = run
      if written.count >= 8 || (run == nil && !written.isEmpty) {
        let batch = written
        written = []
        DispatchQueue.global(qos: .utility).async { withExtendedLifetime(batch) {} }
      }
    }
    defer { retire(next: nil) }
    do {
      let summary = try writer.write(
        source: source,
        nextPart: {
          switch channel.receive() {
          case .run(let run, let isDamaged):
            retire(next: run)
            return .run(run, isDamaged: isDamaged)
          case .runEvents(let runID, let attempt, let events, let chunks, let messages):
            return .runEvents(
              runID: runID, attempt: attempt, events: events, chunks: chunks, messages: messages)
          case .end(let format, let issues, let eventCount, let runCount):
            report.format = format
            report.issues = issues
            report.eventCount = eventCount
            report.runCount = runCount
            finished = true
            return nil
          case .abort(let reason):
            finished = true
            throw Aborted(reason: reason)
          case .begin, .settled:
            finished = true
            throw Aborted(reason: "the reader sent an unexpected item")
          }
        },
        finish: { (report.format ?? source.format, report.issues) })
      report.outcome = .stored(summary)
    } catch is RunStore.AlreadyIngested {
      report.outcome = .alreadyIngested
    } catch let aborted as Aborted {
      report.outcome = .failed("\(aborted.reason); nothing of it was stored")
      try? writer.record(
        IngestErrorRecord(
          source: source.path, sha256: source.sha256, line: nil, message: aborted.reason))
    } catch {
      report.outcome = .failed("could not store it, nothing of it was written: \(error)")
    }
    // The worker may still be sending; take the rest so it can finish.
    while !finished {
      switch channel.receive() {
      case .end, .abort, .settled: finished = true
      case .begin, .run, .runEvents: continue
      }
    }
    return report
  }

  // MARK: - Reading

  /// Reads one input and sends what it holds to the writer.
  private func read(
    path: String, isFromDirectory: Bool, known: Set<String>, claimed: SharedDigests,
    into channel: RunChannel
  ) {
    var report = FileReport(path: path, format: nil, outcome: .failed(""))
    let input: InputFile
    do {
      input = try InputFile.open(path)
    } catch {
      report.outcome = .failed(error.description)
      channel.send(
        .settled(
          report,
          problem: IngestErrorRecord(
            source: path, sha256: nil, line: nil, message: error.description)))
      return
    }
    defer { input.close() }

    let digest: String
    do {
      digest = try input.sha256(blockSize: blockSize)
    } catch {
      report.outcome = .failed(error.description)
      channel.send(.settled(report))
      return
    }
    if known.contains(digest) || !claimed.claim(digest) {
      report.outcome = .alreadyIngested
      channel.send(.settled(report))
      return
    }

    let opened: InputFile.Blocks
    do {
      opened = try input.blocks(size: blockSize)
    } catch {
      report.outcome = .failed(error.description)
      channel.send(.settled(report))
      return
    }
    var blocks = opened
    var first: [UInt8]
    do {
      first = try blocks.next() ?? []
    } catch {
      report.outcome = .failed(error.description)
      channel.send(.settled(report))
      return
    }
    guard let kind = forcedFormat ?? FormatDetector.detect(first, fileName: path) else {
      let why = "not a saved LangGraph stream (no SSE fields, JSONL events or transcript headers)"
      if isFromDirectory {
        report.outcome = .skipped(why)
        channel.send(.settled(report))
        return
      }
      // The first line with text is where the detector looked first; its excerpt shows what
      // the file is instead (an HTML error page, a binary file).
      let firstLine = LineReader(bytes: first).first { line in
        first[line.content].contains { !$0.isLiteralWhitespace }
      }
      report.outcome = .failed(
        "line \(firstLine?.number ?? 1): \(why); pass --format sse|jsonl|transcript to read it "
          + "anyway")
      channel.send(
        .settled(
          report,
          problem: IngestErrorRecord(
            source: path, sha256: digest, line: firstLine?.number ?? 1, message: why,
            excerpt: firstLine.map { SourceIssue.excerpt(of: first, range: $0.content) })))
      return
    }

    channel.send(
      .begin(
        SourceRecord(
          path: path, sha256: digest, format: SourceStreamer(kind: kind).parsed.format.description,
          byteCount: input.byteCount)))
    var streamer = SourceStreamer(kind: kind)
    var splitter = RunStream()
    var eventCount = 0
    var runCount = 0
    var issuesCounted = 0
    // What splitting the events into runs found wrong, in line order like the reader's issues.
    var runIssues: [SourceIssue] = []
    var runIssuesCounted = 0
    var heads = ResponseHeadMatcher()

    /// Assembles a finished run; its damage is decided by the issues on its lines.
    func emit(_ builder: consuming RunBuilder, nextRunLine: Int?, isLast: Bool) {
      var isDamaged = false
      func count(_ issues: [SourceIssue], from counted: inout Int) {
        while counted < issues.count, nextRunLine.map({ issues[counted].line < $0 }) ?? true {
          if issues[counted].damagesRun { isDamaged = true }
          counted += 1
        }
      }
      count(streamer.parsed.issues, from: &issuesCounted)
      count(runIssues, from: &runIssuesCounted)
      let runID = builder.runID ?? builder.derivedRunID()
      let threadID = heads.threadID(
        forRunAt: builder.firstLine, runID: builder.runID, eventsThreadID: builder.eventsThreadID,
        heads: streamer.parsed.responseHeads)
      let run = builder.finish(
        runID: runID, endsInsideEvent: isLast && streamer.parsed.endsInsideEvent,
        threadID: threadID)
      runCount += 1
      channel.send(.run(run, isDamaged: isDamaged || run.status == .incomplete))
    }

    func take(_ events: [SourceEvent], bytes: Int) {
      eventCount += events.count
      progress?.add(bytes: bytes, events: events.count)
      for event in events {
        let finished = splitter.add(event)
        runIssues += splitter.takeIssues()
        if let finished {
          // The next run begins at its first event, which may be a held one before this.
          emit(finished, nextRunLine: splitter.current?.firstLine ?? event.line, isLast: false)
        }
        // Checked at each event, not each block, so that where a piece ends (and so what a
        // derived run id is made from) depends on the events alone, not on the syntax or the
        // block size they were read in.
        if let pending = splitter.current?.pendingEventBytes, pending >= runPieceBytes,
          var long = splitter.current.take()
        {
          let (events, chunks, messages) = long.takePiece()
          let runID = long.runID ?? long.derivedRunID()
          splitter.current = long
          channel.send(
            .runEvents(
              runID: runID, attempt: long.attempt, events: events, chunks: chunks,
              messages: messages))
        }
      }
    }

    do {
      take(streamer.feed(first), bytes: first.count)
      first = []
      while let block = try blocks.next() {
        take(streamer.feed(block), bytes: block.count)
      }
    } catch {
      channel.send(.abort(error.description))
      return
    }
    take(streamer.finish(), bytes: 0)
    if let last = splitter.finish() { emit(last, nextRunLine: nil, isLast: true) }
    var issues = SourceIssue.merged(streamer.parsed.issues, runIssues)
    if eventCount == 0 && issues.isEmpty {
      issues.append(SourceIssue(line: 1, message: "no events found in the file", excerpt: ""))
    }
    channel.send(
      .end(
        format: streamer.parsed.format.description, issues: issues, eventCount: eventCount,
        runCount: runCount))
  }

  /// The files an input names: itself, or every regular file below a directory (sorted, hidden
  /// files left out, and so are pipes, sockets and devices, whose reading could wait forever).
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

  enum FileKind { case missing, file, directory, special }

  /// What is at `path`, following symbolic links: `special` is a pipe, socket or device.
  static func fileKind(_ path: String) -> FileKind {
    // Resource values describe a link itself, not what it points to: resolve it first, or a
    // linked capture would look like a special file.
    let url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
    guard let values = try? url.resourceValues(forKeys: [.isDirectoryKey, .isRegularFileKey])
    else { return .missing }
    if values.isDirectory == true { return .directory }
    return values.isRegularFile == false ? .special : .file
  }
}

/// The digests of the inputs taken by a worker in this ingest, shared by the workers.
final class SharedDigests: Sendable {
  private let digests = Mutex<Set<String>>([])

  /// True when no worker claimed `digest` before.
  func claim(_ digest: String) -> Bool { digests.withLock { $0.insert(digest).inserted } }
}

/// The index of the next input to read, shared by the workers.
final class SharedCounter: Sendable {
  private let value = Mutex(0)

  func next() -> Int {
    value.withLock { next in
      defer { next += 1 }
      return next
    }
  }
}
