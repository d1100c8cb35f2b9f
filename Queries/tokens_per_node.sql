-- Tokens per node across all runs: which node burns the tokens.
-- A message that streamed and also arrived whole is counted once (node_stats sums messages).
SELECT node,
       COUNT(DISTINCT run_id)  AS runs,
       SUM(messages)           AS messages,
       SUM(input_tokens)       AS input_tokens,
       SUM(output_tokens)      AS output_tokens,
       SUM(total_tokens)       AS total_tokens
  FROM node_stats
 WHERE node IS NOT NULL
 GROUP BY node
 ORDER BY total_tokens DESC;
