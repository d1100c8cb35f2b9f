import GRDB
import GRDBSQLite

/// A prepared statement for the ingest hot path, bound and stepped through SQLite's C API.
///
/// GRDB's `Statement.execute(arguments:)` boxes every argument in an existential, builds a
/// `DatabaseValue` for it and walks the lot generically; measured on a 53 MB corpus that came to
/// a fifth of all ingest time, spent on the single writer thread that bounds ingest speed. This
/// type binds each value with one C call instead. It lives only inside one write transaction:
/// make it from the `Database` of a `write` closure and let it go before the closure returns.
///
/// Text is bound with its byte length, so a NUL inside it is stored, not taken as the end.
@safe final class InsertStatement {
  private let statement: OpaquePointer
  private let connection: OpaquePointer
  /// The SQL, carried into errors.
  let sql: String

  /// `SQLITE_TRANSIENT`: SQLite copies bound text before the call returns.
  // > https://www.sqlite.org/c3ref/c_static.html: "If the destructor argument is
  // > SQLITE_TRANSIENT, then SQLite makes its own private copy of the data immediately".
  private static let transient = unsafe unsafeBitCast(-1, to: sqlite3_destructor_type.self)

  /// Prepares `sql` on the connection of `db`.
  init(sql: String, in db: Database) throws {
    guard let connection = unsafe db.sqliteConnection else {
      throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the database is closed", sql: sql)
    }
    var prepared: OpaquePointer?
    let code = unsafe sqlite3_prepare_v2(connection, sql, -1, &prepared, nil)
    guard code == SQLITE_OK, let prepared = unsafe prepared else {
      throw DatabaseError(
        resultCode: ResultCode(rawValue: code),
        message: unsafe String(cString: sqlite3_errmsg(connection)), sql: sql)
    }
    unsafe self.statement = prepared
    unsafe self.connection = connection
    self.sql = sql
  }

  deinit {
    unsafe sqlite3_finalize(statement)
  }

  /// Binds text (NULL for nil) to the 1-based parameter `index`.
  func bind(_ index: Int32, _ text: String?) {
    guard var text else {
      unsafe sqlite3_bind_null(statement, index)
      return
    }
    // Text read back through GRDB ends at a NUL, so U+0000 is stored as U+FFFD (as the other
    // writes of RunStore do).
    if TextBytes.containsNUL(text) {
      text = text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }
    let code = text.withUTF8 { buffer in
      // Safe: SQLite copies the bytes (SQLITE_TRANSIENT) before the call returns; an empty
      // buffer may have no base address, and "" is bound from a static C string instead.
      if let base = buffer.baseAddress {
        unsafe sqlite3_bind_text64(
          statement, index, base, UInt64(buffer.count), Self.transient, UInt8(SQLITE_UTF8))
      } else {
        unsafe sqlite3_bind_text64(statement, index, "", 0, Self.transient, UInt8(SQLITE_UTF8))
      }
    }
    noteBinding(code)
  }

  /// The first binding that failed since the last step (a value too large for SQLite), which
  /// `execute` reports instead of inserting a row with a stale value in its place.
  private var bindingFailure: Int32 = SQLITE_OK

  private func noteBinding(_ code: Int32) {
    if code != SQLITE_OK && bindingFailure == SQLITE_OK { bindingFailure = code }
  }

  /// Binds an integer (NULL for nil).
  func bind(_ index: Int32, _ number: Int?) {
    if let number {
      unsafe sqlite3_bind_int64(statement, index, Int64(number))
    } else {
      unsafe sqlite3_bind_null(statement, index)
    }
  }

  /// Binds a Boolean as 0 or 1.
  func bind(_ index: Int32, _ flag: Bool) {
    unsafe sqlite3_bind_int64(statement, index, flag ? 1 : 0)
  }

  /// Runs the statement with `text` bound to parameter `index` in place, without the copy
  /// that SQLite makes of other bound text: for the one large value of a row (an event's
  /// payload), where that copy was the writer thread's largest memory traffic.
  ///
  /// `isJSON` says that `text` is JSON, which holds no raw control character (JSON escapes
  /// them inside strings), so the search for a NUL over the whole payload can be skipped: it
  /// was 3% of the writer thread's time.
  func execute(bindingInPlace index: Int32, _ text: String?, isJSON: Bool = false) throws {
    guard var text, !text.isEmpty, isJSON || !TextBytes.containsNUL(text) else {
      bind(index, text)
      return try execute()
    }
    assert(!TextBytes.containsNUL(text), "JSON text with a raw NUL")
    try text.withUTF8 { buffer in
      // Safe: SQLite reads the bytes only while the statement steps, inside this closure; the
      // parameter is unbound again before the closure returns, so no pointer outlives it.
      let code = unsafe sqlite3_bind_text64(
        statement, index, buffer.baseAddress, UInt64(buffer.count), nil, UInt8(SQLITE_UTF8))
      noteBinding(code)
      defer { unsafe sqlite3_bind_null(statement, index) }
      try execute()
    }
  }

  /// Runs the statement with the values bound, then makes it ready for the next row.
  func execute() throws {
    guard bindingFailure == SQLITE_OK else {
      let failure = bindingFailure
      bindingFailure = SQLITE_OK
      throw DatabaseError(
        resultCode: ResultCode(rawValue: failure),
        message:
          "a value is too large to store: \(unsafe String(cString: sqlite3_errstr(failure)))",
        sql: sql)
    }
    let code = unsafe sqlite3_step(statement)
    unsafe sqlite3_reset(statement)
    guard code == SQLITE_DONE else {
      throw DatabaseError(
        resultCode: ResultCode(rawValue: code),
        message: unsafe String(cString: sqlite3_errmsg(connection)), sql: sql)
    }
  }
}
