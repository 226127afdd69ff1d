"""Record tags given on the command line: one session at a time, or a whole file of them.

A tags file is CSV or Parquet with the columns session_id and reason (or reason_id, as written by
`stripdown export`), and optionally note and auditor. Either every row is appended to the tag log in
one transaction, or, when a row names an unknown session or reason, none is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from queries import tags
from queries.config import Config, Reason
from queries.errors import StripdownError
from queries.sample import active_sample_id
from queries.sql import load_sql
from queries.workspace import Workspace

# How many offending rows an error message lists before it only counts the rest.
MAX_LISTED_ROWS = 5

_COLUMNS = {
    "session_id": ("session_id",),
    "reason": ("reason", "reason_id"),
    "note": ("note",),
    "auditor": ("auditor",),
}

_READ_CSV = """
CREATE OR REPLACE TEMPORARY TABLE tag_import_file AS
SELECT * FROM read_csv(?, all_varchar = true, header = true) WITH ORDINALITY
"""
_READ_PARQUET = """
CREATE OR REPLACE TEMPORARY TABLE tag_import_file AS
SELECT * FROM read_parquet(?) WITH ORDINALITY
"""

_APPEND_ROWS = """
INSERT INTO tag_log (session_id, auditor, action, reason, note, bulk_id, sample_id, tagged_at)
SELECT
    r.session_id,
    coalesce(r.auditor, ?),
    'tag',
    r.reason,
    r.note,
    ?,
    CASE WHEN EXISTS (
        SELECT 1 FROM samples AS s WHERE s.sample_id = ? AND s.session_id = r.session_id
    ) THEN ? END,
    ?
FROM tag_import_rows AS r
WHERE r.reason_text IS NOT NULL
ORDER BY r.row_number
"""


@dataclass(frozen=True)
class TagResult:
    """One tag-log row just appended, with the facts the command prints about it."""

    row_id: int
    session_id: str
    action: str
    reason: Reason | None
    exited: bool
    in_active_sample: bool


@dataclass(frozen=True)
class TagImportSummary:
    """Summary of a tags import: rows appended, their auditors, rows without a reason, columns not read."""

    appended: int
    auditors: tuple[str, ...]
    without_reason: int
    ignored_columns: tuple[str, ...]
    bulk_id: int


def record_tag(
    cursor: duckdb.DuckDBPyConnection,
    config: Config,
    session_id: str,
    auditor: str,
    action: str,
    reason_text: str | None = None,
    note: str | None = None,
) -> TagResult:
    """Append one tag, skip, flag or clear of a known session; a tag needs a reason id or hotkey."""
    row = cursor.execute("SELECT exited FROM sessions WHERE session_id = ?", [session_id]).fetchone()
    if row is None:
        raise StripdownError(
            f"session {session_id!r} is not in the workspace; check the id against the sample or the export"
        )
    reason = None
    if action == "tag":
        reason = resolve_reason(config, reason_text or "")
    sample_id = active_sample_id(cursor)
    in_sample = sample_id is not None and _in_sample(cursor, sample_id, session_id)
    row_id = tags.append(
        cursor,
        session_id,
        auditor,
        action,
        reason=reason.id if reason else None,
        note=note,
        sample_id=sample_id if in_sample else None,
    )
    return TagResult(row_id, session_id, action, reason, bool(row[0]), in_sample)


def resolve_reason(config: Config, text: str) -> Reason:
    """Return the reason with this id or hotkey, or raise StripdownError listing the taxonomy."""
    reason = config.reason(text.strip())
    if reason is None:
        raise StripdownError(f"reason {text!r} is not in the taxonomy; use one of {_reason_list(config)}")
    return reason


def import_tags(workspace: Workspace, path: Path, auditor: str) -> TagImportSummary:
    """Append every row of a tags file to the tag log in one transaction, or none of them.

    `auditor` is recorded for rows without an auditor of their own. Rows are numbered from 1, not
    counting the header, in error messages.
    """
    config = workspace.config
    # A failure rolls the transaction back, which also removes the temporary tables it created.
    with workspace.transaction() as cursor:
        columns = _load_file(cursor, path)
        ignored = _normalise_rows(cursor, path, columns, config)
        _check_rows(cursor, path, config)
        summary = _append_rows(cursor, path, auditor, ignored)
        cursor.execute("DROP TABLE tag_import_file")
        cursor.execute("DROP TABLE tag_import_rows")
    return summary


def _load_file(cursor: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """Load the file into tag_import_file; the last of the returned columns is the row number."""
    if not path.is_file():
        raise StripdownError(f"tags file {path} not found; check the path")
    try:
        cursor.execute(_READ_PARQUET if _is_parquet(path) else _READ_CSV, [str(path)])
    except duckdb.Error as error:
        kind = "Parquet" if _is_parquet(path) else "CSV"
        detail = str(error).strip().splitlines()[0]
        raise StripdownError(f"cannot read {path} as {kind}: {detail}; check the file") from None
    rows = cursor.execute("SELECT column_name FROM (DESCRIBE tag_import_file)").fetchall()
    return [row[0] for row in rows]


def _is_parquet(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == b"PAR1"


def _normalise_rows(
    cursor: duckdb.DuckDBPyConnection, path: Path, columns: list[str], config: Config
) -> tuple[str, ...]:
    *columns, row_column = columns
    chosen = {field: _find_column(columns, names) for field, names in _COLUMNS.items()}
    for field in ("session_id", "reason"):
        if chosen[field] is None:
            expected = " or ".join(_COLUMNS[field])
            raise StripdownError(
                f"{path} has no {expected} column (its columns are {', '.join(columns) or 'none'}); "
                "add a header row with session_id and reason"
            )
    cursor.execute(
        load_sql("tag_import.sql"),
        [
            row_column,
            chosen["session_id"],
            chosen["reason"],
            chosen["note"],
            chosen["auditor"],
            not _is_parquet(path),
            [reason.id for reason in config.reasons],
            [reason.key for reason in config.reasons],
        ],
    )
    used = set(chosen.values())
    return tuple(column for column in columns if column not in used)


def _find_column(columns: list[str], names: tuple[str, ...]) -> str | None:
    for name in names:
        for column in columns:
            if column.strip().lower() == name:
                return column
    return None


def _check_rows(cursor: duckdb.DuckDBPyConnection, path: Path, config: Config) -> None:
    total = _count(cursor, "SELECT count(*) FROM tag_import_rows")
    if total == 0:
        raise StripdownError(f"{path} has no rows below its header; nothing to import")
    problems = []
    unknown_sessions = cursor.execute(
        "SELECT row_number, session_id FROM tag_import_rows WHERE NOT known_session ORDER BY row_number"
    ).fetchall()
    if unknown_sessions:
        problems.append(_offenders(unknown_sessions, "an unknown session"))
    unknown_reasons = cursor.execute(
        """
        SELECT row_number, reason_text FROM tag_import_rows
        WHERE reason_text IS NOT NULL AND reason IS NULL
        ORDER BY row_number
        """
    ).fetchall()
    if unknown_reasons:
        problems.append(
            _offenders(unknown_reasons, "an unknown reason") + f" (the reasons are {_reason_list(config)})"
        )
    if problems:
        raise StripdownError(
            f"{path}: {'; '.join(problems)}; fix these rows and import the file again, nothing was imported"
        )


def _offenders(rows: list[tuple[int, str]], what: str) -> str:
    listed = ", ".join(f"row {number} ({_shorten(value)!r})" for number, value in rows[:MAX_LISTED_ROWS])
    more = f" and {len(rows) - MAX_LISTED_ROWS} more" if len(rows) > MAX_LISTED_ROWS else ""
    noun = "row names" if len(rows) == 1 else "rows name"
    return f"{len(rows)} {noun} {what}: {listed}{more}"


def _shorten(value: str) -> str:
    return value if len(value) <= 40 else value[:39] + "…"


def _append_rows(
    cursor: duckdb.DuckDBPyConnection, path: Path, auditor: str, ignored: tuple[str, ...]
) -> TagImportSummary:
    bulk_id = tags.next_bulk_id(cursor)
    sample_id = active_sample_id(cursor)
    cursor.execute(_APPEND_ROWS, [auditor, bulk_id, sample_id, sample_id, datetime.now(UTC)])
    appended = _count(cursor, "SELECT count(*) FROM tag_import_rows WHERE reason_text IS NOT NULL")
    if appended == 0:
        raise StripdownError(f"{path}: no row has a reason; fill in the reason column and import it again")
    auditors = cursor.execute(
        "SELECT DISTINCT auditor FROM tag_log WHERE bulk_id = ? ORDER BY auditor", [bulk_id]
    ).fetchall()
    without_reason = _count(cursor, "SELECT count(*) FROM tag_import_rows WHERE reason_text IS NULL")
    return TagImportSummary(appended, tuple(row[0] for row in auditors), without_reason, ignored, bulk_id)


def _in_sample(cursor: duckdb.DuckDBPyConnection, sample_id: int, session_id: str) -> bool:
    row = cursor.execute(
        "SELECT 1 FROM samples WHERE sample_id = ? AND session_id = ? LIMIT 1", [sample_id, session_id]
    ).fetchone()
    return row is not None


def _count(cursor: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = cursor.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def _reason_list(config: Config) -> str:
    return ", ".join(f"{reason.id} ({reason.key})" for reason in config.reasons)
