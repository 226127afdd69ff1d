-- Workspace schema, version 1. Timestamps are TIMESTAMPTZ and always stored in UTC.

CREATE TABLE meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Every config the workspace was built with; the newest row is the one in force.
CREATE TABLE config (
    saved_at TIMESTAMPTZ NOT NULL,
    text VARCHAR NOT NULL
);

-- One row per export file loaded, so a re-import of the same bytes is recognised and skipped.
CREATE TABLE imports (
    import_id INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    events_kept BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    collisions BIGINT NOT NULL,
    mapping JSON,
    imported_at TIMESTAMPTZ NOT NULL
);

-- The event timeline. Each import appends its rows ordered by (session_id, ts, row_number),
-- so the zone maps let one session's events be read without a full scan.
CREATE TABLE events (
    event_id VARCHAR NOT NULL,
    session_id VARCHAR NOT NULL,
    user_id VARCHAR,
    ts TIMESTAMPTZ NOT NULL,
    event VARCHAR,
    url VARCHAR,
    target VARCHAR,
    status INTEGER,
    message VARCHAR,
    channel VARCHAR,
    device VARCHAR,
    label VARCHAR,
    user_agent VARCHAR,
    duration_ms DOUBLE,
    properties JSON,
    source_file VARCHAR NOT NULL,
    import_id INTEGER NOT NULL,
    row_number BIGINT NOT NULL,
    content_hash UBIGINT NOT NULL,
    collision BOOLEAN NOT NULL DEFAULT false
);

-- Derived from events after each import and after a config change; never edited by hand.
CREATE TABLE sessions (
    session_id VARCHAR PRIMARY KEY,
    user_id VARCHAR,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ NOT NULL,
    events INTEGER NOT NULL,
    channel VARCHAR,
    device VARCHAR,
    landing_url VARCHAR,
    exit_url VARCHAR,
    last_event VARCHAR,
    furthest_stage VARCHAR,
    furthest_stage_index INTEGER,
    entered BOOLEAN NOT NULL,
    converted BOOLEAN NOT NULL,
    exited BOOLEAN NOT NULL,
    exit_stage VARCHAR,
    label VARCHAR,
    -- Indexes of the funnel stages the session reached, and of those whose first matching event
    -- is the session's last event (the report's ghosts). Both are empty without a funnel.
    entered_stages INTEGER[] NOT NULL DEFAULT [],
    ghost_stages INTEGER[] NOT NULL DEFAULT []
);

-- Every audit sample ever drawn, one row per sampled session; the highest sample_id is active.
CREATE TABLE samples (
    sample_id INTEGER NOT NULL,
    rule VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    drawn_from INTEGER NOT NULL,
    position INTEGER NOT NULL,
    session_id VARCHAR NOT NULL
);

-- Evidence signals of the sessions of a sample.
CREATE TABLE signals (
    sample_id INTEGER NOT NULL,
    session_id VARCHAR NOT NULL,
    signal VARCHAR NOT NULL,
    reason VARCHAR,
    priority INTEGER NOT NULL,
    event_ids VARCHAR[] NOT NULL,
    description VARCHAR NOT NULL
);

-- Append-only. An undo is a row of its own that names the row it cancels in `undoes`.
CREATE SEQUENCE tag_log_id START 1;
CREATE TABLE tag_log (
    id BIGINT NOT NULL DEFAULT nextval('tag_log_id'),
    session_id VARCHAR NOT NULL,
    auditor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    reason VARCHAR,
    note VARCHAR,
    suggested_reason VARCHAR,
    accepted BOOLEAN,
    evidence VARCHAR[],
    bulk_id BIGINT,
    undoes BIGINT,
    sample_id INTEGER,
    tagged_at TIMESTAMPTZ NOT NULL
);

-- Tag-log rows not cancelled by an undo.
CREATE VIEW live_tag_log AS
SELECT t.*
FROM tag_log AS t
WHERE t.action <> 'undo'
  AND NOT EXISTS (SELECT 1 FROM tag_log AS u WHERE u.action = 'undo' AND u.undoes = t.id);

-- The current state of each session for each auditor: the newest live row.
-- An action of 'clear' means the session is untagged again.
CREATE VIEW tag_state AS
SELECT *
FROM live_tag_log
QUALIFY row_number() OVER (PARTITION BY session_id, auditor ORDER BY id DESC) = 1;
