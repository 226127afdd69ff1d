-- bot: a user agent matching the bot pattern, or a bot flag set by the analytics tool in the event
-- properties ("bot" or "is_bot" true). The first such event is the evidence.
SELECT
    session_id,
    [arg_min(event_id, seq)] AS event_ids,
    arg_min(
        CASE
            WHEN regexp_matches(user_agent, $bot_pattern) THEN format('crawler user agent: {}', left(user_agent, 80))
            ELSE 'flagged as a bot by the analytics tool'
        END,
        seq
    ) AS description,
    $reason AS reason
FROM signal_events
WHERE coalesce(regexp_matches(user_agent, $bot_pattern), false)
   OR lower(json_extract_string(properties, '$.bot')) IN ('true', '1', 'yes')
   OR lower(json_extract_string(properties, '$.is_bot')) IN ('true', '1', 'yes')
GROUP BY session_id
