-- Tagged sessions counted per (analytics label, reason).
SELECT label, reason, count(*) AS sessions
FROM report_tagged
GROUP BY label, reason
ORDER BY label NULLS LAST, reason;
