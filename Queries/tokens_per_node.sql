-- Tokens per node across all runs: which node burns the tokens.
-- A message that streamed and also arrived whole is counted once (node_stats sums messages).
-- Tokens are summed with CAST(TOTAL(x) AS INTEGER), not SUM(x): SUM fails the whole query
-- with "integer overflow" when a stream reported absurd token counts; this saturates instead.
SELECT node,
       COUNT(DISTINCT run_id)  AS runs,
       SUM(messages)           AS messages,
       CAST(TOTAL(input_tokens) AS INTEGER)   AS input_tokens,
       CAST(TOTAL(output_tokens) AS INTEGER)  AS output_tokens,
       CAST(TOTAL(total_tokens) AS INTEGER)   AS total_tokens
  FROM node_stats
 WHERE node IS NOT NULL
 GROUP BY node
 ORDER BY total_tokens DESC;
