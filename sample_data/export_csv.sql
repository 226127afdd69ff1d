-- The export as CSV text: local time in ISO 8601 with the shop's UTC offset.
-- `export_rows` is already in time order, and a projection keeps that order.
SELECT
    event_id, session_id, user_id,
    strftime(local_time, '%Y-%m-%dT%H:%M:%S.%g') || getvariable('utc_offset') AS timestamp,
    event_name, page_url, element, http_status, error_message, load_time_ms,
    channel, utm_source, device_type, user_agent, country, exit_reason
FROM export_rows;
