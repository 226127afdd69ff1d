-- Tagged sessions counted per (cohort value, reason). Parameter: the cohort, one of
-- 'stage', 'channel', 'device', 'weekday', given twice. Stages sort in funnel order and
-- weekdays from Monday; channels and devices by name.
WITH cohort AS (
    SELECT
        reason,
        CASE ?
            WHEN 'stage' THEN exit_stage
            WHEN 'channel' THEN channel
            WHEN 'device' THEN device
            WHEN 'weekday' THEN weekday
        END AS value,
        CASE ?
            WHEN 'stage' THEN stage_index
            WHEN 'weekday' THEN weekday_index
        END AS value_order
    FROM report_tagged
)
SELECT value, reason, count(*) AS sessions
FROM cohort
GROUP BY value, reason
ORDER BY min(value_order) NULLS LAST, value NULLS LAST, sessions DESC, reason;
