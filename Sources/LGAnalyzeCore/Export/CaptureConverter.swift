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
  public static func convert(
    path: String, to format: CaptureFormat, forcedFormat: FormatKind? = nil
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
    return convert(bytes, from: kind, to: format)
  }

  /// Rewrites `bytes`, read as `kind`, as `format`.
  public static func convert(_ bytes: [UInt8], from kind: FormatKind, to format: CaptureFormat)
    -> Result
  {
    let parsed = FormatDetector.read(bytes, as: kind)
    return Result(bytes: CaptureWriter.write(parsed.events, as: format), issues: parsed.issues)
  }
}
