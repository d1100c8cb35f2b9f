-- The runs that used the most tokens, with their graph and how many model calls they made.
-- CAST(TOTAL(x) AS INTEGER) sums without failing on absurd token counts (SUM would stop the
-- query with "integer overflow"); messages without usage count as 0.
SELECT r.run_id, r.graph_id, r.status,
       CAST(TOTAL(m.total_tokens) AS INTEGER) AS total_tokens,
       SUM(m.model_call_id IS NOT NULL)   AS model_calls,
       r.tool_call_count                  AS tool_calls
  FROM runs r
  JOIN messages m ON m.run_id = r.run_id AND m.attempt = r.attempt
 GROUP BY r.run_id, r.attempt
 ORDER BY total_tokens DESC
 LIMIT 20;
