-- Per tagged reason: the current tags that came with a suggestion, accepted or overridden.
-- A row whose `accepted` is unset counts as accepted when its reason equals the suggestion.
WITH suggested AS (
    SELECT reason, coalesce(accepted, reason = suggested_reason) AS accepted
    FROM report_tagged
    WHERE suggested_reason IS NOT NULL
)
SELECT
    reason,
    count(*) FILTER (WHERE accepted) AS accepted,
    count(*) FILTER (WHERE NOT accepted) AS overridden
FROM suggested
GROUP BY reason
ORDER BY reason;
