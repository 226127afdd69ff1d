-- One row per session of a sample, in sample order, with its current tag, into export_rows.
-- Parameters: sample_id, auditor (NULL for every auditor) twice, sample_id again, label-map
-- labels, label-map reasons, reason ids, reason titles.
-- A session's state is the newest live tag, clear, skip or flag row, so a note edit does not
-- change it. With no auditor given, the newest state across all auditors wins. The note is the
-- newest note its auditor wrote after their last clear, or for an untagged session the newest
-- note of any auditor.
CREATE OR REPLACE TEMPORARY TABLE export_rows AS
WITH sample AS (
    SELECT session_id, min(position) AS position
    FROM samples
    WHERE sample_id = ?
    GROUP BY session_id
),
logged AS (
    SELECT *
    FROM live_tag_log
    WHERE (? IS NULL OR auditor = ?)
      AND session_id IN (SELECT session_id FROM sample)
),
state AS (
    SELECT id, session_id, auditor, action, reason, suggested_reason, tagged_at
    FROM logged
    WHERE action IN ('tag', 'clear', 'skip', 'flag')
    QUALIFY row_number() OVER (PARTITION BY session_id ORDER BY id DESC) = 1
),
last_clear AS (
    SELECT session_id, auditor, max(id) AS id
    FROM logged
    WHERE action = 'clear'
    GROUP BY session_id, auditor
),
notes AS (
    SELECT l.session_id, l.auditor, arg_max(l.note, l.id) AS note, max(l.id) AS note_id
    FROM logged AS l
    LEFT JOIN last_clear AS c USING (session_id, auditor)
    WHERE l.note IS NOT NULL AND l.id > coalesce(c.id, 0)
    GROUP BY l.session_id, l.auditor
),
session_note AS (
    SELECT notes.session_id, notes.note
    FROM notes
    LEFT JOIN state USING (session_id)
    WHERE state.auditor IS NULL OR notes.auditor = state.auditor
    QUALIFY row_number() OVER (PARTITION BY notes.session_id ORDER BY notes.note_id DESC) = 1
),
strongest_signal AS (
    SELECT session_id, reason
    FROM signals
    WHERE sample_id = (SELECT ?::INTEGER) AND reason IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY session_id ORDER BY priority, signal) = 1
),
label_map AS (
    SELECT unnest(?::VARCHAR[]) AS label, unnest(?::VARCHAR[]) AS reason
),
taxonomy AS (
    SELECT unnest(?::VARCHAR[]) AS id, unnest(?::VARCHAR[]) AS title
)
SELECT
    sample.position,
    sample.session_id,
    sessions.exit_stage,
    sessions.label AS analytics_label,
    label_map.reason AS label_reason,
    CASE state.action
        WHEN 'tag' THEN 'tagged'
        WHEN 'skip' THEN 'skipped'
        WHEN 'flag' THEN 'flagged'
        ELSE 'untagged'
    END AS status,
    CASE WHEN state.action = 'tag' THEN state.reason END AS reason_id,
    CASE WHEN state.action = 'tag' THEN taxonomy.title END AS reason_title,
    nullif(session_note.note, '') AS note,
    CASE WHEN state.action <> 'clear' THEN state.auditor END AS auditor,
    CASE WHEN state.action <> 'clear' THEN state.tagged_at END AS tagged_at,
    coalesce(state.suggested_reason, strongest_signal.reason) AS suggested_reason,
    sessions.channel,
    sessions.device,
    sessions.started_at,
    sessions.ended_at
FROM sample
LEFT JOIN sessions USING (session_id)
LEFT JOIN state USING (session_id)
LEFT JOIN session_note USING (session_id)
LEFT JOIN strongest_signal ON strongest_signal.session_id = sample.session_id
LEFT JOIN label_map ON label_map.label = sessions.label
LEFT JOIN taxonomy ON taxonomy.id = state.reason
ORDER BY sample.position;
