-- Per category, over tagged sessions whose label is in the label map: how often the mapped label
-- and the tag name it, and how often both name it for the same session.
WITH compared AS (
    SELECT mapped_reason, reason FROM report_tagged WHERE mapped_reason IS NOT NULL
),
categories AS (
    SELECT mapped_reason AS category FROM compared
    UNION
    SELECT reason FROM compared
)
SELECT
    category,
    (SELECT count(*) FROM compared WHERE mapped_reason = category) AS labelled,
    (SELECT count(*) FROM compared WHERE reason = category) AS tagged,
    (SELECT count(*) FROM compared WHERE reason = category AND mapped_reason = category) AS agreed
FROM categories
ORDER BY category;
