-- The last events of one session in time order. Parameters: session_id, limit.
SELECT event_id, ts, event, url, target, status, message
FROM (
    SELECT event_id, ts, event, url, target, status, message, row_number
    FROM events
    WHERE session_id = ?
    ORDER BY ts DESC, row_number DESC
    LIMIT ?
)
ORDER BY ts, row_number
