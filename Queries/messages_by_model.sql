-- AI messages and tokens per model and provider (from ls_model_name / ls_provider).
SELECT COALESCE(model, '(unknown)')     AS model,
       COALESCE(provider, '(unknown)')  AS provider,
       COUNT(*)                         AS messages,
       SUM(chunk_count)                 AS chunks,
       SUM(COALESCE(total_tokens, 0))   AS total_tokens,
       ROUND(AVG(output_tokens), 1)     AS avg_output_tokens
  FROM messages
 WHERE type = 'ai'
 GROUP BY model, provider
 ORDER BY total_tokens DESC;
