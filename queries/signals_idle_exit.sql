-- idle_exit: at least the idle threshold without events between two consecutive events of the session.
-- The evidence is the pair of events around the longest such gap. The description adds whether the
-- session ended right after it.
WITH gaps AS (
    SELECT
        session_id,
        lag(event_id) OVER timeline AS before_id,
        lag(event) OVER timeline AS before_event,
        lag(path) OVER timeline AS before_path,
        event_id AS after_id,
        seq,
        seconds - lag(seconds) OVER timeline AS gap,
        seq = max(seq) OVER (PARTITION BY session_id) AS is_last
    FROM signal_events
    WINDOW timeline AS (PARTITION BY session_id ORDER BY seq)
)
SELECT
    session_id,
    arg_max([before_id, after_id], gap) AS event_ids,
    arg_max(
        format(
            '{} without events after {}{}',
            CASE
                WHEN gap >= 3600 THEN format('{} h', round(gap / 3600, 1))
                ELSE format('{} min', floor(gap / 60)::INTEGER)
            END,
            concat_ws(' on ', coalesce(before_event, 'an event'), before_path),
            CASE WHEN is_last THEN ', then the session ended' ELSE '' END
        ),
        gap
    ) || CASE WHEN count(*) > 1 THEN format(' ({} idle gaps)', count(*)) ELSE '' END AS description,
    $reason AS reason
FROM gaps
WHERE gap >= $idle
GROUP BY session_id
