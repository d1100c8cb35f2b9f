-- Which stream modes each graph was run with, and how many events each mode produced.
SELECT COALESCE(r.graph_id, '(unknown)') AS graph, e.mode, COUNT(*) AS events,
       COUNT(DISTINCT e.run_id) AS runs
  FROM events e
  JOIN runs r ON r.run_id = e.run_id AND r.attempt = e.attempt
 GROUP BY graph, e.mode
 ORDER BY graph, events DESC;
