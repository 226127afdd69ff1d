-- Write export_rows to CSV at the path in parameter 1, every text cell made spreadsheet-safe.
COPY (
    SELECT
        position,
        spreadsheet_safe(session_id) AS session_id,
        spreadsheet_safe(exit_stage) AS exit_stage,
        spreadsheet_safe(analytics_label) AS analytics_label,
        spreadsheet_safe(label_reason) AS label_reason,
        status,
        spreadsheet_safe(reason_id) AS reason_id,
        spreadsheet_safe(reason_title) AS reason_title,
        spreadsheet_safe(note) AS note,
        spreadsheet_safe(auditor) AS auditor,
        tagged_at,
        spreadsheet_safe(suggested_reason) AS suggested_reason,
        spreadsheet_safe(channel) AS channel,
        spreadsheet_safe(device) AS device,
        started_at,
        ended_at
    FROM export_rows
    ORDER BY position
) TO ? (FORMAT csv, HEADER true);
