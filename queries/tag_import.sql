-- Normalise the rows of a tags file (loaded into tag_import_file) into tag_import_rows.
-- Parameters, in order:
--   1. the name of the row-number column that WITH ORDINALITY added;
--   2-5. the file's columns for session_id, reason, note and auditor (NULL when it has none);
--   6. whether to take off spreadsheet quoting (true for CSV);
--   7-8. the reason ids and the reason hotkeys.
-- Columns are picked by binding their names as JSON keys, so no name from the file is ever
-- written into SQL text.
CREATE OR REPLACE TEMPORARY TABLE tag_import_rows AS
WITH settings AS (
    SELECT
        ?::VARCHAR AS row_column,
        ?::VARCHAR AS session_column,
        ?::VARCHAR AS reason_column,
        ?::VARCHAR AS note_column,
        ?::VARCHAR AS auditor_column,
        ?::BOOLEAN AS unquote,
        ?::VARCHAR[] AS reason_ids,
        ?::VARCHAR[] AS reason_keys
),
raw AS (
    SELECT to_json(f) AS fields
    FROM tag_import_file AS f
),
cells AS (
    SELECT
        json_extract_string(raw.fields, settings.row_column)::BIGINT AS row_number,
        json_extract_string(raw.fields, settings.session_column) AS session_id,
        json_extract_string(raw.fields, settings.reason_column) AS reason_text,
        json_extract_string(raw.fields, settings.note_column) AS note,
        json_extract_string(raw.fields, settings.auditor_column) AS auditor,
        settings.*
    FROM raw, settings
),
-- A CSV written by `stripdown export` puts a single quote before a cell that a spreadsheet
-- would run as a formula. Taking it off again makes the values match the workspace.
unquoted AS (
    SELECT
        row_number,
        trim(CASE WHEN unquote THEN regexp_replace(session_id, '^''([=+\-@\t\r])', '\1') ELSE session_id END)
            AS session_id,
        nullif(trim(reason_text), '') AS reason_text,
        nullif(CASE WHEN unquote THEN regexp_replace(note, '^''([=+\-@\t\r])', '\1') ELSE note END, '') AS note,
        nullif(trim(CASE WHEN unquote THEN regexp_replace(auditor, '^''([=+\-@\t\r])', '\1') ELSE auditor END), '')
            AS auditor,
        reason_ids,
        reason_keys
    FROM cells
)
SELECT
    row_number,
    coalesce(session_id, '') AS session_id,
    reason_text,
    CASE
        WHEN list_contains(reason_ids, reason_text) THEN reason_text
        ELSE reason_ids[list_position(reason_keys, reason_text)]
    END AS reason,
    note,
    auditor,
    EXISTS (SELECT 1 FROM sessions AS s WHERE s.session_id = unquoted.session_id) AS known_session
FROM unquoted
ORDER BY row_number;
