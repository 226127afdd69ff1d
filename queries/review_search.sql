-- Every searchable text of the sessions of one sample: ids, labels, URLs and messages.
-- Parameter: sample_id.
WITH sampled AS (
    SELECT DISTINCT session_id FROM samples WHERE sample_id = ?
)
SELECT session_id, 'session' AS field, session_id AS value
FROM sampled
UNION
SELECT se.session_id, 'label', se.label
FROM sessions AS se
JOIN sampled USING (session_id)
WHERE se.label IS NOT NULL
UNION
SELECT e.session_id, 'url', e.url
FROM events AS e
JOIN sampled USING (session_id)
WHERE e.url IS NOT NULL
UNION
SELECT e.session_id, 'message', e.message
FROM events AS e
JOIN sampled USING (session_id)
WHERE e.message IS NOT NULL
ORDER BY 1, 2, 3
