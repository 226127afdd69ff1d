-- Draw one audit sample from the exited sessions and store it under the sample id in parameter 1.
-- Parameters: sample_id, rule text, created_at, kind ('last' or 'random'), seed text,
-- stratify ('stage', 'channel', 'device' or NULL), size, since, until (NULL for open ends).
INSERT INTO samples (sample_id, rule, created_at, drawn_from, position, session_id)
WITH settings AS (
    SELECT
        ?::INTEGER AS sample_id,
        ?::VARCHAR AS rule,
        ?::TIMESTAMPTZ AS created_at,
        ?::VARCHAR AS kind,
        ?::VARCHAR AS seed,
        ?::VARCHAR AS stratify,
        ?::BIGINT AS size,
        ?::TIMESTAMPTZ AS since,
        ?::TIMESTAMPTZ AS until
),
candidates AS (
    SELECT
        s.session_id,
        s.ended_at,
        CASE settings.stratify
            WHEN 'stage' THEN coalesce(s.exit_stage, '')
            WHEN 'channel' THEN coalesce(s.channel, '')
            WHEN 'device' THEN coalesce(s.device, '')
            ELSE ''
        END AS stratum,
        -- md5 gives the same order for the same seed on every platform and DuckDB version.
        CASE WHEN settings.kind = 'random' THEN md5(settings.seed || ':' || s.session_id) END AS draw_key
    FROM sessions AS s, settings
    WHERE s.exited
      AND (settings.since IS NULL OR s.ended_at >= settings.since)
      AND (settings.until IS NULL OR s.ended_at <= settings.until)
),
strata AS (
    SELECT stratum, count(*) AS available FROM candidates GROUP BY stratum
),
-- Proportional allocation by the largest-remainder method, in whole-number arithmetic:
-- each stratum gets floor(size * available / total), and the seats left over go to the
-- largest remainders (ties to the larger stratum, then by name).
shares AS (
    SELECT
        stratum,
        available,
        least(settings.size, total.count) * available // total.count AS base,
        least(settings.size, total.count) * available % total.count AS remainder,
        least(settings.size, total.count) AS wanted
    FROM strata, settings, (SELECT count(*) AS count FROM candidates) AS total
),
quotas AS (
    SELECT
        stratum,
        base + CASE
            WHEN row_number() OVER (ORDER BY remainder DESC, available DESC, stratum)
                 <= wanted - sum(base) OVER () THEN 1
            ELSE 0
        END AS quota
    FROM shares
),
chosen AS (
    SELECT c.*
    FROM candidates AS c
    JOIN quotas AS q USING (stratum)
    QUALIFY row_number() OVER (
        PARTITION BY c.stratum ORDER BY c.draw_key, c.ended_at DESC, c.session_id
    ) <= q.quota
)
SELECT
    settings.sample_id,
    settings.rule,
    settings.created_at,
    (SELECT count(*) FROM candidates),
    row_number() OVER (ORDER BY chosen.draw_key, chosen.ended_at DESC, chosen.session_id),
    chosen.session_id
FROM chosen, settings;
