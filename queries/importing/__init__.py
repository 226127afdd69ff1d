"""Import export files into a workspace: detect, map, parse, de-duplicate, sessionize, store.

One transaction appends each file's events straight from DuckDB's reader and settles the new rows'
session ids and duplicates. It also records the files in `imports`, stores the config and
re-derives the sessions, so a bad file rolls all of it back. docs/import.md describes the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from queries.config import Config
from queries.errors import StripdownError, UsageError
from queries.importing.loading import (
    FileCounts,
    TimeUnreadable,
    cut_sessions,
    insert_file,
    next_import_id,
    record_imports,
    settle_duplicates,
)
from queries.importing.mapping import MAPPABLE_FIELDS, Mapping
from queries.importing.parsing import ParsedFile, parse_file, time_error
from queries.importing.progress import ImportProgress, enable_query_progress
from queries.importing.readers import ExportOptions, read_error
from queries.importing.sources import FORMATS, SourceFile, expand_paths, file_sha256, inspect, readable_copies
from queries.importing.summary import FileSummary, ImportOptions, ImportSummary, format_duration
from queries.sessions import SessionCounts, derive_sessions, session_counts
from queries.workspace import Workspace

__all__ = [
    "FORMATS",
    "MAPPABLE_FIELDS",
    "FileSummary",
    "ImportOptions",
    "ImportProgress",
    "ImportSummary",
    "Mapping",
    "import_exports",
    "inspect_exports",
]


def inspect_exports(paths: Sequence[str | Path], file_format: str | None = None) -> list[SourceFile]:
    """Expand `paths` and tell each file's format, failing on the first unreadable or unknown one."""
    if file_format is not None and file_format not in FORMATS:
        raise UsageError(f"unknown format {file_format!r}; choose one of {', '.join(FORMATS)}")
    return [inspect(path, file_format) for path in expand_paths(paths)]


def import_exports(
    workspace: Workspace,
    paths: Sequence[str | Path],
    options: ImportOptions,
    progress: ImportProgress | None = None,
) -> ImportSummary:
    """Load every export file into `workspace` in one transaction and re-derive the sessions."""
    sources = inspect_exports(paths, options.format)
    config = options.config or workspace.config
    plan = _Plan(
        ExportOptions(dict(options.mapping), dict(config.import_map), config.label_column),
        _timezone(options.timezone or config.timezone),
        options.session_gap or config.session_gap,
    )
    cursor = workspace.cursor()
    if progress is not None:
        enable_query_progress(cursor)
    pending, skipped = _new_files(cursor, sources, progress)
    with readable_copies([source for source, _ in pending]) as readable:
        stored = _load_with_retries(
            workspace, readable, [digest for _, digest in pending], plan, options, progress
        )
    return _summary(workspace, sources, skipped, stored, options)


@dataclass(frozen=True)
class _Plan:
    """Settings that decide how this import reads its files."""

    export_options: ExportOptions
    timezone: str
    session_gap: float


@dataclass(frozen=True)
class _Stored:
    """Results of the import's transaction."""

    files: list[tuple[ParsedFile, FileCounts]]
    sessions: SessionCounts
    derived: bool
    config_changed: bool
    rows_without_session: int
    first_ts: datetime | None
    last_ts: datetime | None


class _RetryAsLatin1(Exception):
    """The file at `index` is not UTF-8 beyond the sampled start; read it again as Latin-1."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _load_with_retries(
    workspace: Workspace,
    sources: list[SourceFile],
    digests: list[str],
    plan: _Plan,
    options: ImportOptions,
    progress: ImportProgress | None,
) -> _Stored:
    cursor = workspace.cursor()
    sources = list(sources)
    while True:
        parsed = [parse_file(cursor, source, plan.export_options) for source in sources]
        # Times without an offset are read in the session time zone, so set it for the import only.
        cursor.execute("SET TimeZone = ?", [plan.timezone])
        try:
            return _load(workspace, parsed, digests, plan, options, progress)
        except _RetryAsLatin1 as retry:
            # Latin-1 decodes any byte, so the second reading cannot fail on the encoding.
            sources[retry.index] = replace(sources[retry.index], encoding="latin-1")
        except TimeUnreadable as unreadable:
            raise time_error(cursor, parsed[unreadable.index]) from None
        finally:
            cursor.execute("SET TimeZone = 'UTC'")


def _load(
    workspace: Workspace,
    parsed: list[ParsedFile],
    digests: list[str],
    plan: _Plan,
    options: ImportOptions,
    progress: ImportProgress | None,
) -> _Stored:
    """Write the files, the file records and the config in one transaction; re-derive the sessions."""
    config = options.config or workspace.config
    with workspace.transaction() as cursor:
        first_id = next_import_id(cursor)
        read = [
            _insert(workspace, cursor, item, first_id + index, index, progress)
            for index, item in enumerate(parsed)
        ]
        try:
            missing = cut_sessions(cursor, first_id, plan.session_gap, progress) if parsed else 0
            clashes = settle_duplicates(cursor, first_id, progress) if parsed else {}
            counts = record_imports(
                cursor,
                [(item, first_id + index, digests[index], read[index]) for index, item in enumerate(parsed)],
                clashes,
            )
            span = cursor.execute(
                "SELECT min(ts), max(ts) FROM events WHERE import_id >= ?", [first_id]
            ).fetchone()
            config_changed = options.config is not None and workspace.save_config(options.config, cursor)
            derived = bool(parsed) or config_changed
            sessions = _derive(cursor, config, progress) if derived else session_counts(cursor)
        except duckdb.Error as error:
            raise _write_error(workspace, error) from None
    assert span is not None
    return _Stored(
        list(zip(parsed, counts, strict=True)), sessions, derived, config_changed, missing, span[0], span[1]
    )


def _insert(
    workspace: Workspace,
    cursor: duckdb.DuckDBPyConnection,
    parsed: ParsedFile,
    import_id: int,
    index: int,
    progress: ImportProgress | None,
) -> int:
    try:
        rows = insert_file(cursor, parsed, import_id, index, progress)
    except duckdb.Error as error:
        text = str(error)
        if "Invalid unicode" in text and parsed.source.encoding == "utf-8":
            raise _RetryAsLatin1(index) from None
        if "No space left" in text or "Could not write" in text:
            raise _write_error(workspace, error) from None
        raise read_error(parsed.source, error) from None
    if rows == 0:
        raise StripdownError(
            f"{parsed.source.path} has a header but no data rows; export it again with at least one row"
        )
    return rows


def _derive(
    cursor: duckdb.DuckDBPyConnection, config: Config, progress: ImportProgress | None
) -> SessionCounts:
    if progress is not None:
        progress.begin("Deriving sessions")
    try:
        return derive_sessions(cursor, config)
    finally:
        if progress is not None:
            progress.end()


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise StripdownError(
            f"unknown time zone {name!r}; give an IANA name such as UTC or Europe/Berlin"
        ) from None
    return name


def _new_files(
    cursor: duckdb.DuckDBPyConnection, sources: list[SourceFile], progress: ImportProgress | None
) -> tuple[list[tuple[SourceFile, str]], dict[Path, str]]:
    """Split the files into those to read, with their SHA-256, and those imported before."""
    pending: list[tuple[SourceFile, str]] = []
    skipped: dict[Path, str] = {}
    seen: dict[str, Path] = {}
    for source in sources:
        if progress is not None:
            progress.begin(f"Checking {source.name}")
        digest = file_sha256(source.path)
        if progress is not None:
            progress.end()
        earlier = cursor.execute(
            "SELECT source_file, imported_at FROM imports WHERE sha256 = ? ORDER BY imported_at LIMIT 1",
            [digest],
        ).fetchone()
        if earlier is not None:
            skipped[source.path] = (
                f"the same bytes were imported on {earlier[1]:%Y-%m-%d %H:%M} UTC from {earlier[0]}; nothing added"
            )
        elif digest in seen:
            skipped[source.path] = f"the same bytes as {seen[digest]} in this import; read once"
        else:
            seen[digest] = source.path
            pending.append((source, digest))
    return pending, skipped


def _write_error(workspace: Workspace, error: duckdb.Error) -> StripdownError:
    text = str(error)
    if "No space left" in text or "not enough space" in text.lower():
        return StripdownError(
            f"cannot write workspace {workspace.path}: no space left on the device; free some space "
            "and import again (nothing was saved)"
        )
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return StripdownError(f"cannot write workspace {workspace.path}: {first}; nothing was saved")


def _summary(
    workspace: Workspace,
    sources: list[SourceFile],
    skipped: dict[Path, str],
    stored: _Stored,
    options: ImportOptions,
) -> ImportSummary:
    read = {item.source.path: (item, counts) for item, counts in stored.files}
    files = []
    for source in sources:
        if source.path in skipped:
            files.append(FileSummary(source.path, source.format, skipped=skipped[source.path]))
            continue
        item, counts = read[source.path]
        files.append(
            FileSummary(
                source.path,
                item.source.format,
                counts.rows_read,
                counts.events_kept,
                counts.duplicates,
                counts.collisions,
                item.mapping,
                item.source.encoding,
            )
        )
    config = options.config or workspace.config
    notes = _notes(stored, config)
    defaults = _defaults(config, options) if not config.text and not stored.config_changed else ()
    return ImportSummary(
        tuple(files), stored.sessions, stored.first_ts, stored.last_ts, tuple(notes), defaults
    )


def _notes(stored: _Stored, config: Config) -> list[str]:
    notes = []
    if not stored.files:
        notes.append("nothing new to import: every file was imported before; no event or tag changed")
    if stored.rows_without_session:
        notes.append(
            f"{stored.rows_without_session:,} rows had no session id; they were cut into sessions per user "
            "(per client address and user agent for access logs) after "
            f"{format_duration(config.session_gap)} without events"
        )
    if stored.derived and stored.sessions.note:
        notes.append(stored.sessions.note)
    notes.extend(_label_notes([item for item, _ in stored.files], config))
    return notes


def _label_notes(parsed: list[ParsedFile], config: Config) -> list[str]:
    if config.label_column is None:
        return []
    return [
        f"the label column {config.label_column!r} of [label] column is not in {item.source.path}; "
        "its sessions get the exit stage as their label"
        for item in parsed
        if item.mapping.column("label") != config.label_column
    ]


def _defaults(config: Config, options: ImportOptions) -> tuple[str, ...]:
    gap = options.session_gap or config.session_gap
    return (
        f"session gap {format_duration(gap)} for exports without session ids ([import] session_gap, --session-gap)",
        f"times without an offset are in {options.timezone or config.timezone} ([import] timezone, --tz)",
        "no funnel: every session counts as entering it and none as converting ([funnel] stages)",
        "no analytics label column: the label is the exit stage ([label] column)",
        f"the {len(config.reasons)} built-in exit reasons ([[reasons]])",
    )
