-- Append one export's parsed rows to `events`, ordered by (session_id, ts, row_number) so the zone
-- maps let one session's events be read without a full scan. A row without an event id gets "sd-"
-- and the hash of its raw row. A row without a session id gets a placeholder, the character U+0001
-- and its visitor, so a visitor's events sort together until loading.py puts the derived session
-- id in its place. Parameters: the source file, the import id, then those of the fields query that
-- loading.py puts in the place marked with braces.
INSERT INTO events (event_id, session_id, user_id, ts, event, url, target, status, message, channel,
                    device, label, user_agent, duration_ms, properties, source_file, import_id,
                    row_number, content_hash, collision)
SELECT
    coalesce(event_id, 'sd-' || printf('%016x', row_hash)) AS event_id,
    coalesce(session_id, chr(1) || coalesce(visitor, 'anonymous')) AS session_id,
    user_id, ts, event, url, target, status, message, channel, device, label, user_agent,
    duration_ms, properties,
    ?::VARCHAR AS source_file,
    ?::INTEGER AS import_id,
    row_number,
    hash(session_id, user_id, ts, event, url, target, status, message, channel, device, label,
         user_agent, duration_ms) AS content_hash,
    false AS collision
FROM ({fields}) AS parsed
ORDER BY 2, ts, row_number;
