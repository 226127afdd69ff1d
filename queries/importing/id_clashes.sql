-- Every event, stored before or new, whose id occurs more than once. Within each (event id,
-- content) group the first copy is kept and later new copies are duplicates. An id kept with more
-- than one content is a collision. Parameters: the first new import id, three times.
CREATE OR REPLACE TEMPORARY TABLE id_clashes AS
WITH ids AS (
    SELECT event_id FROM repeated_ids
    UNION
    SELECT event_id FROM renumbered_ids
    UNION
    SELECT event_id
    FROM events
    WHERE import_id >= ?
      AND event_id IN (SELECT event_id FROM events WHERE import_id < ?)
),
candidates AS (
    SELECT rowid AS event_row, event_id, content_hash, import_id, row_number, import_id < ? AS stored
    FROM events
    WHERE event_id IN (SELECT event_id FROM ids)
),
copies AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY event_id, content_hash ORDER BY import_id, row_number) AS copy
    FROM candidates
)
SELECT
    *,
    copy > 1 AS duplicate,
    sum(CASE WHEN copy = 1 THEN 1 ELSE 0 END) OVER (PARTITION BY event_id) AS versions,
    -- 1 for the first kept version of an id, 2 for the next, ...; NULL for duplicates.
    CASE WHEN copy = 1 THEN
        row_number() OVER (PARTITION BY event_id, copy = 1 ORDER BY import_id, row_number)
    END AS version
FROM copies;
