-- Event ids that occur more than once among the new events. Parameter: the first new import id.
CREATE OR REPLACE TEMPORARY TABLE repeated_ids AS
SELECT event_id
FROM events
WHERE import_id >= ?
GROUP BY event_id
HAVING count(*) > 1;
