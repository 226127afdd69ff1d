-- When one auditor wrote to the tag log for the sessions of a sample, oldest first.
-- Parameters: auditor, sample_id.
SELECT t.tagged_at
FROM tag_log AS t
WHERE t.auditor = ?
  AND t.session_id IN (SELECT session_id FROM samples WHERE sample_id = ?)
ORDER BY t.tagged_at
