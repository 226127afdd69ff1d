-- Expand session plans into the rows of the sample export.
-- Reads the Arrow tables `plans` (one row per session) and `steps` (one row per scene step).
-- Randomness comes from an integer hash of the session's seed and the event's position, so the
-- same plans give the same events on every run, every thread count and every DuckDB version.

-- A 32-bit integer mixer; 73244475 (0x45d9f3b) keeps every product inside BIGINT.
CREATE OR REPLACE TEMP MACRO mix_half(x) AS (xor(x, x >> 16) * 73244475) & 4294967295;
CREATE OR REPLACE TEMP MACRO mix32(x) AS
    xor(mix_half(mix_half(x & 4294967295)), mix_half(mix_half(x & 4294967295)) >> 16);
CREATE OR REPLACE TEMP MACRO unit(x) AS mix32(x) / 4294967296.0;
CREATE OR REPLACE TEMP MACRO pick(choices, u) AS
    CASE WHEN len(choices) = 0 THEN NULL ELSE choices[1 + floor(u * len(choices))::INTEGER] END;

CREATE OR REPLACE TEMP VIEW expanded AS
WITH items AS (
    SELECT
        session_no,
        unnest(items) AS item,
        generate_subscripts(items, 1) AS item_index
    FROM plans
),
drawn AS (
    SELECT
        i.session_no,
        -- Unique within a session because a step number never exceeds 63.
        i.item_index * 64 + s.step AS event_key,
        s.*,
        p.rng + (i.item_index * 64 + s.step) * 2654435761 AS event_seed,
        p.rng + s.scene_salt * 2246822519 AS scene_seed
    FROM items AS i
    JOIN steps AS s ON s.stage || ':' || s.scene = i.item
    JOIN plans AS p USING (session_no)
),
timed AS (
    SELECT
        *,
        round(1000 * (wait_min + (wait_max - wait_min) * unit(event_seed + 11) ^ 2))::BIGINT AS wait_ms,
        CASE WHEN vary THEN unit(event_seed + 29) ELSE unit(scene_seed + 29) END AS choice_u,
        unit(scene_seed + 31) AS scene_u,
        unit(event_seed + 37) AS load_u
    FROM drawn
)
SELECT
    p.event_prefix || printf('-%04x-%08x%04x', 32768 + t.event_key, mix32(t.event_seed + 41),
        mix32(t.event_seed + 43) & 65535) AS event_id,
    p.session_id,
    p.user_id,
    make_timestamp(1000 * (p.start_ms + sum(t.wait_ms) OVER (
        PARTITION BY t.session_no ORDER BY t.event_key ROWS UNBOUNDED PRECEDING))::BIGINT) AS local_time,
    t.event AS event_name,
    CASE pick(t.url, t.choice_u)
        WHEN '@landing' THEN p.landing_url
        WHEN '@product' THEN '/products/' || p.product_a
        WHEN '@product_b' THEN '/products/' || p.product_b
        WHEN '@order' THEN p.order_url
        ELSE pick(t.url, t.choice_u)
    END AS page_url,
    pick(t.element, t.choice_u) AS element,
    pick(t.status, t.scene_u) AS http_status,
    pick(t.message, t.scene_u) AS error_message,
    round((t.load_min + (t.load_max - t.load_min) * t.load_u ^ 2) * p.load_factor)::INTEGER AS load_time_ms,
    p.channel,
    p.utm_source,
    p.device AS device_type,
    p.user_agent,
    p.country,
    p.label AS exit_reason
FROM timed AS t
JOIN plans AS p USING (session_no);
