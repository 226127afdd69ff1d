-- Cut the new events that carry a placeholder session id (see insert_file.sql) into sessions: per
-- visitor (the user id, or client address and user agent for access logs), a new session starts
-- after a gap longer than parameter 2 (seconds); a gap of exactly that length stays in the session.
-- The id is the visitor and the session's first time, so the same events always get the same id.
-- Parameter 1: the first import id of this import.
CREATE OR REPLACE TEMPORARY TABLE derived_sessions AS
WITH missing AS (
    SELECT rowid AS event_row, substr(session_id, 2) AS visitor, ts, import_id, row_number
    FROM events
    WHERE import_id >= ? AND starts_with(session_id, chr(1))
),
starts AS (
    SELECT
        *,
        CASE
            WHEN lag(ts) OVER visit IS NULL OR ts - lag(ts) OVER visit > to_seconds(?::DOUBLE) THEN 1
            ELSE 0
        END AS is_start
    FROM missing
    WINDOW visit AS (PARTITION BY visitor ORDER BY ts, import_id, row_number)
),
numbered AS (
    SELECT
        *,
        sum(is_start) OVER (
            PARTITION BY visitor ORDER BY ts, import_id, row_number ROWS UNBOUNDED PRECEDING
        ) AS session_number
    FROM starts
)
SELECT
    event_row,
    CASE
        WHEN length(visitor) <= 40 THEN visitor
        ELSE left(visitor, 24) || '~' || printf('%08x', hash(visitor) % 4294967296)
    END || '@' || strftime(min(ts) OVER (PARTITION BY visitor, session_number), '%Y-%m-%dT%H:%M:%S.%gZ') AS session_id
FROM numbered;
