-- Expand session plans into the rows of the sample export, as the view `export_rows`.
-- Reads the Arrow tables `plans` (one row per planned session) and `steps` (one row per scene
-- step), and the variables bound by sample_data/generate.py.
-- Randomness comes from an integer hash of the session's seed and the event's position, so the
-- same plans give the same events on every run and thread count. The hash is plain integer
-- arithmetic rather than DuckDB's hash(), so its values do not depend on DuckDB's implementation.
-- Every text is an id into the list `texts` until the rows are in time order. Sorting and the
-- running sum of wait times then move integers only, which keeps a 10-million-event run small.

-- A 32-bit integer mixer; 73244475 (0x45d9f3b) keeps every product inside BIGINT.
CREATE OR REPLACE TEMP MACRO mix_half(x) AS (xor(x, x >> 16) * 73244475) & 4294967295;
CREATE OR REPLACE TEMP MACRO mix32(x) AS
    xor(mix_half(mix_half(x & 4294967295)), mix_half(mix_half(x & 4294967295)) >> 16);
CREATE OR REPLACE TEMP MACRO unit(x) AS mix32(x) / 4294967296.0;
CREATE OR REPLACE TEMP MACRO pick(choices, u) AS
    CASE WHEN len(choices) = 0 THEN NULL ELSE choices[1 + floor(u * len(choices))::INTEGER] END;

-- Ids in the form of a version 4 UUID, built from four 32-bit words. Casting the 128-bit integer
-- to UUID formats it far faster than printf. mix32 is a bijection on 32-bit integers, so distinct
-- session numbers (below 2^32) get distinct first words and so distinct ids.
CREATE OR REPLACE TEMP MACRO uuid_of(w1, w2, w3, w4) AS (
    (w1::UHUGEINT << 96) | (w2::UHUGEINT << 64) | (w3::UHUGEINT << 32) | w4::UHUGEINT
)::UUID::VARCHAR;
-- The version nibble (4) in the second word, the variant bits (10) at the top of the third.
CREATE OR REPLACE TEMP MACRO version_word(high, low) AS ((high >> 16) << 16) | 16384 | (low & 4095);
CREATE OR REPLACE TEMP MACRO session_uuid(n) AS uuid_of(
    mix32(xor(n, getvariable('seed'))),
    version_word(mix32(n * 3 + 1), mix32(n * 5 + 2)),
    ((32768 | (mix32(n * 7 + 3) & 16383)) << 16) | (mix32(n * 11 + 4) >> 16),
    mix32(n * 13 + 5)
);
-- An event id starts with its session's own prefix, then 8000 plus the event key, so ids of one
-- session differ in that group and ids of different sessions differ in the prefix.
CREATE OR REPLACE TEMP MACRO event_uuid(n, event_key, event_seed) AS uuid_of(
    mix32(xor(n, getvariable('seed') + 1)),
    version_word(mix32(n * 17 + 6), mix32(n * 19 + 7)),
    ((32768 + event_key) << 16) | (mix32(event_seed + 41) >> 16),
    mix32(event_seed + 43)
);

-- Every text of the plans and steps, so rows can carry a position in this list instead.
SET VARIABLE texts = (
    SELECT list(DISTINCT text ORDER BY text)
    FROM (
        SELECT unnest(url) AS text FROM steps
        UNION ALL SELECT unnest(element) FROM steps
        UNION ALL SELECT unnest(message) FROM steps
        UNION ALL SELECT event FROM steps
        UNION ALL SELECT unnest([channel, utm_source, device, user_agent, country, label, landing_url]) FROM plans
    )
    WHERE text IS NOT NULL
);
CREATE OR REPLACE TEMP MACRO text_id(text) AS list_position(getvariable('texts'), text);

CREATE OR REPLACE TEMP TABLE indexed_steps AS
SELECT
    stage || ':' || scene AS item,
    step,
    scene_salt,
    wait_min,
    wait_max,
    load_min,
    load_max,
    vary,
    status,
    text_id(event) AS event_text,
    [text_id(text) FOR text IN url] AS url_texts,
    [text_id(text) FOR text IN element] AS element_texts,
    [text_id(text) FOR text IN message] AS message_texts
FROM steps;

-- Every session of the export: the planned pool replayed `copies` times, the last copy cut short.
-- Copy 0 is the plan as drawn. A later copy moves each visit to another day of the week on which
-- all its sessions still start, plus up to half an hour, which keeps its time of day and the gap
-- between its sessions. It also shifts the products along the catalogue and gives the visit new
-- users, ids and random draws.
CREATE OR REPLACE TEMP TABLE planned_sessions AS
WITH visits AS (
    SELECT
        *,
        (visit_start_ms - getvariable('week_start_ms')) // 86400000 AS visit_day,
        max((start_ms - getvariable('week_start_ms')) // 86400000) OVER (PARTITION BY visit_no) AS visit_last_day
    FROM plans
),
copied AS (
    SELECT
        c.copy,
        c.copy * getvariable('pool_size') + p.story_no AS session_no,
        mix32(c.copy * 1048576 + p.visit_no + getvariable('seed')) AS visit_draw,
        p.*
    FROM visits AS p
    CROSS JOIN range(getvariable('copies')) AS c(copy)
    WHERE c.copy < getvariable('copies') - 1 OR p.story_no < getvariable('last_copy')
)
SELECT
    session_no,
    copy,
    outcome,
    cause,
    items,
    events,
    start_ms + CASE
        WHEN copy = 0 THEN 0
        ELSE (visit_draw % (7 - (visit_last_day - visit_day)) - visit_day) * 86400000
            + mix32(visit_draw + 1) % 1800000
    END AS start_ms,
    mix32(session_no * 2654435761 + getvariable('seed')) AS rng,
    user_no,
    (product_a + copy * 7) % len(getvariable('products')) AS product_a,
    (product_b + copy * 7) % len(getvariable('products')) AS product_b,
    gclid,
    load_factor,
    text_id(channel) AS channel_text,
    text_id(utm_source) AS utm_source_text,
    text_id(device) AS device_text,
    text_id(user_agent) AS user_agent_text,
    text_id(country) AS country_text,
    text_id(label) AS label_text,
    text_id(landing_url) AS landing_text,
    session_uuid(session_no) AS session_id
FROM copied;

-- One row per event, texts as ids, with its time: the session start plus the running sum of waits.
CREATE OR REPLACE TEMP VIEW timeline AS
WITH items AS (
    SELECT
        session_no,
        unnest(items) AS item,
        generate_subscripts(items, 1) AS item_index
    FROM planned_sessions
),
seeded AS (
    SELECT
        i.session_no,
        -- Unique within a session because a scene has fewer than 64 steps.
        i.item_index * 64 + s.step AS event_key,
        p.rng + (i.item_index * 64 + s.step) * 2654435761 AS event_seed,
        p.rng + s.scene_salt * 2246822519 AS scene_seed,
        s.*,
        p.* EXCLUDE (session_no, outcome, cause, items, events, rng, session_id)
    FROM items AS i
    JOIN indexed_steps AS s USING (item)
    JOIN planned_sessions AS p USING (session_no)
),
draws AS (
    SELECT
        *,
        CASE WHEN vary THEN unit(event_seed + 29) ELSE unit(scene_seed + 29) END AS choice_u,
        unit(scene_seed + 31) AS scene_u,
        unit(event_seed + 37) AS load_u
    FROM seeded
),
-- Only integers leave this step, so the window below moves no lists or texts.
drawn AS (
    SELECT
        session_no,
        event_key,
        event_seed,
        copy,
        user_no,
        product_a,
        product_b,
        gclid,
        channel_text,
        utm_source_text,
        device_text,
        user_agent_text,
        country_text,
        label_text,
        landing_text,
        event_text,
        pick(url_texts, choice_u) AS url_text,
        pick(element_texts, choice_u) AS element_text,
        pick(status, scene_u) AS http_status,
        pick(message_texts, scene_u) AS message_text,
        round((load_min + (load_max - load_min) * load_u ^ 2) * load_factor)::INTEGER AS load_time_ms,
        start_ms,
        round(1000 * (wait_min + (wait_max - wait_min) * unit(event_seed + 11) ^ 2))::BIGINT AS wait_ms
    FROM draws
)
SELECT
    * EXCLUDE (start_ms, wait_ms),
    start_ms + sum(wait_ms) OVER (
        PARTITION BY session_no ORDER BY event_key ROWS UNBOUNDED PRECEDING
    ) AS time_ms
FROM drawn;

-- The export's columns in time order. Only projections follow the sort, so the order holds.
-- The lists are read through getvariable() in each expression, where they stay constants.
CREATE OR REPLACE TEMP MACRO text_of(id) AS getvariable('texts')[id];
CREATE OR REPLACE TEMP MACRO product_of(index) AS getvariable('products')[1 + index];

CREATE OR REPLACE TEMP VIEW export_rows AS
SELECT
    event_uuid(session_no, event_key, event_seed) AS event_id,
    session_uuid(session_no) AS session_id,
    CASE
        WHEN user_no IS NULL THEN NULL
        WHEN user_no < 0 THEN getvariable('test_user')
        ELSE 'u_' || mix32(xor(copy * 1048576 + user_no, getvariable('seed')))
    END AS user_id,
    make_timestamp((time_ms * 1000)::BIGINT) AS local_time,
    text_of(event_text) AS event_name,
    CASE text_of(url_text)
        WHEN '@landing' THEN
            replace(text_of(landing_text), '{product}', product_of(product_a))
            || CASE WHEN gclid THEN '?gclid=Cj0KCQjw' || mix32(session_no + 57) ELSE '' END
        WHEN '@product' THEN '/products/' || product_of(product_a)
        WHEN '@product_b' THEN '/products/' || product_of(product_b)
        WHEN '@order' THEN '/order/confirmation?id=SO-' || lpad(to_hex(mix32(xor(session_no, getvariable('seed') + 2))), 8, '0')
        ELSE text_of(url_text)
    END AS page_url,
    text_of(element_text) AS element,
    http_status,
    text_of(message_text) AS error_message,
    load_time_ms,
    text_of(channel_text) AS channel,
    text_of(utm_source_text) AS utm_source,
    text_of(device_text) AS device_type,
    text_of(user_agent_text) AS user_agent,
    text_of(country_text) AS country,
    text_of(label_text) AS exit_reason
FROM (SELECT * FROM timeline ORDER BY time_ms, session_no, event_key);
