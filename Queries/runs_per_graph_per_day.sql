-- Runs per graph per day, with how many failed. Days come from the UUIDv7 run ids (UTC).
SELECT substr(started_at, 1, 10)        AS day,
       COALESCE(graph_id, '(unknown)')   AS graph,
       COUNT(*)                          AS runs,
       SUM(status = 'error')             AS errors,
       SUM(status = 'interrupted')       AS interrupted
  FROM runs
 GROUP BY day, graph
 ORDER BY day DESC, runs DESC;
