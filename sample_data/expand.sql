-- Expand session plans into the rows of the sample export.
-- Reads the Arrow tables `plans` (one row per session) and `steps` (one row per scene step).
-- Randomness comes from an integer hash of the session's seed and the event's position, so the
-- same plans give the same events on every run and thread count. The hash is plain integer
-- arithmetic rather than DuckDB's hash(), so its values do not depend on DuckDB's implementation.

-- A 32-bit integer mixer; 73244475 (0x45d9f3b) keeps every product inside BIGINT.
CREATE OR REPLACE TEMP MACRO mix_half(x) AS (xor(x, x >> 16) * 73244475) & 4294967295;
CREATE OR REPLACE TEMP MACRO mix32(x) AS
    xor(mix_half(mix_half(x & 4294967295)), mix_half(mix_half(x & 4294967295)) >> 16);
CREATE OR REPLACE TEMP MACRO unit(x) AS mix32(x) / 4294967296.0;
CREATE OR REPLACE TEMP MACRO pick(choices, u) AS
    CASE WHEN len(choices) = 0 THEN NULL ELSE choices[1 + floor(u * len(choices))::INTEGER] END;

-- Every session of the export: the planned pool replayed `copies` times, the last copy cut short.
-- Copy 0 is the plan as drawn. A later copy moves each visit to another day of the week plus up
-- to half an hour, which keeps its time of day and the gap between its sessions. It also shifts
-- the products along the catalogue and gives the visit new users, ids and random draws.
-- mix32 is a bijection on 32-bit integers, so distinct session numbers (below 2^32) get distinct
-- ids and order numbers, and distinct (copy, user number) pairs get distinct user ids.
CREATE OR REPLACE TEMP TABLE planned_sessions AS
WITH copied AS (
    SELECT
        c.copy,
        c.copy * getvariable('pool_size') + p.story_no AS session_no,
        (p.visit_start_ms - getvariable('week_start_ms')) // 86400000 AS visit_day,
        mix32(c.copy * 1048576 + p.visit_no + getvariable('seed')) AS visit_draw,
        p.*
    FROM plans AS p
    CROSS JOIN range(getvariable('copies')) AS c(copy)
    WHERE c.copy < getvariable('copies') - 1 OR p.story_no < getvariable('last_copy')
),
shifted AS (
    SELECT
        *,
        CASE
            WHEN copy = 0 THEN 0
            ELSE ((visit_day + visit_draw % 7) % 7 - visit_day) * 86400000 + visit_draw % 1800000
        END AS shift_ms,
        getvariable('products') AS catalogue
    FROM copied
)
SELECT
    session_no,
    outcome,
    cause,
    label,
    items,
    events,
    channel,
    utm_source,
    device,
    load_factor,
    user_agent,
    country,
    start_ms + shift_ms AS start_ms,
    mix32(session_no * 2654435761 + getvariable('seed')) AS rng,
    CASE
        WHEN user_no IS NULL THEN NULL
        WHEN user_no < 0 THEN getvariable('test_user')
        ELSE 'u_' || printf('%08x', mix32(xor(copy * 1048576 + user_no, getvariable('seed'))))
    END AS user_id,
    catalogue[1 + (product_a + copy * 7) % len(catalogue)] AS product_a,
    catalogue[1 + (product_b + copy * 7) % len(catalogue)] AS product_b,
    replace(landing_url, '{product}', catalogue[1 + (product_a + copy * 7) % len(catalogue)]) AS landing_url,
    CASE
        WHEN outcome = 'converted'
        THEN '/order/confirmation?id=SO-' || upper(printf('%08x', mix32(xor(session_no, getvariable('seed') + 2))))
    END AS order_url,
    printf(
        '%08x-%04x-4%03x-%04x-%08x%04x',
        mix32(xor(session_no, getvariable('seed'))),
        mix32(session_no * 3 + 1) >> 16,
        mix32(session_no * 5 + 2) & 4095,
        32768 + (mix32(session_no * 7 + 3) & 16383),
        mix32(session_no * 11 + 4),
        mix32(session_no * 13 + 5) & 65535
    ) AS session_id,
    printf(
        '%08x-%04x-4%03x',
        mix32(xor(session_no, getvariable('seed') + 1)),
        mix32(session_no * 17 + 6) >> 16,
        mix32(session_no * 19 + 7) & 4095
    ) AS event_prefix
FROM shifted;

CREATE OR REPLACE TEMP VIEW expanded AS
WITH items AS (
    SELECT
        session_no,
        unnest(items) AS item,
        generate_subscripts(items, 1) AS item_index
    FROM planned_sessions
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
    JOIN planned_sessions AS p USING (session_no)
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
    t.session_no,
    t.event_key,
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
JOIN planned_sessions AS p USING (session_no);
