-- Derive one row per session, in the column order of `sessions`, into derived_sessions, from
-- `events` and the funnel stages in the temporary table funnel_stages.
-- Parameter 1: the JSON key of the analytics label in `properties`, or NULL.
-- Events are ordered by (ts, import_id, row_number), so ties in time keep the export's row order.
CREATE OR REPLACE TEMPORARY TABLE derived_sessions AS
WITH located AS (
    SELECT
        session_id,
        user_id,
        ts,
        (ts, import_id, row_number) AS position,
        event,
        url,
        nullif(trim(channel), '') AS channel,
        nullif(trim(device), '') AS device,
        coalesce(
            nullif(trim(label), ''),
            nullif(trim(json_extract_string(properties, ?::VARCHAR)), '')
        ) AS label_value,
        -- The URL path: scheme and host stripped, query string and fragment cut off.
        regexp_extract(url, '^(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://[^/?#]*)?([^?#]*)', 1) AS path,
        regexp_extract(url, '^[^?#]*\?([^#]*)', 1) AS query
    FROM events
),
facts AS (
    SELECT
        session_id,
        arg_min(user_id, position) FILTER (WHERE nullif(trim(user_id), '') IS NOT NULL) AS user_id,
        min(ts) AS started_at,
        max(ts) AS ended_at,
        count(*) AS events,
        max(position) AS last_position,
        arg_min(channel, position) FILTER (WHERE channel IS NOT NULL) AS channel,
        arg_min(device, position) FILTER (WHERE device IS NOT NULL) AS device,
        -- Landing and exit are pages: the asset requests of an access log (images, scripts,
        -- styles, fonts) count only in a session that has nothing else.
        coalesce(
            arg_min(url, position) FILTER (WHERE nullif(trim(url), '') IS NOT NULL AND event IS DISTINCT FROM 'asset'),
            arg_min(url, position) FILTER (WHERE nullif(trim(url), '') IS NOT NULL)
        ) AS landing_url,
        coalesce(
            arg_max(url, position) FILTER (WHERE nullif(trim(url), '') IS NOT NULL AND event IS DISTINCT FROM 'asset'),
            arg_max(url, position) FILTER (WHERE nullif(trim(url), '') IS NOT NULL)
        ) AS exit_url,
        coalesce(
            arg_max(path, position) FILTER (WHERE nullif(trim(url), '') IS NOT NULL AND event IS DISTINCT FROM 'asset'),
            arg_max(path, position) FILTER (WHERE nullif(trim(url), '') IS NOT NULL)
        ) AS exit_path,
        arg_max(event, position) FILTER (WHERE nullif(trim(event), '') IS NOT NULL) AS last_event,
        arg_max(label_value, position) FILTER (WHERE label_value IS NOT NULL) AS label_value
    FROM located
    GROUP BY session_id
),
stage_entries AS (
    SELECT e.session_id, s.stage_index, min(e.position) AS entered_at
    FROM located AS e
    JOIN funnel_stages AS s
      ON (s.event IS NULL OR e.event = s.event)
     AND (s.path_glob IS NULL OR (e.url IS NOT NULL AND coalesce(nullif(e.path, ''), '/') GLOB s.path_glob))
     AND (s.query_glob IS NULL OR (e.url IS NOT NULL AND e.query GLOB s.query_glob))
    GROUP BY e.session_id, s.stage_index
),
stage_hits AS (
    SELECT
        x.session_id,
        max(x.stage_index) AS furthest_index,
        bool_or(x.stage_index = 0) AS reached_first,
        list(x.stage_index ORDER BY x.stage_index) AS entered_stages,
        list(x.stage_index ORDER BY x.stage_index) FILTER (WHERE x.entered_at = f.last_position) AS ghost_stages
    FROM stage_entries AS x
    JOIN facts AS f USING (session_id)
    GROUP BY x.session_id
),
funnel AS (
    SELECT count(*) AS stage_count FROM funnel_stages
),
classified AS (
    SELECT
        f.*,
        h.furthest_index,
        coalesce(h.entered_stages, []) AS entered_stages,
        coalesce(h.ghost_stages, []) AS ghost_stages,
        s.name AS furthest_stage,
        CASE WHEN funnel.stage_count = 0 THEN true ELSE coalesce(h.reached_first, false) END AS entered,
        funnel.stage_count > 0
            AND coalesce(h.reached_first, false)
            AND h.furthest_index = funnel.stage_count - 1 AS converted
    FROM facts AS f
    CROSS JOIN funnel
    LEFT JOIN stage_hits AS h USING (session_id)
    LEFT JOIN funnel_stages AS s ON s.stage_index = h.furthest_index
),
decided AS (
    SELECT
        *,
        entered AND NOT converted AS exited
    FROM classified
)
SELECT
    session_id,
    user_id,
    started_at,
    ended_at,
    events,
    channel,
    device,
    landing_url,
    exit_url,
    last_event,
    furthest_stage,
    furthest_index,
    entered,
    converted,
    exited,
    CASE WHEN exited THEN furthest_stage END AS exit_stage,
    coalesce(
        label_value,
        CASE WHEN exited THEN 'exited at ' || coalesce(furthest_stage, nullif(exit_path, ''), last_event, 'the last event') END
    ) AS label,
    entered_stages,
    ghost_stages
FROM decided
ORDER BY session_id;
