-- Model calls with the longest time until the next model call of the same run.
-- Inferred: call start times come from the UUIDv7 in each lc_run-- id, and the gap to the
-- next call includes any tool time in between. The last call of a run has no gap.
SELECT run_id, node, model, started_at, until_next_call_ms, output_tokens
  FROM model_calls
 WHERE until_next_call_ms IS NOT NULL
 ORDER BY until_next_call_ms DESC
 LIMIT 20;
