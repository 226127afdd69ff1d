"""Append parsed export files to `events`, then settle the new rows' session ids and duplicates.

Every step runs inside the import's transaction and touches only the new rows (import ids from
`first_id` on), apart from the collision flag of stored events that share an id with a new one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from queries.importing.parsing import ParsedFile, fields_query
from queries.importing.progress import ImportProgress, run_step
from queries.sql import load_sql

_SQL_PACKAGE = "queries.importing"


@dataclass(frozen=True)
class FileCounts:
    """Rows of one file read, kept, dropped as duplicates, and kept despite an id collision."""

    rows_read: int
    events_kept: int
    duplicates: int
    collisions: int


class TimeUnreadable(Exception):
    """A row of the file at `index` has no readable time; raised so the transaction rolls back first."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def next_import_id(cursor: duckdb.DuckDBPyConnection) -> int:
    """Return the import id the next file gets."""
    row = cursor.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()
    assert row is not None
    return int(row[0])


def insert_file(
    cursor: duckdb.DuckDBPyConnection,
    parsed: ParsedFile,
    import_id: int,
    index: int,
    progress: ImportProgress | None,
) -> int:
    """Append the rows of one parsed file to `events`; return how many were read."""
    fields, params = fields_query(parsed)
    sql = load_sql("insert_file.sql", _SQL_PACKAGE).replace("{fields}", fields)
    try:
        run_step(
            cursor,
            sql,
            [str(parsed.source.path), import_id, *params],
            progress,
            f"Reading {parsed.source.name}",
        )
    except duckdb.ConstraintException as error:
        if "events.ts" in str(error):
            raise TimeUnreadable(index) from None
        raise
    row = cursor.execute("SELECT count(*) FROM events WHERE import_id = ?", [import_id]).fetchone()
    assert row is not None
    return int(row[0])


def cut_sessions(
    cursor: duckdb.DuckDBPyConnection, first_id: int, session_gap: float, progress: ImportProgress | None
) -> int:
    """Replace the placeholder session ids of the new rows with derived ones; return how many rows had one."""
    row = cursor.execute(
        "SELECT count(*) FROM events WHERE import_id >= ? AND starts_with(session_id, chr(1))", [first_id]
    ).fetchone()
    assert row is not None
    missing = int(row[0])
    if missing:
        run_step(
            cursor,
            load_sql("derive_session_ids.sql", _SQL_PACKAGE),
            [first_id, session_gap],
            progress,
            "Cutting sessions",
        )
        cursor.execute(load_sql("apply_session_ids.sql", _SQL_PACKAGE))
        cursor.execute("DROP TABLE derived_sessions")
    return missing


def settle_duplicates(
    cursor: duckdb.DuckDBPyConnection, first_id: int, progress: ImportProgress | None
) -> dict[int, tuple[int, int]]:
    """Number repeated derived ids, drop duplicates, flag collisions; return them per import id."""
    run_step(cursor, load_sql("repeated_ids.sql", _SQL_PACKAGE), [first_id], progress, "Finding duplicates")
    _run_script(cursor, "renumber_derived_ids.sql", [[first_id], []])
    cursor.execute(load_sql("id_clashes.sql", _SQL_PACKAGE), [first_id, first_id, first_id])
    _run_script(cursor, "resolve_clashes.sql", [[], []])
    counts = {
        int(row[0]): (int(row[1]), int(row[2]))
        for row in cursor.execute(load_sql("clash_counts.sql", _SQL_PACKAGE)).fetchall()
    }
    for table in ("repeated_ids", "renumbered_ids", "id_clashes"):
        cursor.execute(f"DROP TABLE {table}")
    return counts


def _run_script(cursor: duckdb.DuckDBPyConnection, name: str, params: list[list[Any]]) -> None:
    """Run the statements of a .sql file one by one, each with its own parameters."""
    statements = [part.strip() for part in load_sql(name, _SQL_PACKAGE).split(";\n") if part.strip()]
    for statement, statement_params in zip(statements, params, strict=True):
        cursor.execute(statement, statement_params)


def record_imports(
    cursor: duckdb.DuckDBPyConnection,
    files: list[tuple[ParsedFile, int, str, int]],
    clashes: dict[int, tuple[int, int]],
) -> list[FileCounts]:
    """Insert one `imports` row per file (parsed file, import id, SHA-256, rows read); return the counts."""
    now = datetime.now(UTC)
    counts = []
    for parsed, import_id, digest, rows_read in files:
        duplicates, collisions = clashes.get(import_id, (0, 0))
        kept = rows_read - duplicates
        counts.append(FileCounts(rows_read, kept, duplicates, collisions))
        cursor.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                str(parsed.source.path),
                digest,
                parsed.source.format,
                rows_read,
                kept,
                duplicates,
                collisions,
                json.dumps(parsed.mapping.as_json()),
                now,
            ],
        )
    return counts
