-- Drop the new duplicates and flag every kept event whose id has more than one content.
DELETE FROM events
WHERE rowid IN (SELECT event_row FROM id_clashes WHERE duplicate AND NOT stored);

UPDATE events
SET collision = true
WHERE NOT collision
  AND rowid IN (SELECT event_row FROM id_clashes WHERE NOT duplicate AND versions > 1);
