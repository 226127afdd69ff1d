-- The events of one sample's sessions, numbered in timeline order and classified once, so that each
-- signal rule reads them without repeating the pattern matching. A temporary table lives only as long
-- as this cursor's connection and is replaced by the next computation.
CREATE OR REPLACE TEMP TABLE signal_events AS
WITH sampled AS (
    SELECT DISTINCT session_id FROM samples WHERE sample_id = $sample_id
),
located AS (
    SELECT
        e.*,
        nullif(
            regexp_replace(regexp_replace(e.url, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*', ''), '[?#].*$', ''),
            ''
        ) AS bare_path
    FROM events AS e
    JOIN sampled USING (session_id)
)
SELECT
    session_id,
    event_id,
    row_number() OVER (PARTITION BY session_id ORDER BY ts, import_id, row_number) AS seq,
    ts,
    epoch(ts) AS seconds,
    event,
    url,
    CASE WHEN url IS NULL THEN NULL ELSE coalesce(bare_path, '/') END AS path,
    coalesce(regexp_matches(bare_path, $asset_pattern), false) AS is_asset,
    CASE
        WHEN regexp_matches(event, $method_pattern) THEN upper(event)
        ELSE upper(json_extract_string(properties, '$.method'))
    END AS method,
    target,
    status,
    message,
    user_agent,
    duration_ms,
    properties,
    coalesce(regexp_matches(event, $click_pattern), false) AS is_click,
    coalesce(regexp_matches(event, $rage_pattern), false) AS is_rage_event,
    coalesce(regexp_matches(event, $submit_pattern), false) AS is_submit,
    coalesce(regexp_matches(event, $validation_pattern), false) AS is_validation,
    coalesce(
        regexp_matches(event, $error_pattern)
            AND NOT regexp_matches(event, $validation_pattern)
            AND NOT coalesce(regexp_matches(message, $benign_error_pattern), false),
        false
    ) AS is_error_event,
    coalesce(
        regexp_matches(target, $text_field_pattern) AND NOT regexp_matches(target, $button_input_pattern),
        false
    ) AS on_text_field,
    coalesce(regexp_matches(target, $control_pattern), false) AND NOT on_text_field AS on_control
FROM located;
