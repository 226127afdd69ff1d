-- form_retry: one form (its target, or its page when the export has no target) submitted at least
-- form_retry_count times, with validation feedback between the first submit and the event right after
-- the last one. Feedback is a message on a submit or validation event, or an HTTP 400 or 422 status.
WITH submits AS (
    SELECT session_id, coalesce(target, path) AS form, event_id, seq
    FROM signal_events
    WHERE is_submit AND coalesce(target, path) IS NOT NULL
),
forms AS (
    SELECT
        session_id,
        form,
        count(*) AS submits,
        min(seq) AS first_seq,
        max(seq) AS last_seq,
        list(event_id ORDER BY seq) AS submit_ids
    FROM submits
    GROUP BY session_id, form
    HAVING count(*) >= $form_retry_count
),
feedback AS (
    SELECT
        f.session_id,
        f.form,
        list(e.event_id ORDER BY e.seq) AS feedback_ids,
        arg_max(e.message, e.seq) FILTER (WHERE e.message IS NOT NULL) AS last_message,
        arg_max(e.status, e.seq) AS last_status
    FROM forms AS f
    JOIN signal_events AS e
        ON e.session_id = f.session_id AND e.seq BETWEEN f.first_seq AND f.last_seq + 1
    WHERE (e.message IS NOT NULL AND (e.is_submit OR e.is_validation)) OR e.status IN (400, 422)
    GROUP BY f.session_id, f.form
),
retried AS (
    SELECT
        f.session_id,
        f.last_seq,
        f.submit_ids,
        b.feedback_ids,
        format('{} submitted {} times', f.form, f.submits)
            || CASE
                WHEN b.last_message IS NOT NULL THEN format(': "{}"', left(b.last_message, 80))
                ELSE format(' (HTTP {})', b.last_status)
            END AS detail
    FROM forms AS f
    JOIN feedback AS b USING (session_id, form)
)
-- One row per session: the form retried last.
SELECT session_id, list_concat(submit_ids, feedback_ids) AS event_ids, detail AS description,
    $reason AS reason
FROM retried
QUALIFY row_number() OVER (PARTITION BY session_id ORDER BY last_seq DESC) = 1
