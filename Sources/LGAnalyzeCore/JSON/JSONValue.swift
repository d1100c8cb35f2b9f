/// A JSON value read from any payload syntax lganalyze accepts (JSON, a Python repr, a Node
/// `util.inspect` rendering).
///
/// Objects keep their keys in the order they arrived, because LangGraph's server writes them in
/// insertion order and the canonical writer reproduces that order. Numbers keep their literal
/// text so that writing a value back never changes a digit.
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// The number's literal text, already in JSON syntax (`12`, `-0.5`, `1e-07`).
  case number(String)
  case string(String)
  case array([JSONValue])
  case object(JSONObject)

  /// The member named `key` when this is an object, else nil.
  public subscript(key: String) -> JSONValue? {
    if case .object(let object) = self { return object[key] }
    return nil
  }

  /// The string when this is a string, else nil.
  public var stringValue: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  /// The elements when this is an array, else nil.
  public var arrayValue: [JSONValue]? {
    if case .array(let elements) = self { return elements }
    return nil
  }

  /// The object when this is an object, else nil.
  public var objectValue: JSONObject? {
    if case .object(let object) = self { return object }
    return nil
  }

  /// The number as an integer when it is one (`12`, `-3`), else nil.
  public var intValue: Int? {
    if case .number(let text) = self { return Int(text) }
    return nil
  }

  /// True for `null`.
  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }
}

/// The members of a JSON object, in the order they arrived.
///
/// Lookup is a linear scan: payload objects have a handful of keys, where a scan beats hashing.
/// A key that occurs twice keeps its first position and its last value, as Python's `json` does.
public struct JSONObject: Sendable, Equatable {
  public private(set) var keys: [String] = []
  public private(set) var values: [JSONValue] = []

  public init() {}

  /// An empty object with room for `count` members.
  init(reservingCapacity count: Int) {
    keys.reserveCapacity(count)
    values.reserveCapacity(count)
  }

  /// Adds a member after the others, as the setter does: a key already present keeps its
  /// position and takes the new value.
  mutating func appendMember(_ key: String, _ value: JSONValue) {
    if keys.contains(key) {
      self[key] = value
    } else {
      keys.append(key)
      values.append(value)
    }
  }

  /// Builds an object from key–value pairs, in order.
  public init(_ pairs: [(String, JSONValue)]) {
    for (key, value) in pairs { self[key] = value }
  }

  public var count: Int { keys.count }
  public var isEmpty: Bool { keys.isEmpty }

  /// The value stored under `key`; setting nil removes the key.
  public subscript(key: String) -> JSONValue? {
    get {
      guard let index = keys.firstIndex(of: key) else { return nil }
      return values[index]
    }
    set {
      if let index = keys.firstIndex(of: key) {
        if let newValue {
          values[index] = newValue
        } else {
          keys.remove(at: index)
          values.remove(at: index)
        }
      } else if let newValue {
        keys.append(key)
        values.append(newValue)
      }
    }
  }

  /// The members as (key, value) pairs, in order.
  public var members: Zip2Sequence<[String], [JSONValue]> { zip(keys, values) }
}
