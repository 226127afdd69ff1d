-- Schema 1 to 2: the funnel stages each session reached and its ghost stages, kept in `sessions`
-- so the report reads them instead of scanning every event. The table is made anew because
-- workspace.py derives every session again after this, and inserting into an empty table takes far
-- less memory than replacing every row of a full one.
DROP TABLE sessions;

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
