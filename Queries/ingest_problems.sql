-- What could not be read, file by file, with the line to look at.
SELECT source, line, message, excerpt, recorded_at
  FROM ingest_errors
 ORDER BY source, line;
