-- One auditor's current state of some sessions. Parameters: auditor, list of session ids.
SELECT session_id, action, reason, note, suggested_reason, accepted
FROM tag_state
WHERE auditor = ? AND list_contains(?, session_id)
