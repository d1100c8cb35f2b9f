/// Rewrites a saved stream in another capture format (the `convert` command's work).
public enum CaptureConverter {
  /// The converted bytes and the problems met reading the input.
  public struct Result: Sendable {
    public var bytes: [UInt8]
    /// Events the input could not read (they are left out of the output).
    public var issues: [SourceIssue]
  }

  /// Why an input could not be converted at all.
  public struct ConversionError: Error, CustomStringConvertible {
    public var description: String
  }

  /// Reads the capture at `path` (`-` for standard input) and writes it as `format`.
  /// - Throws: `ConversionError` when the input cannot be read, or when `format` cannot hold
  ///   all the input holds (see `CaptureWriter.losses`) and `allowingLoss` is false.
  public static func convert(
    path: String, to format: CaptureFormat, forcedFormat: FormatKind? = nil,
    allowingLoss: Bool = false
  ) throws(ConversionError) -> Result {
    let bytes: [UInt8]
    do {
      bytes = try InputFile.readAll(path)
    } catch {
      throw ConversionError(description: "\(path): \(error)")
    }
    guard let kind = forcedFormat ?? FormatDetector.detect(bytes, fileName: path) else {
      throw ConversionError(
        description: "\(path): not a saved LangGraph stream; pass --format to read it anyway")
    }
    do {
      return try convert(bytes, from: kind, to: format, allowingLoss: allowingLoss)
    } catch {
      throw ConversionError(description: "\(path): \(error)")
    }
  }

  /// Rewrites `bytes`, read as `kind`, as `format`.
  /// - Throws: `ConversionError` when `format` cannot hold all the input holds and
  ///   `allowingLoss` is false.
  public static func convert(
    _ bytes: [UInt8], from kind: FormatKind, to format: CaptureFormat, allowingLoss: Bool = false
  ) throws(ConversionError) -> Result {
    let parsed = FormatDetector.read(bytes, as: kind)
    let losses = CaptureWriter.losses(in: parsed.events, as: format)
    if !losses.isEmpty && !allowingLoss {
      throw ConversionError(
        description: "a \(format.rawValue) cannot hold all of it: "
          + losses.joined(separator: "; ")
          + "; write sse or jsonl instead, or pass --force to write it anyway")
    }
    guard parsed.endsInsideEvent, let cut = parsed.cutOffEvent else {
      return Result(bytes: CaptureWriter.write(parsed.events, as: format), issues: parsed.issues)
    }
    // The event the input stops inside ends the output too, cut off the same way; a reader
    // that kept what there was of it keeps it again from the output.
    var events = parsed.events
    if cut.isKept, events.last?.line == cut.line { events.removeLast() }
    return Result(
      bytes: CaptureWriter.write(events, endingInside: cut, from: parsed.format, as: format),
      issues: parsed.issues)
  }
}
