-- Per funnel stage over the whole workspace: the sessions that reached it, and the ghosts among
-- them, whose last event is the first event that matched the stage. Both are stored per session
-- as lists of stage indexes when the sessions are derived (sessions.sql).
-- Stages come from the temporary table `report_stages`.
-- The left join keeps a stage that no session reached, with zero counts.
SELECT
    s.name AS stage,
    count(sessions.session_id) AS entered,
    count(sessions.session_id) FILTER (WHERE list_contains(sessions.ghost_stages, s.stage_index)) AS ghosts
FROM report_stages AS s
LEFT JOIN sessions ON list_contains(sessions.entered_stages, s.stage_index)
GROUP BY s.stage_index, s.name
ORDER BY s.stage_index;
