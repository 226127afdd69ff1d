"""Derive one row per session from the event timeline and the funnel stages of the config.

A session enters the funnel when one of its events matches the first stage, converts when it also
matches the last stage, and exits when it entered without converting. Without a funnel every session
enters and none converts. docs/config.md describes how stages match events and URLs.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from queries.config import Config, Stage
from queries.signals import refresh_signals
from queries.sql import load_sql
from queries.workspace import Workspace

_CREATE_STAGES = """
CREATE OR REPLACE TEMPORARY TABLE funnel_stages (
    stage_index INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    event VARCHAR,
    path_glob VARCHAR,
    query_glob VARCHAR
)
"""

# Only rows that differ are written, because deleting and re-inserting every session made the
# commit take most of a minute on 200,000 sessions (DuckDB 2.0, with its primary-key index).
_REMOVE_GONE_SESSIONS = """
DELETE FROM sessions WHERE session_id NOT IN (SELECT session_id FROM derived_sessions)
"""
_STORE_CHANGED_SESSIONS = """
INSERT OR REPLACE INTO sessions
SELECT * FROM (SELECT * FROM derived_sessions EXCEPT SELECT * FROM sessions) ORDER BY session_id
"""

NO_FUNNEL_NOTE = (
    "no funnel configured: every session counts as entering the funnel and none as converting; "
    "add [funnel] stages to the config to find the real exits"
)


@dataclass(frozen=True)
class SessionCounts:
    """How many sessions were derived, and how many entered, exited and converted."""

    sessions: int
    entered: int
    exited: int
    converted: int
    note: str | None = None


def derive_sessions(cursor: duckdb.DuckDBPyConnection, config: Config) -> SessionCounts:
    """Rebuild the `sessions` table from `events` inside the caller's transaction."""
    # A failure aborts the caller's transaction, and its rollback removes funnel_stages too.
    cursor.execute(_CREATE_STAGES)
    if config.stages:
        cursor.executemany(
            "INSERT INTO funnel_stages VALUES (?, ?, ?, ?, ?)",
            [
                [index, stage.name, stage.event, *url_globs(stage)]
                for index, stage in enumerate(config.stages)
            ],
        )
    cursor.execute(load_sql("sessions.sql"), [config.label_column])
    cursor.execute(_REMOVE_GONE_SESSIONS)
    cursor.execute(_STORE_CHANGED_SESSIONS)
    cursor.execute("DROP TABLE derived_sessions")
    cursor.execute("DROP TABLE funnel_stages")
    counts = session_counts(cursor)
    return SessionCounts(
        counts.sessions, counts.entered, counts.exited, counts.converted, _note(counts, config)
    )


def session_counts(cursor: duckdb.DuckDBPyConnection) -> SessionCounts:
    """Count the sessions as they stand in the `sessions` table."""
    row = cursor.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE entered), count(*) FILTER (WHERE exited),
               count(*) FILTER (WHERE converted)
        FROM sessions
        """
    ).fetchone()
    assert row is not None
    return SessionCounts(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def url_globs(stage: Stage) -> tuple[str | None, str | None]:
    """Split a stage's URL pattern into a GLOB for the path and one for the query string.

    The first `?` separates the two parts, so `?` is never the one-character wildcard: any
    `?` is matched literally. `*` and `[...]` keep their GLOB meaning.
    """
    if stage.url is None:
        return None, None
    path, separator, query = stage.url.partition("?")
    return _literal_question_marks(path), _literal_question_marks(query) if separator else None


def _literal_question_marks(pattern: str) -> str:
    return pattern.replace("?", "[?]")


def _note(counts: SessionCounts, config: Config) -> str | None:
    if not config.stages:
        return NO_FUNNEL_NOTE
    if counts.sessions and not counts.entered:
        return (
            f"no session reached the first funnel stage {config.stages[0].name!r}; "
            "check its event name and URL pattern in [funnel] stages"
        )
    return None


@dataclass(frozen=True)
class ConfigChange:
    """Session counts before and after a new config was stored, and the sample sessions it affected."""

    changed: bool
    before: SessionCounts
    after: SessionCounts
    sample_no_longer_exited: int = 0


def apply_config(workspace: Workspace, config: Config) -> ConfigChange:
    """Store `config` as the one in force and re-derive the sessions with it, in one transaction."""
    cursor = workspace.cursor()
    before = session_counts(cursor)
    if config.text == workspace.config.text:
        return ConfigChange(False, before, before)
    with workspace.transaction() as cursor:
        after = derive_sessions(cursor, config)
        workspace.save_config(config, cursor)
        sample_id = cursor.execute("SELECT max(sample_id) FROM samples").fetchone()
        if sample_id is not None and sample_id[0] is not None:
            refresh_signals(cursor, int(sample_id[0]), config)
        stale = _sample_sessions_not_exited(cursor)
    return ConfigChange(True, before, after, stale)


def _sample_sessions_not_exited(cursor: duckdb.DuckDBPyConnection) -> int:
    row = cursor.execute(
        """
        SELECT count(*)
        FROM samples AS sample
        LEFT JOIN sessions AS session USING (session_id)
        WHERE sample.sample_id = (SELECT max(sample_id) FROM samples)
          AND NOT coalesce(session.exited, false)
        """
    ).fetchone()
    assert row is not None
    return int(row[0])
