-- not_found: a page request with one of the not-found statuses (404 and 410 by default).
-- Requests for images, scripts, styles and fonts are left out: a missing favicon is no dead link.
SELECT
    session_id,
    list(event_id ORDER BY seq) AS event_ids,
    arg_max(format('HTTP {} on {}', status, concat_ws(' ', method, coalesce(path, event, 'a page'))), seq)
        || CASE WHEN count(*) > 1 THEN format(' ({} pages not found)', count(*)) ELSE '' END AS description,
    $reason AS reason
FROM signal_events
WHERE list_contains($not_found_statuses, status) AND NOT is_asset
GROUP BY session_id
