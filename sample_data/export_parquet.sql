-- The export as Parquet: the timestamp is a typed instant in UTC.
-- `export_rows` is already in time order, and a projection keeps that order.
SELECT
    event_id, session_id, user_id,
    timezone('UTC', local_time - to_minutes(getvariable('offset_minutes'))) AS timestamp,
    event_name, page_url, element, http_status, error_message, load_time_ms,
    channel, utm_source, device_type, user_agent, country, exit_reason
FROM export_rows;
