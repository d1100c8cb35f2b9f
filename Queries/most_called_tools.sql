-- The tools the models call most, with how often a call had no result in the stream
-- and how often its arguments did not parse.
SELECT name,
       COUNT(*)                                        AS calls,
       COUNT(DISTINCT run_id)                          AS runs,
       SUM(result IS NULL)                             AS without_result,
       SUM(args_valid = 0)                             AS invalid_args
  FROM tool_calls
 GROUP BY name
 ORDER BY calls DESC, name;
