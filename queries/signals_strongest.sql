-- The strongest signal with a reason of each session of a sample (priority 1 is the strongest), or of
-- one session when $session_id is not NULL. Its reason is the session's suggestion.
SELECT session_id, signal, reason, priority, event_ids, description
FROM signals
WHERE sample_id = $sample_id
  AND reason IS NOT NULL
  AND ($session_id IS NULL OR session_id = $session_id)
QUALIFY row_number() OVER (PARTITION BY session_id ORDER BY priority, signal) = 1
