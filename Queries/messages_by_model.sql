-- AI messages and tokens per model and provider (from ls_model_name / ls_provider).
-- CAST(TOTAL(x) AS INTEGER) sums without failing on absurd token counts, where SUM would stop
-- the query with "integer overflow"; messages without usage count as 0.
SELECT COALESCE(model, '(unknown)')     AS model,
       COALESCE(provider, '(unknown)')  AS provider,
       COUNT(*)                         AS messages,
       SUM(chunk_count)                 AS chunks,
       CAST(TOTAL(total_tokens) AS INTEGER) AS total_tokens,
       ROUND(AVG(output_tokens), 1)     AS avg_output_tokens
  FROM messages
 WHERE type = 'ai'
 GROUP BY model, provider
 ORDER BY total_tokens DESC;
