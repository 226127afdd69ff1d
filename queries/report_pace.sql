-- Time spent tagging: per auditor, first to last tag row on the sessions of a sample, summed over
-- auditors. Undone tags count, because the time was spent. Parameters: sample_id, auditor
-- (NULL for every auditor) twice.
WITH spans AS (
    SELECT auditor, max(tagged_at) - min(tagged_at) AS span
    FROM tag_log
    WHERE action = 'tag'
      AND session_id IN (SELECT session_id FROM samples WHERE sample_id = ?)
      AND (? IS NULL OR auditor = ?)
    GROUP BY auditor
)
SELECT sum(epoch(span)) AS seconds FROM spans;
