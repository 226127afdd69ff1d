-- The true cause of every exited session, which the export itself never contains.
SELECT session_id, cause
FROM planned_sessions
WHERE outcome = 'exited'
ORDER BY session_id;
