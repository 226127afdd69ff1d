-- Store the rows one rule found (the rule's SELECT replaces the placeholder below), with the rule's
-- signal, reason and priority, and its evidence listed once each in timeline order.
INSERT INTO signals
SELECT
    $sample_id,
    found.session_id,
    $signal,
    $reason,
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
