-- Tool calls whose reassembled arguments are not a JSON object: truncated streams,
-- providers that resend cumulative arguments, or models that wrote broken JSON.
-- args holds the raw text exactly as the chunks concatenated it.
SELECT t.run_id, t.node, t.name, t.tool_call_id, t.args, r.status
  FROM tool_calls t
  JOIN runs r ON r.run_id = t.run_id AND r.attempt = t.attempt
 WHERE t.args_valid = 0
 ORDER BY t.run_id;
