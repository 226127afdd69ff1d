-- The parsed event fields of one export, one row per data row. staging.py puts the field
-- expressions over the raw columns and the table function that reads the file in the two places
-- marked with braces; the table function's parameters are the only ones.
SELECT
    row_number, event_id, row_hash, session_id, visitor, user_id, ts,
    CASE WHEN ts IS NULL THEN coalesce(ts_text, '') END AS bad_ts,
    event, url, target, status, message, channel, device, label, user_agent, duration_ms, properties
FROM (
    SELECT {fields}
    FROM (SELECT row_number() OVER () AS "stripdown row number", * FROM {source}) AS raw
) AS parsed
