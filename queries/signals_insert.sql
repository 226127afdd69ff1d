-- Store the rows one rule found (the rule's SELECT replaces the placeholder below) with the rule's
-- signal and priority, and the evidence listed once each in timeline order. The rule chooses the
-- reason, usually the one bound as $reason.
INSERT INTO signals
SELECT
    $sample_id,
    found.session_id,
    $signal,
    found.reason,
    $priority,
    (
        SELECT list(e.event_id ORDER BY e.seq)
        FROM signal_events AS e
        WHERE e.session_id = found.session_id AND list_contains(found.event_ids, e.event_id)
    ),
    found.description
FROM (
/* rule */
) AS found
