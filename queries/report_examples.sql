-- Up to five tagged session ids per reason, in sample order.
SELECT reason, list(session_id ORDER BY position, session_id)[1:5] AS session_ids
FROM report_tagged
GROUP BY reason
ORDER BY reason;
