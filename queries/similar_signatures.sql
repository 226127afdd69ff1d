-- The parts of each sampled session's signature, in sample order. The exit URL comes from the derived
-- session, else from the last URL of the timeline. Then come the last message of the timeline, the
-- names of the last three events (oldest first) and the session's strongest evidence signal.
-- Parameters: sample_id, sample_id.
WITH sampled AS (
    SELECT session_id, min(position) AS position
    FROM samples
    WHERE sample_id = ?
    GROUP BY session_id
),
strongest AS (
    SELECT session_id, signal
    FROM signals
    WHERE sample_id = ?
    QUALIFY row_number() OVER (PARTITION BY session_id ORDER BY priority, signal) = 1
)
SELECT
    sampled.session_id,
    sampled.position,
    coalesce(
        any_value(s.exit_url),
        arg_max(e.url, (e.ts, e.import_id, e.row_number)) FILTER (WHERE e.url IS NOT NULL)
    ) AS exit_url,
    arg_max(e.message, (e.ts, e.import_id, e.row_number)) FILTER (WHERE e.message IS NOT NULL)
        AS last_message,
    list_reverse(arg_max(e.event, (e.ts, e.import_id, e.row_number), 3)) AS last_events,
    any_value(strongest.signal) AS strongest_signal
FROM sampled
LEFT JOIN sessions AS s USING (session_id)
LEFT JOIN strongest USING (session_id)
LEFT JOIN events AS e USING (session_id)
GROUP BY sampled.session_id, sampled.position
ORDER BY sampled.position
