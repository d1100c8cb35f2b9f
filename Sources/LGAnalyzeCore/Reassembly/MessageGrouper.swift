/// Decides which message a streamed chunk belongs to.
///
/// One model call can stream under two ids. langchain names every chunk that has no id
/// `lc_run--<call id>` and closes each call with an empty `chunk_position: "last"` chunk under
/// that name, while providers name their own chunks: Anthropic's first chunk carries `msg_…` and
/// the rest `lc_run--…`; OpenAI's chunks carry `chatcmpl-…` and only the closing one `lc_run--…`.
///
/// So, within one namespace (`langgraph_checkpoint_ns`), a chunk under a new id joins the message
/// still streaming there when that message has no id of the new id's kind yet; a "last" chunk
/// closes the message. The provider's id names the merged message, as langchain_core's id
/// ranking does, and it is the id the message has in graph state.
struct MessageGrouper {
  private struct Names {
    var providerID: String?
    var langChainID: String?
  }

  /// Every id seen → the key of the message it was merged into.
  private var keyByID: [String: String] = [:]
  private var namesByKey: [String: Names] = [:]
  /// Namespace → key of the message still streaming there.
  private var streamingKey: [String: String] = [:]

  /// True for ids langchain assigned (`lc_run--…`, and `run-…` from older cores).
  static func isLangChainID(_ id: String) -> Bool {
    id.hasPrefix("lc_run-") || id.hasPrefix("run-")
  }

  /// The key of the message a chunk with `id` in `namespace` belongs to.
  mutating func key(for id: String, namespace: String, isLast: Bool) -> String {
    let isLangChain = Self.isLangChainID(id)
    let key: String
    if let known = keyByID[id] {
      key = known
    } else {
      var candidate = streamingKey[namespace]
      if let open = candidate, let names = namesByKey[open],
        (isLangChain ? names.langChainID : names.providerID) != nil
      {
        candidate = nil
      }
      key = candidate ?? id
      var names = namesByKey[key] ?? Names()
      if isLangChain { names.langChainID = id } else { names.providerID = id }
      namesByKey[key] = names
      keyByID[id] = key
    }
    streamingKey[namespace] = isLast ? nil : key
    return key
  }

  /// True when a chunk with this id has been seen.
  func hasSeen(_ id: String) -> Bool { keyByID[id] != nil }

  /// langchain's id (`lc_run--…`) among the ids the message with `key` streamed under.
  func langChainID(forKey key: String) -> String? {
    namesByKey[key]?.langChainID
  }

  /// The id that names the message with `key`: the provider's id when there is one.
  func messageID(forKey key: String) -> String {
    guard let names = namesByKey[key] else { return key }
    return names.providerID ?? names.langChainID ?? key
  }
}
