// The rules by which langchain_core adds two AIMessageChunks (`AIMessageChunk.__add__`), written
// as pure functions over JSONValue so that reassembly gives exactly what langchain_core gives:
//
//   content          str + str concatenates; str + list prepends the str; list + str appends
//                    to a trailing str element (or adds a new one); list + list is mergeLists.
//   mergeLists       an element that is a dict with an int `index` (or a str index starting with
//                    `lc_`) merges into the left element of the same index — unless their ids
//                    differ — after dropping its `type`; anything else is appended.
//   mergeDicts       a missing or null left value takes the right; a null right is skipped;
//                    strings concatenate (except `index` starting with lc_, and equal `id`,
//                    `output_version`, `model_provider`); dicts recurse; lists use mergeLists;
//                    ints add, except `index`, `created`, `timestamp` (the right one wins).
//   addUsage         a recursive sum over the union of keys; missing counts as 0.
//
// Where langchain_core would raise (a type mismatch), the left value is kept: a saved stream
// must still be read.

/// langchain_core's chunk-merging rules.
public enum ChunkMergeRules {
  /// `merge_content`: adds a chunk's content to the content merged so far.
  public static func mergeContent(_ left: JSONValue, _ right: JSONValue) -> JSONValue {
    var merged = left
    mergeContent(into: &merged, right)
    return merged
  }

  /// `merge_content` in place. A message streamed in many chunks grows by appending: building
  /// a new string per chunk would copy the whole text so far each time, quadratic in its length.
  public static func mergeContent(into left: inout JSONValue, _ right: JSONValue) {
    switch (left, right) {
    case (.string(var first), .string(let second)):
      // Dropping the enum's reference leaves `first` the only one, so it grows in place.
      left = .null
      first += second
      left = .string(first)
    case (.string(let first), .array(let second)):
      left = .array([.string(first)] + second)
    case (.array(let first), .array(let second)):
      left = .array(mergeLists(first, second))
    case (.array(var first), .string(let second)):
      if second.isEmpty { return }
      left = .null
      if case .string(var last)? = first.last {
        first[first.count - 1] = .null
        last += second
        first[first.count - 1] = .string(last)
      } else {
        first.append(.string(second))
      }
      left = .array(first)
    case (.null, _):
      left = right
    default:
      return
    }
  }

  /// `merge_lists`: merges elements that share an `index`, appends the rest.
  public static func mergeLists(_ left: [JSONValue], _ right: [JSONValue]) -> [JSONValue] {
    var merged = left
    for element in right {
      guard case .object(var object) = element, let index = object["index"], isMergeIndex(index)
      else {
        merged.append(element)
        continue
      }
      let target = merged.firstIndex { candidate in
        guard case .object(let existing) = candidate, existing["index"] == index else {
          return false
        }
        return idsAgree(existing["id"], object["id"])
      }
      guard let target, case .object(let existing) = merged[target] else {
        merged.append(element)
        continue
      }
      object["type"] = nil
      merged[target] = .object(mergeDicts(existing, object))
    }
    return merged
  }

  /// `merge_dicts`: merges the right dict into the left, key by key.
  public static func mergeDicts(_ left: JSONObject, _ right: JSONObject) -> JSONObject {
    var merged = left
    for (key, rightValue) in right.members {
      guard let leftValue = merged[key], !leftValue.isNull else {
        if merged[key] == nil || !rightValue.isNull { merged[key] = rightValue }
        continue
      }
      switch (leftValue, rightValue) {
      case (_, .null):
        continue
      case (.string(let first), .string(let second)):
        if key == "index" && first.hasPrefix("lc_") { continue }
        if ["id", "output_version", "model_provider"].contains(key) && first == second { continue }
        merged[key] = .string(first + second)
      case (.object(let first), .object(let second)):
        merged[key] = .object(mergeDicts(first, second))
      case (.array(let first), .array(let second)):
        merged[key] = .array(mergeLists(first, second))
      case (.number(let first), .number(let second)):
        if first == second { continue }
        if ["index", "created", "timestamp"].contains(key) {
          merged[key] = rightValue
        } else {
          merged[key] = add(first, second).map { JSONValue.number($0) } ?? leftValue
        }
      default:
        continue
      }
    }
    return merged
  }

  /// `add_usage`: sums two usage_metadata dicts recursively; nil is the empty usage.
  public static func addUsage(_ left: JSONValue?, _ right: JSONValue?) -> JSONValue? {
    guard let right, case .object(let rightObject) = right else { return left }
    guard let left, case .object(let leftObject) = left else { return right }
    return .object(sumObjects(leftObject, rightObject))
  }

  private static func sumObjects(_ left: JSONObject, _ right: JSONObject) -> JSONObject {
    var sum = left
    for (key, rightValue) in right.members {
      switch (left[key], rightValue) {
      case (nil, _), (.null?, _):
        sum[key] = rightValue
      case (.number(let first)?, .number(let second)):
        sum[key] = add(first, second).map { JSONValue.number($0) } ?? .number(first)
      case (.object(let first)?, .object(let second)):
        sum[key] = .object(sumObjects(first, second))
      default:
        continue
      }
    }
    return sum
  }

  /// The sum of two number literals, kept integral when both are integers.
  private static func add(_ first: String, _ second: String) -> String? {
    if let a = Int(first), let b = Int(second) {
      let (sum, overflow) = a.addingReportingOverflow(b)
      return overflow ? nil : String(sum)
    }
    guard let a = Double(first), let b = Double(second) else { return nil }
    return String(a + b)
  }

  private static func isMergeIndex(_ index: JSONValue) -> Bool {
    switch index {
    case .number(let text): return Int(text) != nil
    case .string(let text): return text.hasPrefix("lc_")
    default: return false
    }
  }

  /// Two elements with the same index merge unless both carry different non-empty ids.
  private static func idsAgree(_ first: JSONValue?, _ second: JSONValue?) -> Bool {
    let a = first?.stringValue ?? ""
    let b = second?.stringValue ?? ""
    return a.isEmpty || b.isEmpty || a == b
  }

  /// The text of a message's content: a string as it is; of a list, the `text` of its text
  /// blocks, in order.
  public static func text(of content: JSONValue?) -> String {
    switch content {
    case .string(let text)?:
      return text
    case .array(let blocks)?:
      var text = ""
      for block in blocks where block["type"]?.stringValue == "text" {
        text += block["text"]?.stringValue ?? ""
      }
      return text
    default:
      return ""
    }
  }
}
