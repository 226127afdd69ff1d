-- error: an HTTP status at or above the error threshold, or an error/exception/crash event that is not
-- form validation. The description names the last such event and how many form submits preceded it.
WITH counted AS (
    SELECT
        *,
        count(*) FILTER (WHERE is_submit) OVER (
            PARTITION BY session_id ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS submits_before
    FROM signal_events
),
errors AS (
    SELECT
        session_id,
        event_id,
        seq,
        CASE
            WHEN status >= $error_status THEN
                format('HTTP {} on {}', status, concat_ws(' ', method, coalesce(path, event, 'a request')))
            ELSE concat_ws(': ', concat_ws(' on ', event, path), left(message, 80))
        END
        || CASE
            WHEN submits_before = 1 THEN ' after 1 submit'
            WHEN submits_before > 1 THEN format(' after {} submits', submits_before)
            ELSE ''
        END AS detail
    FROM counted
    WHERE status >= $error_status OR is_error_event
)
SELECT
    session_id,
    list(event_id ORDER BY seq) AS event_ids,
    arg_max(detail, seq)
        || CASE WHEN count(*) > 1 THEN format(' ({} errors)', count(*)) ELSE '' END AS description,
    $reason AS reason
FROM errors
GROUP BY session_id
