-- quick_back: page A, then page B, then back to A within the quick_back threshold of arriving on B.
-- Pages are the paths of events that carry a URL, images, scripts and styles left out, with repeated
-- events on one page collapsed into the first.
WITH located AS (
    SELECT session_id, event_id, seq, seconds, path, lag(path) OVER (PARTITION BY session_id ORDER BY seq) AS previous_path
    FROM signal_events
    WHERE path IS NOT NULL AND NOT is_asset
),
pages AS (
    SELECT
        session_id,
        event_id,
        seq,
        seconds,
        path,
        lag(path) OVER timeline AS from_path,
        lag(event_id) OVER timeline AS from_id,
        lead(path) OVER timeline AS to_path,
        lead(event_id) OVER timeline AS to_id,
        lead(seconds) OVER timeline - seconds AS stay
    FROM located
    WHERE previous_path IS DISTINCT FROM path
    WINDOW timeline AS (PARTITION BY session_id ORDER BY seq)
)
SELECT
    session_id,
    flatten(list([from_id, event_id, to_id] ORDER BY seq)) AS event_ids,
    arg_max(format('back from {} to {} after {} s', path, from_path, round(stay, 1)), seq)
        || CASE WHEN count(*) > 1 THEN format(' ({} quick backs)', count(*)) ELSE '' END AS description,
    $reason AS reason
FROM pages
WHERE from_path = to_path AND stay <= $quick_back
GROUP BY session_id
