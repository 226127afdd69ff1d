-- The derived facts of one session. Parameter: session_id.
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
    furthest_stage,
    exit_stage,
    label,
    converted
FROM sessions
WHERE session_id = ?
