-- The parsed event fields of one export, one row per data row. parsing.py fills the two places
-- marked with braces: the field expressions over the raw columns, and the file's numbered rows.
-- The only parameters are those of the table function that reads the file.
SELECT
    row_number, event_id, row_hash, session_id, visitor, user_id, ts,
    CASE WHEN ts IS NULL THEN coalesce(ts_text, '') END AS bad_ts,
    event, url, target, status, message, channel, device, label, user_agent, duration_ms, properties
FROM (
    SELECT {fields}
    FROM {numbered_source} AS raw
) AS parsed
