#ifdef __linux__
#define _GNU_SOURCE
#include <fcntl.h>
#endif
#include <sqlite3.h>

#include "CStoreTuning.h"

int lga_sqlite_stop_memory_statistics(void) {
  return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int lga_sqlite_accept_uri_filenames(void) {
  return sqlite3_config(SQLITE_CONFIG_URI, 1);
}

int lga_start_writeback(int fd) {
#ifdef __linux__
  return sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
  (void)fd;
  return 0;
#endif
}
