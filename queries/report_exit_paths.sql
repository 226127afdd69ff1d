-- The ten most common sequences of the last three event names of the exited sessions of a sample.
-- Parameter: sample_id. Events of one timestamp keep the order in which they were imported.
WITH exited AS (
    SELECT DISTINCT samples.session_id
    FROM samples
    JOIN sessions USING (session_id)
    WHERE samples.sample_id = ? AND sessions.exited
),
last_events AS (
    SELECT
        events.session_id,
        events.event,
        row_number() OVER (
            PARTITION BY events.session_id
            ORDER BY events.ts DESC, events.import_id DESC, events.row_number DESC
        ) AS from_end
    FROM events
    JOIN exited USING (session_id)
    QUALIFY from_end <= 3
),
paths AS (
    SELECT session_id, list(event ORDER BY from_end DESC) AS path
    FROM last_events
    GROUP BY session_id
)
SELECT path, count(*) AS sessions
FROM paths
GROUP BY path
ORDER BY sessions DESC, path
LIMIT 10;
