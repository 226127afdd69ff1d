-- Per reason: the tagged sessions tagged with it, and the tagged sessions whose label maps to it.
WITH counted AS (
    SELECT reason, 1 AS tagged, 0 AS labelled FROM report_tagged
    UNION ALL
    SELECT mapped_reason, 0, 1 FROM report_tagged WHERE mapped_reason IS NOT NULL
)
SELECT reason, sum(tagged)::BIGINT AS tagged, sum(labelled)::BIGINT AS labelled
FROM counted
GROUP BY reason
ORDER BY reason;
