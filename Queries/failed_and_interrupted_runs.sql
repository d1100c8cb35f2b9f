-- Runs that did not end cleanly: errors (with the error type and message), interrupts
-- waiting for a human, and captures cut off mid-stream.
SELECT run_id, attempt, graph_id, status, error_type, error, started_at, source
  FROM runs
 WHERE status IN ('error', 'interrupted', 'incomplete')
 ORDER BY started_at DESC;
