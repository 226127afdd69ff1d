-- slow: a request or page load that took longer than the slow threshold (duration_ms is in
-- milliseconds, the threshold in seconds). The description names the slowest one.
SELECT
    session_id,
    list(event_id ORDER BY seq) AS event_ids,
    arg_max(
        format('{} took {} s', concat_ws(' ', coalesce(event, 'request'), path), round(duration_ms / 1000, 1)),
        duration_ms
    ) || CASE WHEN count(*) > 1 THEN format(' ({} slow)', count(*)) ELSE '' END AS description,
    $reason AS reason
FROM signal_events
WHERE duration_ms > $slow * 1000
GROUP BY session_id
