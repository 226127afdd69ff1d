-- The parsed event fields of one access log, one row per non-blank line. staging.py puts the table
-- function that reads the file one line per row in the place marked with braces; its parameters
-- come first, then the line pattern and its group names. Page and asset requests are told apart
-- by the extension of the path.
WITH lines AS (
    SELECT row_number() OVER () AS row_number, line
    FROM {source}
),
matched AS (
    SELECT row_number, line, regexp_extract(line, ?, ?::VARCHAR[]) AS m
    FROM lines
    WHERE trim(coalesce(line, '')) <> ''
),
parts AS (
    SELECT
        row_number,
        line,
        m.client <> '' AS is_match,
        m.client AS client,
        nullif(m.ident, '-') AS ident,
        nullif(m.auth_user, '-') AS auth_user,
        m.time AS time_text,
        regexp_extract(m.request, '^(\S+) ', 1) AS method,
        coalesce(nullif(regexp_extract(m.request, '^\S+ (\S+)', 1), ''), m.request) AS path,
        nullif(regexp_extract(m.request, '^\S+ \S+ (\S+)$', 1), '') AS protocol,
        TRY_CAST(m.status AS INTEGER) AS status,
        TRY_CAST(m.bytes AS BIGINT) AS bytes,
        nullif(nullif(m.referrer, '-'), '') AS referrer,
        nullif(nullif(m.agent, '-'), '') AS agent
    FROM matched
),
fields AS (
    SELECT
        row_number,
        NULL::VARCHAR AS event_id,
        hash(line) AS row_hash,
        NULL::VARCHAR AS session_id,
        client || ' ' || coalesce(agent, '') AS visitor,
        coalesce(auth_user, client) AS user_id,
        CASE WHEN is_match THEN try_strptime(time_text, '%d/%b/%Y:%H:%M:%S %z') END AS ts,
        CASE WHEN is_match THEN time_text ELSE line END AS bad_ts,
        CASE
            WHEN regexp_matches(regexp_replace(path, '[?#].*$', ''),
                                '(?i)\.(png|jpe?g|gif|svg|ico|css|js|mjs|map|woff2?|ttf|otf|eot|webp|avif|bmp)$')
            THEN 'asset'
            ELSE 'page_view'
        END AS event,
        path AS url,
        NULL::VARCHAR AS target,
        status,
        NULL::VARCHAR AS message,
        CASE
            WHEN referrer IS NULL THEN 'direct'
            ELSE coalesce(nullif(regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]+)', 1), ''), referrer)
        END AS channel,
        CASE
            WHEN agent IS NULL THEN NULL
            WHEN regexp_matches(agent, '(?i)ipad|tablet') THEN 'tablet'
            WHEN regexp_matches(agent, '(?i)mobi|android|iphone|ipod|blackberry|opera mini|windows phone') THEN 'mobile'
            ELSE 'desktop'
        END AS device,
        NULL::VARCHAR AS label,
        agent AS user_agent,
        NULL::DOUBLE AS duration_ms,
        CASE WHEN is_match THEN json_object(
            'client', client, 'ident', ident, 'auth_user', auth_user, 'method', method,
            'protocol', protocol, 'bytes', bytes, 'referrer', referrer
        ) END AS properties
    FROM parts
)
SELECT * FROM fields
