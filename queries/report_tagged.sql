-- The tagged sessions of one sample, one row each, for the report's other queries to read.
-- Parameters: sample_id, auditor (NULL for every auditor) twice, label-map labels, label-map reasons.
-- A session's state is its newest live tag, clear, skip or flag row: a note edit does not change
-- it. With no auditor given, the newest state across all auditors wins.
CREATE OR REPLACE TEMP TABLE report_tagged AS
WITH sample AS (
    SELECT session_id, min(position) AS position
    FROM samples
    WHERE sample_id = ?
    GROUP BY session_id
),
state AS (
    SELECT session_id, auditor, action, reason, suggested_reason, accepted
    FROM live_tag_log
    WHERE action IN ('tag', 'clear', 'skip', 'flag')
      AND (? IS NULL OR auditor = ?)
    QUALIFY row_number() OVER (PARTITION BY session_id ORDER BY id DESC) = 1
),
label_map AS (
    SELECT unnest(?::VARCHAR[]) AS label, unnest(?::VARCHAR[]) AS reason
)
SELECT
    sample.session_id,
    sample.position,
    state.reason,
    state.auditor,
    state.suggested_reason,
    state.accepted,
    sessions.label,
    label_map.reason AS mapped_reason,
    sessions.exit_stage,
    sessions.furthest_stage_index AS stage_index,
    sessions.channel,
    sessions.device,
    dayname(sessions.ended_at AT TIME ZONE 'UTC') AS weekday,
    isodow(sessions.ended_at AT TIME ZONE 'UTC') AS weekday_index
FROM sample
JOIN state USING (session_id)
LEFT JOIN sessions USING (session_id)
LEFT JOIN label_map ON label_map.label = sessions.label
WHERE state.action = 'tag' AND state.reason IS NOT NULL;
