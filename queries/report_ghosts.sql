-- Per funnel stage over the whole workspace: the sessions with an event matching the stage, and
-- the ghosts among them, whose last event is the first event that matched the stage.
-- Stages come from the temporary table `report_stages`; they match events as in sessions.sql.
-- Events are ordered by (ts, import_id, row_number), so ties in time keep the export's row order.
WITH located AS (
    SELECT
        session_id,
        (ts, import_id, row_number) AS position,
        event,
        url,
        regexp_extract(url, '^(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://[^/?#]*)?([^?#]*)', 1) AS path,
        regexp_extract(url, '^[^?#]*\?([^#]*)', 1) AS query
    FROM events
),
entries AS (
    SELECT e.session_id, s.stage_index, min(e.position) AS entered_at
    FROM located AS e
    JOIN report_stages AS s
      ON (s.event IS NULL OR e.event = s.event)
     AND (s.path_glob IS NULL OR (e.url IS NOT NULL AND coalesce(nullif(e.path, ''), '/') GLOB s.path_glob))
     AND (s.query_glob IS NULL OR (e.url IS NOT NULL AND e.query GLOB s.query_glob))
    GROUP BY e.session_id, s.stage_index
),
last_events AS (
    SELECT session_id, max(position) AS last_position
    FROM located
    GROUP BY session_id
)
SELECT
    s.name AS stage,
    count(entries.session_id) AS entered,
    count(*) FILTER (WHERE entries.entered_at = last_events.last_position) AS ghosts
FROM report_stages AS s
LEFT JOIN entries USING (stage_index)
LEFT JOIN last_events USING (session_id)
GROUP BY s.stage_index, s.name
ORDER BY s.stage_index;
