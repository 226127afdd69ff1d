-- rage_click: a run of at least rage_click_count clicks on one target, each within the window of the
-- one before it, or a rage-click event the analytics tool already detected. Clicks without a target
-- cannot be told apart, so they are left out. Clicks in text fields are left out too, because a
-- double or triple click there selects text. Repeated clicks on a real control (a button, link or input) mean the
-- control did not respond, so they point at $control_reason; on any other element they point at
-- $reason, as the visitor took it for a control or something covered the real one.
WITH clicks AS (
    SELECT
        session_id,
        target,
        event_id,
        seq,
        seconds,
        on_control,
        seconds - lag(seconds) OVER (PARTITION BY session_id, target ORDER BY seq) AS since_previous
    FROM signal_events
    WHERE is_click AND NOT is_rage_event AND NOT on_text_field AND target IS NOT NULL
),
numbered AS (
    SELECT
        *,
        count(*) FILTER (WHERE since_previous IS NULL OR since_previous > $rage_click_window) OVER (
            PARTITION BY session_id, target ORDER BY seq
        ) AS run
    FROM clicks
),
runs AS (
    SELECT
        session_id,
        max(seq) AS last_seq,
        bool_or(on_control) AS on_control,
        list(event_id ORDER BY seq) AS event_ids,
        format('{} clicks on {} in {} s', count(*), target, round(max(seconds) - min(seconds), 1)) AS detail
    FROM numbered
    GROUP BY session_id, target, run
    HAVING count(*) >= $rage_click_count
),
detected AS (
    SELECT
        session_id,
        seq AS last_seq,
        on_control,
        [event_id] AS event_ids,
        concat_ws(' on ', event, coalesce(target, path)) AS detail
    FROM signal_events
    WHERE is_rage_event
),
occurrences AS (
    SELECT * FROM runs
    UNION ALL
    SELECT * FROM detected
)
SELECT
    session_id,
    flatten(list(event_ids ORDER BY last_seq)) AS event_ids,
    arg_max(detail, last_seq)
        || CASE WHEN count(*) > 1 THEN format(' ({} bursts)', count(*)) ELSE '' END AS description,
    CASE WHEN arg_max(on_control, last_seq) THEN $control_reason ELSE $reason END AS reason
FROM occurrences
GROUP BY session_id
