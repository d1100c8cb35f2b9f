-- Activity inside subgraphs: events per subgraph node (the first element of the namespace,
-- e.g. node_2 for "node_2:<task id>") and stream mode.
SELECT substr(namespace, 1, instr(namespace || ':', ':') - 1) AS subgraph_node,
       mode,
       COUNT(*)                  AS events,
       COUNT(DISTINCT run_id)    AS runs
  FROM events
 WHERE namespace IS NOT NULL
 GROUP BY subgraph_node, mode
 ORDER BY events DESC;
