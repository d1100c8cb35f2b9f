import GRDB

/// The database schema, as ordered migrations.
///
/// The table and column names are lganalyze's public interface (people write SQL against them):
/// sources, runs, events, message_chunks, messages, tool_calls, the node_stats view and
/// ingest_errors. Later versions add migrations; none renames or drops these names.
enum Schema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE sources (
            source_id   INTEGER PRIMARY KEY,
            path        TEXT NOT NULL,
            sha256      TEXT NOT NULL UNIQUE,
            format      TEXT NOT NULL,
            bytes       INTEGER NOT NULL,
            ingested_at TEXT NOT NULL,
            event_count INTEGER NOT NULL DEFAULT 0,
            run_count   INTEGER NOT NULL DEFAULT 0,
            error_count INTEGER NOT NULL DEFAULT 0
          );

          CREATE TABLE runs (
            run_id          TEXT NOT NULL,
            attempt         INTEGER NOT NULL DEFAULT 1,
            thread_id       TEXT,
            graph_id        TEXT,
            assistant_id    TEXT,
            status          TEXT NOT NULL,
            error           TEXT,
            error_type      TEXT,
            event_count     INTEGER NOT NULL,
            started_at      TEXT,
            message_count   INTEGER NOT NULL,
            tool_call_count INTEGER NOT NULL,
            source          TEXT NOT NULL,
            source_id       INTEGER REFERENCES sources(source_id),
            PRIMARY KEY (run_id, attempt)
          );

          -- Events are stored clustered on their key (WITHOUT ROWID): one B-tree instead of a
          -- table and an index, which measured a third less CPU per ingested event. For the
          -- same reason no index on mode: queries reach events through a run.
          CREATE TABLE events (
            run_id    TEXT NOT NULL,
            attempt   INTEGER NOT NULL DEFAULT 1,
            seq       INTEGER NOT NULL,
            event     TEXT NOT NULL,
            mode      TEXT NOT NULL,
            namespace TEXT,
            data      TEXT,
            line      INTEGER NOT NULL,
            stream_id TEXT,
            lossy     INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, attempt, seq)
          ) WITHOUT ROWID;

          CREATE TABLE message_chunks (
            run_id           TEXT NOT NULL,
            attempt          INTEGER NOT NULL DEFAULT 1,
            message_id       TEXT NOT NULL,
            seq              INTEGER NOT NULL,
            node             TEXT,
            namespace        TEXT,
            content          TEXT NOT NULL,
            tool_call_chunks TEXT,
            usage            TEXT
          );
          CREATE INDEX message_chunks_message ON message_chunks(run_id, message_id);

          CREATE TABLE messages (
            run_id        TEXT NOT NULL,
            attempt       INTEGER NOT NULL DEFAULT 1,
            position      INTEGER NOT NULL,
            message_id    TEXT NOT NULL,
            type          TEXT NOT NULL,
            node          TEXT,
            namespace     TEXT,
            content       TEXT NOT NULL,
            tool_calls    TEXT NOT NULL DEFAULT '[]',
            tool_call_id  TEXT,
            chunk_count   INTEGER NOT NULL,
            input_tokens  INTEGER,
            output_tokens INTEGER,
            total_tokens  INTEGER,
            usage         TEXT,
            model         TEXT,
            provider      TEXT,
            first_seq     INTEGER NOT NULL,
            model_call_id TEXT,
            started_at    TEXT,
            started_ms    INTEGER,
            PRIMARY KEY (run_id, attempt, message_id)
          );

          CREATE TABLE tool_calls (
            run_id       TEXT NOT NULL,
            attempt      INTEGER NOT NULL DEFAULT 1,
            message_id   TEXT NOT NULL,
            tool_call_id TEXT,
            name         TEXT NOT NULL,
            args         TEXT NOT NULL,
            args_valid   INTEGER NOT NULL,
            result       TEXT,
            node         TEXT
          );
          CREATE INDEX tool_calls_run ON tool_calls(run_id, attempt);
          CREATE INDEX tool_calls_id ON tool_calls(tool_call_id);

          CREATE TABLE ingest_errors (
            error_id    INTEGER PRIMARY KEY,
            source      TEXT NOT NULL,
            sha256      TEXT,
            line        INTEGER,
            message     TEXT NOT NULL,
            excerpt     TEXT,
            recorded_at TEXT NOT NULL
          );

          -- Full-text search over message text and tool arguments and results.
          CREATE VIRTUAL TABLE search_index USING fts5(
            text, run_id UNINDEXED, attempt UNINDEXED, message_id UNINDEXED, node UNINDEXED,
            kind UNINDEXED, tokenize = 'unicode61'
          );

          -- Model calls placed in time by their UUIDv7 ids (inferred: streams carry no clock).
          -- until_next_call_ms runs from one call's start to the next call's start in the run,
          -- so it includes the tool time in between; the last call of a run has none.
          CREATE VIEW model_calls AS
          SELECT run_id, attempt, message_id, model_call_id, node, model, provider,
                 started_at, started_ms,
                 LEAD(started_ms) OVER calls - started_ms AS until_next_call_ms,
                 input_tokens, output_tokens, total_tokens
            FROM messages
           WHERE started_ms IS NOT NULL
          WINDOW calls AS (PARTITION BY run_id, attempt ORDER BY started_ms);

          -- Per run and node: tokens of messages without usage count as 0.
          CREATE VIEW node_stats AS
          SELECT m.run_id, m.attempt, m.node,
                 COUNT(*) AS messages,
                 SUM(m.chunk_count) AS chunks,
                 SUM(COALESCE(m.input_tokens, 0)) AS input_tokens,
                 SUM(COALESCE(m.output_tokens, 0)) AS output_tokens,
                 SUM(COALESCE(m.total_tokens, 0)) AS total_tokens,
                 (SELECT COUNT(*) FROM tool_calls t
                   WHERE t.run_id = m.run_id AND t.attempt = m.attempt AND t.node IS m.node)
                   AS tool_calls
            FROM messages m
           GROUP BY m.run_id, m.attempt, m.node;
          """)
    }
    // Events become a plain table in insertion order, found by run through an index. Clustered
    // on their key, every run's payloads went to a random place in one B-tree: pages split,
    // filled two thirds on average, and each commit rewrote pages all over the table. Appended
    // in order, the payloads fill whole pages written once, and only the small index entries
    // land at random places (measured on a 212 MB corpus: ingest 4.8 s → 3.6 s).
    migrator.registerMigration("v2-events-in-insertion-order") { db in
      try db.execute(
        sql: """
          CREATE TABLE events_v2 (
            run_id    TEXT NOT NULL,
            attempt   INTEGER NOT NULL DEFAULT 1,
            seq       INTEGER NOT NULL,
            event     TEXT NOT NULL,
            mode      TEXT NOT NULL,
            namespace TEXT,
            data      TEXT,
            line      INTEGER NOT NULL,
            stream_id TEXT,
            lossy     INTEGER NOT NULL DEFAULT 0
          );
          INSERT INTO events_v2
          SELECT run_id, attempt, seq, event, mode, namespace, data, line, stream_id, lossy
            FROM events;
          DROP TABLE events;
          ALTER TABLE events_v2 RENAME TO events;
          CREATE UNIQUE INDEX events_run_seq ON events(run_id, attempt, seq);
          """)
    }
    // node_stats sums tokens so that no stored value can make it fail (see `saturatingSum`).
    migrator.registerMigration("v3-saturating-token-sums") { db in
      try db.execute(
        sql: """
          DROP VIEW node_stats;
          -- Per run and node: tokens of messages without usage count as 0. Token sums are
          -- CAST(TOTAL(x) AS INTEGER): exact below 2^53, saturating at the 64-bit limits past
          -- them, where SUM would fail every query that reads the view.
          CREATE VIEW node_stats AS
          SELECT m.run_id, m.attempt, m.node,
                 COUNT(*) AS messages,
                 SUM(m.chunk_count) AS chunks,
                 \(saturatingSum("m.input_tokens")) AS input_tokens,
                 \(saturatingSum("m.output_tokens")) AS output_tokens,
                 \(saturatingSum("m.total_tokens")) AS total_tokens,
                 (SELECT COUNT(*) FROM tool_calls t
                   WHERE t.run_id = m.run_id AND t.attempt = m.attempt AND t.node IS m.node)
                   AS tool_calls
            FROM messages m
           GROUP BY m.run_id, m.attempt, m.node;
          """)
    }
    // Marks the file as lganalyze's, so that `--db` naming another program's database is
    // refused rather than read or given lganalyze's tables (see `RunStore.contents(of:)`).
    migrator.registerMigration("v4-application-id") { db in
      try db.execute(sql: "PRAGMA application_id = \(RunStore.applicationID)")
    }
    // Whether a stored run was damaged, so that a copy of it that comes later is judged against
    // the run itself (see `BatchWriter.StoredCopy`). Judged by its source's errors, a clean run
    // from a file with damage in another run counted as damaged, and a damaged copy with more
    // events replaced it. Which runs of a source were damaged was not recorded before, so the
    // runs already stored keep their source's judgement: none of them is taken for clean when
    // it may not be, and each is replaced as it was before.
    migrator.registerMigration("v5-run-damage") { db in
      try db.execute(
        sql: """
          ALTER TABLE runs ADD COLUMN damaged INTEGER NOT NULL DEFAULT 0;
          UPDATE runs SET damaged = 1
           WHERE source_id IN (SELECT source_id FROM sources WHERE error_count > 0);
          """)
    }
    return migrator
  }

  /// SQL for the sum of `expression` over a group that no stored value can make fail: NULLs
  /// count as 0, the result is an integer, exact while it stays below 2^53 (nine million
  /// billion) and held at the largest or smallest 64-bit integer past those.
  ///
  /// Token counts come from the streams, which are untrusted: a usage_metadata of
  /// 9223372036854775807 tokens is valid JSON. SQLite's SUM fails the whole statement once an
  /// integer sum passes 2^63 - 1 ("integer overflow"), so one such file made `runs`, `stats`,
  /// `show` and `export` fail for every run in the database. TOTAL sums as a double and never
  /// fails, and a cast back to INTEGER saturates:
  // > https://www.sqlite.org/lang_expr.html#castexpr: "If the REAL value is greater than the
  // > largest possible signed integer (+9223372036854775807) then the result is the largest
  // > possible signed integer and if the REAL value is less than the smallest possible signed
  // > integer (-9223372036854775808) then the result is the smallest possible signed integer."
  /// Refusing implausible counts at ingest instead was not chosen: the messages would then no
  /// longer say what the stream said, and databases that already hold such values would still
  /// fail. The sums are at query time and cost nothing on the ingest path.
  static func saturatingSum(_ expression: String) -> String {
    "CAST(TOTAL(\(expression)) AS INTEGER)"
  }
}
