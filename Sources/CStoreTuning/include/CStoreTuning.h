#ifndef LGANALYZE_CSTORETUNING_H
#define LGANALYZE_CSTORETUNING_H

/// Stops SQLite from keeping memory statistics, which takes a process-wide mutex on every
/// allocation. Returns SQLite's result code: SQLITE_MISUSE once SQLite has started, when it is
/// too late and nothing changes. `sqlite3_config` takes variadic arguments, which Swift cannot
/// pass, hence this wrapper.
int lga_sqlite_stop_memory_statistics(void);

/// Lets SQLite take `file:` URIs as database names (for `immutable=1`), which builds of SQLite
/// without SQLITE_USE_URI refuse. Returns SQLite's result code, SQLITE_MISUSE once SQLite has
/// started, as above.
int lga_sqlite_accept_uri_filenames(void);

/// Asks the kernel to start writing the dirty pages of the open file `fd` to disk, without
/// waiting for them. Returns 0, or -1 with errno set. Does nothing where the system has no
/// such call (it exists on Linux).
int lga_start_writeback(int fd);

#endif
