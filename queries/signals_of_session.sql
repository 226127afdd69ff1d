-- Every signal of one session of a sample, strongest first.
SELECT session_id, signal, reason, priority, event_ids, description
FROM signals
WHERE sample_id = $sample_id AND session_id = $session_id
ORDER BY priority, signal
