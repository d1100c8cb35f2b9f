-- Tool calls with no tool message answering them in the stream: the run failed, was
-- interrupted, or the capture ended before the tool returned.
SELECT t.run_id, r.status, t.node, t.name, t.tool_call_id, t.args
  FROM tool_calls t
  JOIN runs r ON r.run_id = t.run_id AND r.attempt = t.attempt
 WHERE t.result IS NULL
 ORDER BY t.run_id;
