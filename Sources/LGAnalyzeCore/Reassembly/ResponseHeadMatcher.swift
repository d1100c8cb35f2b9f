// ResponseHeadMatcher gives each run of a source the thread its saved HTTP response head names
// (`curl -i`), when the run is one of that response's. A head comes before its response's
// events; captures joined with `cat` hold several responses, each with a head of its own or
// without one, and nothing else marks where one response ends and the next begins:
//
//   HTTP/1.1 200 OK                            head 1: thread T, run R
//   content-location: /threads/T/runs/R
//   metadata {"run_id":"R","attempt":1} …      R gets T
//   metadata {"run_id":"R","attempt":2} …      R's retry, in the same response: T
//   metadata {"run_id":"S","attempt":1} …      not run R, so another response, saved without
//                                              a head: S gets no thread from head 1, and
//                                              neither does a run after S
//   HTTP/1.1 200 OK                            head 2 replaces head 1: the runs after it get
//   location: /runs/U/stream                   its thread, here none (a stateless run)
//
// A run is not the response's when its metadata names another run than the head names, or its
// own events name another thread than the head does. A run whose metadata names no run (a run
// with no metadata, or with a damaged run_id) may be the response's. The head in force for a
// run is the last one before its first event, so a run joined from two parts (`cat part1.sse
// part2.sse` of a reconnected stream) takes the thread of the head before its first part.

/// Decides, run by run in source order, which saved HTTP response head a run belongs to, and so
/// the thread id that head gives it.
struct ResponseHeadMatcher {
  /// The head whose response is being read; nil before any, and once a run showed that the
  /// response ended.
  private var inForce: ResponseHead?
  /// How many of the source's heads came before the runs matched so far.
  private var headsPassed = 0

  /// The thread id the run that starts at `line` gets from the heads before it; nil when none
  /// names a thread or the run cannot be that head's response's.
  /// - Parameters:
  ///   - line: the source line of the run's first event.
  ///   - runID: the run id its metadata names, nil when none does.
  ///   - eventsThreadID: the thread id its events' metadata names, if any.
  ///   - heads: the heads of the source read so far, in line order.
  mutating func threadID(
    forRunAt line: Int, runID: String?, eventsThreadID: String?, heads: [ResponseHead]
  ) -> String? {
    while headsPassed < heads.count, heads[headsPassed].line < line {
      inForce = heads[headsPassed]
      headsPassed += 1
    }
    guard let head = inForce else { return nil }
    let namesOtherRun = head.runID != nil && runID != nil && head.runID != runID
    let namesOtherThread =
      head.threadID != nil && eventsThreadID != nil && head.threadID != eventsThreadID
    if namesOtherRun || namesOtherThread {
      inForce = nil
      return nil
    }
    return head.threadID
  }
}
