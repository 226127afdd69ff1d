"""Append to the tag log and read the current state of sessions from it.

The log is append-only: a tag, skip, flag, clear or note edit is a new row, and an undo is a row
that names the row it cancels. Each call commits before it returns, so a killed process keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

ACTIONS = ("tag", "clear", "skip", "flag", "note")


@dataclass(frozen=True)
class TagState:
    """The current action on one session for one auditor (or the newest across auditors)."""

    session_id: str
    auditor: str
    action: str
    reason: str | None
    note: str | None
    suggested_reason: str | None
    tagged_at: datetime


@dataclass(frozen=True)
class Undone:
    """What one undo cancelled: the sessions whose state changed and the actions reverted."""

    session_ids: tuple[str, ...]
    actions: tuple[str, ...]


_INSERT = """
INSERT INTO tag_log (session_id, auditor, action, reason, note, suggested_reason, accepted,
                     evidence, bulk_id, undoes, sample_id, tagged_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id
"""


def append(
    cursor: duckdb.DuckDBPyConnection,
    session_id: str,
    auditor: str,
    action: str,
    *,
    reason: str | None = None,
    note: str | None = None,
    suggested_reason: str | None = None,
    accepted: bool | None = None,
    evidence: list[str] | None = None,
    bulk_id: int | None = None,
    sample_id: int | None = None,
) -> int:
    """Append one action to the tag log and return its row id."""
    if action not in ACTIONS:
        raise ValueError(f"unknown tag-log action {action!r}; expected one of {', '.join(ACTIONS)}")
    row = cursor.execute(
        _INSERT,
        [
            session_id,
            auditor,
            action,
            reason,
            note,
            suggested_reason,
            accepted,
            evidence,
            bulk_id,
            None,
            sample_id,
            datetime.now(UTC),
        ],
    ).fetchone()
    assert row is not None
    return int(row[0])


def next_bulk_id(cursor: duckdb.DuckDBPyConnection) -> int:
    """Return an id not yet used by any bulk action."""
    row = cursor.execute("SELECT coalesce(max(bulk_id), 0) + 1 FROM tag_log").fetchone()
    assert row is not None
    return int(row[0])


def undo_last(cursor: duckdb.DuckDBPyConnection, auditor: str) -> Undone | None:
    """Cancel this auditor's newest live action (all of it, for a bulk action); None if nothing is left."""
    last = cursor.execute(
        "SELECT id, bulk_id FROM live_tag_log WHERE auditor = ? ORDER BY id DESC LIMIT 1", [auditor]
    ).fetchone()
    if last is None:
        return None
    row_id, bulk_id = last
    if bulk_id is None:
        targets = cursor.execute(
            "SELECT id, session_id, action FROM live_tag_log WHERE id = ?", [row_id]
        ).fetchall()
    else:
        targets = cursor.execute(
            "SELECT id, session_id, action FROM live_tag_log WHERE auditor = ? AND bulk_id = ? ORDER BY id",
            [auditor, bulk_id],
        ).fetchall()
    now = datetime.now(UTC)
    cursor.execute("BEGIN TRANSACTION")
    try:
        cursor.executemany(
            "INSERT INTO tag_log (session_id, auditor, action, undoes, tagged_at) VALUES (?, ?, 'undo', ?, ?)",
            [[session_id, auditor, target_id, now] for target_id, session_id, _ in targets],
        )
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    cursor.execute("COMMIT")
    return Undone(tuple(row[1] for row in targets), tuple(row[2] for row in targets))


def current_states(cursor: duckdb.DuckDBPyConnection, auditor: str | None = None) -> dict[str, TagState]:
    """Return the current state per session: this auditor's, or the newest of any auditor."""
    rows = cursor.execute(
        """
        SELECT session_id, auditor, action, reason, note, suggested_reason, tagged_at
        FROM tag_state
        WHERE ? IS NULL OR auditor = ?
        QUALIFY row_number() OVER (PARTITION BY session_id ORDER BY id DESC) = 1
        """,
        [auditor, auditor],
    ).fetchall()
    return {row[0]: TagState(*row) for row in rows}
