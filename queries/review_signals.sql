-- The evidence signals of one session of a sample. Parameters: sample_id, session_id.
SELECT signal, reason, priority, event_ids, description
FROM signals
WHERE sample_id = ? AND session_id = ?
ORDER BY priority, signal
