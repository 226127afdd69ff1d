-- Identical raw rows of one file share a derived "sd-" id; give the n-th copy (n > 1, in file
-- order) the id "<id>-n", so legitimate repeats all survive and a re-import derives the same ids.
-- Parameter: the first new import id.
CREATE OR REPLACE TEMPORARY TABLE renumbered_ids AS
SELECT
    rowid AS event_row,
    event_id || '-' || row_number() OVER (PARTITION BY import_id, event_id ORDER BY row_number) AS event_id
FROM events
WHERE import_id >= ?
  AND starts_with(event_id, 'sd-')
  AND event_id IN (SELECT event_id FROM repeated_ids)
QUALIFY row_number() OVER (PARTITION BY import_id, event_id ORDER BY row_number) > 1;

UPDATE events
SET event_id = r.event_id
FROM renumbered_ids AS r
WHERE events.rowid = r.event_row;
