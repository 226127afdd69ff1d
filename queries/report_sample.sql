-- The rule and the number of distinct sessions of one sample. Parameter: sample_id.
SELECT any_value(rule) AS rule, count(DISTINCT session_id) AS size
FROM samples
WHERE sample_id = ?;
