-- The parts of each sampled session's signature, in sample order: the exit URL (from the derived
-- session, else the last URL of the timeline), the last message of the timeline, and the names of the
-- last three events, oldest first. Parameter: sample_id.
WITH sampled AS (
    SELECT session_id, min(position) AS position
    FROM samples
    WHERE sample_id = ?
    GROUP BY session_id
),
from_end AS (
    SELECT
        e.session_id,
        e.event,
        e.url,
        e.message,
        row_number() OVER (
            PARTITION BY e.session_id ORDER BY e.ts DESC, e.import_id DESC, e.row_number DESC
        ) AS rank_from_end
    FROM events AS e
    JOIN sampled USING (session_id)
)
SELECT
    sampled.session_id,
    sampled.position,
    coalesce(
        any_value(s.exit_url),
        arg_min(f.url, f.rank_from_end) FILTER (WHERE f.url IS NOT NULL)
    ) AS exit_url,
    arg_min(f.message, f.rank_from_end) FILTER (WHERE f.message IS NOT NULL) AS last_message,
    list(f.event ORDER BY f.rank_from_end DESC) FILTER (WHERE f.rank_from_end <= 3) AS last_events
FROM sampled
LEFT JOIN sessions AS s USING (session_id)
LEFT JOIN from_end AS f USING (session_id)
GROUP BY sampled.session_id, sampled.position
ORDER BY sampled.position
