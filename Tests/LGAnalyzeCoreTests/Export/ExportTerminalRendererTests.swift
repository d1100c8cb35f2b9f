import Foundation
import LGAnalyzeCore
import Testing

/// What `show` prints: the run's header, messages by node, calls with their results, and
/// nothing from the data that a terminal would obey.
@Suite struct ExportTerminalRendererTests {
  private let weather = ExportFixtures.weather
  private let hostile = ExportFixtures.hostile

  private func lines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  }

  @Test func headerNamesTheRunGraphThreadStatusAndStart() throws {
    let text = TerminalRenderer.render(weather, useColor: false)
    let started = try #require(UUIDv7.isoTimestamp(of: ExportFixtures.weatherRunID))
    #expect(text.hasPrefix("Run \(ExportFixtures.weatherRunID)\n"))
    #expect(text.contains("  graph   weather\n"))
    #expect(text.contains("  thread  thread-1\n"))
    #expect(text.contains("  status  success\n"))
    #expect(text.contains("  started \(started) (from the run id)\n"))
    #expect(text.contains("  tokens  12 in, 30 out, 42 total\n"))
  }

  @Test func aRunIDThatIsNoUUIDv7HasNoStartTime() {
    var transcript = weather
    transcript.run.runID = "source-0123456789abcdef-0"
    let text = TerminalRenderer.render(transcript, useColor: false)
    #expect(text.contains("  started unknown (the run id is not a UUIDv7)\n"))
  }

  @Test func messagesComeUnderTheirNodeWithRoles() throws {
    let output = lines(TerminalRenderer.render(weather, useColor: false))
    let human = try #require(output.firstIndex(of: "Human"))
    #expect(output[human + 1] == "  What's the weather in SF, today?")
    #expect(output[human + 2] == "  Answer \"briefly\", please.")
    let node = try #require(output.firstIndex(of: "── agent ──"))
    #expect(node > human)
    #expect(output[node + 1].hasPrefix("Assistant gpt-4o · 12 in, 30 out tokens"))
    #expect(output[node + 2] == "  Let me check.")
    // The tools node's only message is the result shown under the call, and the answer comes
    // from the same node as the call, so one node header is enough.
    #expect(output.filter { $0.hasPrefix("── ") }.count == 1)
    #expect(output.contains("  Foggy, 60°F."))
  }

  @Test func toolResultsAreIndentedUnderTheirCall() throws {
    let output = lines(TerminalRenderer.render(weather, useColor: false))
    let call = try #require(output.firstIndex(of: "  → get_weather call_A1"))
    #expect(
      Array(output[(call + 1)...(call + 5)]) == [
        "    {",
        "      \"city\": \"sf\"",
        "    }",
        "      ← result",
        "        \(ExportFixtures.weatherResult)",
      ])
    #expect(output.filter { $0.contains(ExportFixtures.weatherResult) }.count == 1)
  }

  @Test func aFailedRunEndsWithItsErrorAfterItsInterrupts() throws {
    let output = lines(TerminalRenderer.render(hostile, useColor: false))
    #expect(output.contains("  status  error"))
    let interrupt = try #require(output.firstIndex(of: "interrupt int-1"))
    #expect(output[interrupt + 1] == "  {")
    #expect(output[interrupt + 2] == "    \"question\": \"Approve <this>?\"")
    let error = try #require(output.firstIndex(of: "error"))
    #expect(error > interrupt)
    #expect(output[error + 1] == "  ValueError: boom <b>'x'</b>")
    #expect(output.last == "")
    #expect(output.count == error + 3)
  }

  @Test func escapeSequencesFromTheDataAreStripped() {
    for useColor in [false, true] {
      let text = TerminalRenderer.render(hostile, useColor: useColor)
      #expect(!text.contains("[31mRED"))
      #expect(!text.contains("\u{9B}"))
      #expect(!text.contains("2J"))
      #expect(!text.contains("pwned"))
      #expect(!text.contains("\u{07}"))
      #expect(!text.contains("\u{7F}"))
      #expect(!text.unicodeScalars.contains("\r"))
      #expect(text.contains("before RED middle  after"))
      #expect(text.contains("title done bell cr"))
      if !useColor { #expect(text.contains("→ run_<script> call_<b>")) }
    }
  }

  @Test func withoutColorThereIsNoEscapeAtAll() {
    for transcript in [weather, hostile] {
      let text = TerminalRenderer.render(transcript, useColor: false)
      #expect(!text.unicodeScalars.contains { TerminalTextProbe.isControl($0) })
    }
  }

  @Test func withColorOnlyTheRenderersOwnStylesAppear() throws {
    let text = TerminalRenderer.render(hostile, useColor: true)
    #expect(text.contains("\u{1B}[1mRun \(ExportFixtures.hostileRunID)\u{1B}[0m"))
    #expect(text.contains("\u{1B}[31;1merror\u{1B}[0m"))
    // Every escape the output has starts one of the renderer's SGR codes.
    let pattern = try Regex("\u{1B}\\[[0-9;]*m")
    let stripped = text.replacing(pattern, with: "")
    #expect(!stripped.unicodeScalars.contains { TerminalTextProbe.isControl($0) })
    #expect(stripped == TerminalRenderer.render(hostile, useColor: false))
  }

  @Test func invalidArgumentsAreShownAsTheyWereAndFlagged() {
    let text = TerminalRenderer.render(hostile, useColor: false)
    #expect(text.contains("→ run_<script> call_<b> (arguments are not JSON)\n"))
    #expect(text.contains("\n    {\"cmd\": \"rm -rf /\n"))
  }
}

/// The control characters the terminal renderer must never pass through from data: C0 except
/// line feed and tab, DEL, C1.
enum TerminalTextProbe {
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    (scalar.value < 0x20 && scalar != "\n" && scalar != "\t")
      || (0x7F...0x9F).contains(scalar.value)
  }
}

/// The sanitizer on its own cases, through a one-message transcript.
@Suite struct ExportTerminalSanitizingTests {
  static let cases: [(String, String)] = [
    ("a\u{1B}[1;31mb", "ab"),
    ("a\u{1B}]8;;http://example.invalid\u{1B}\\link\u{1B}]8;;\u{1B}\\b", "alinkb"),
    ("a\u{1B}]52;c;ZXZpbA==\u{07}b", "ab"),
    ("a\u{9B}31mb", "ab"),
    ("a\u{9D}0;title\u{9C}b", "ab"),
    ("a\u{1B}cb", "ab"),
    ("a\u{1B}(Bb", "ab"),
    ("a\u{0}b\u{8}c\u{85}d\u{1F}e", "abcde"),
    ("tab\there", "tab\there"),
    // Bidirectional overrides and isolates, which would reorder what follows.
    ("a\u{202E}exe.txt\u{202C}b", "aexe.txtb"),
    ("x\u{2066}y\u{2067}z\u{2068}w\u{2069}v\u{202A}u\u{202B}t\u{202D}s", "xyzwvuts"),
    ("日本語 😀 e\u{301} \u{2028}", "日本語 😀 e\u{301} \u{2028}"),
    // A sequence cut off loses its introducer only, never the text after it.
    ("a\u{1B}]0;unterminated", "a0;unterminated"),
    ("trailing\u{1B}", "trailing"),
  ]

  @Test(arguments: cases)
  func contentIsPrintedWithoutControls(input: String, expected: String) {
    let message = Message(messageID: "m", type: "human", content: input)
    let transcript = Transcript(
      run: ExportFixtures.summary("run-1", status: "success", error: nil, messages: [message]),
      messages: [message], interrupts: [])
    let text = TerminalRenderer.render(transcript, useColor: false)
    #expect(text.contains("\nHuman\n  \(expected)\n"))
  }
}
