-- The sessions of one sample in review order, with one auditor's current state of each.
-- Parameters: auditor, sample_id.
SELECT
    s.position,
    s.session_id,
    se.exit_stage,
    se.label,
    t.action,
    t.reason,
    t.note,
    t.suggested_reason,
    t.accepted
FROM samples AS s
LEFT JOIN sessions AS se ON se.session_id = s.session_id
LEFT JOIN tag_state AS t ON t.session_id = s.session_id AND t.auditor = ?
WHERE s.sample_id = ?
ORDER BY s.position
