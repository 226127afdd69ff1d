"""Write the tagged exit reasons of the active sample to CSV, Parquet or JSON Lines.

DuckDB's COPY writes the file. It goes to a temporary file beside the target first and is renamed
over it only when complete, so a failed export leaves an existing file as it was.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb

from queries.config import Config
from queries.errors import StripdownError
from queries.sample import active_sample_id
from queries.sql import load_sql

FORMATS = ("csv", "parquet", "jsonl")

_SUFFIX_FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


@dataclass(frozen=True)
class ExportSummary:
    """Summary of an export: the file, its format, the sample, and how many sessions have each status."""

    path: Path
    format: str
    sample_id: int
    sessions: int
    tagged: int
    skipped: int
    flagged: int


def format_for(path: Path, requested: str | None) -> str:
    """Return the requested format, or the one the file name suggests (CSV when it suggests none)."""
    if requested is not None:
        if requested not in FORMATS:
            raise StripdownError(
                f"export format {requested!r} is invalid: expected one of {', '.join(FORMATS)}"
            )
        return requested
    return _SUFFIX_FORMATS.get(path.suffix.lower(), "csv")


def export_sample(
    cursor: duckdb.DuckDBPyConnection,
    config: Config,
    path: Path,
    export_format: str,
    auditor: str | None = None,
) -> ExportSummary:
    """Write one row per session of the active sample to `path`, replacing any file there."""
    sample_id = active_sample_id(cursor)
    if sample_id is None:
        raise StripdownError("the workspace has no audit sample yet; draw one with stripdown sample")
    _check_target(path)
    labels = list(config.label_map)
    cursor.execute(
        load_sql("export.sql"),
        [
            sample_id,
            auditor,
            auditor,
            sample_id,
            labels,
            [config.label_map[label] for label in labels],
            [reason.id for reason in config.reasons],
            [reason.title for reason in config.reasons],
        ],
    )
    try:
        counts = _status_counts(cursor)
        _write(cursor, path, export_format)
    finally:
        cursor.execute("DROP TABLE IF EXISTS export_rows")
    return ExportSummary(
        path,
        export_format,
        sample_id,
        sum(counts.values()),
        counts.get("tagged", 0),
        counts.get("skipped", 0),
        counts.get("flagged", 0),
    )


def _check_target(path: Path) -> None:
    if path.is_dir():
        raise StripdownError(
            f"{path} is a folder; give a file name for the export, such as {path / 'tags.csv'}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise StripdownError(f"cannot write {path}: folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StripdownError(f"cannot write {path}: folder {folder} is not writable; choose another -o")


def _status_counts(cursor: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = cursor.execute("SELECT status, count(*) FROM export_rows GROUP BY status").fetchall()
    return {status: int(count) for status, count in rows}


def _write(cursor: duckdb.DuckDBPyConnection, path: Path, export_format: str) -> None:
    # The temporary name starts with a dot so a half-written export never looks like a result.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        if export_format == "csv":
            cursor.execute(load_sql("export_spreadsheet_safe.sql"))
        cursor.execute(load_sql(f"export_{export_format}.sql"), [str(temporary)])
        os.replace(temporary, path)
    except duckdb.Error as error:
        detail = str(error).strip().splitlines()[0]
        raise StripdownError(f"cannot write {path}: {detail}; any file already there is unchanged") from None
    except OSError as error:
        raise StripdownError(
            f"cannot write {path}: {error.strerror}; any file already there is unchanged"
        ) from None
    finally:
        temporary.unlink(missing_ok=True)
