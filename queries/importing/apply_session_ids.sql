-- Put the session ids derived_session_ids.sql computed in place of the placeholders.
UPDATE events
SET session_id = d.session_id
FROM derived_sessions AS d
WHERE events.rowid = d.event_row;
