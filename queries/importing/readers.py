"""Describe an export file to DuckDB: the table function that reads it and the columns it yields.

Delimited text is read with every column as VARCHAR, so long numeric ids stay exact and a value
the sniffer did not sample cannot fail the read. JSON lines keep the JSON of the columns that go
into `properties`; Parquet keeps its own types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from queries.errors import StripdownError
from queries.importing.mapping import SNOWPLOW_PRESET, Mapping, map_columns
from queries.importing.sources import SourceFile
from queries.workspace import MEMORY_LIMIT_VARIABLE, memory_limit, ran_out_of_memory

# A delimiter that no access-log line contains, so DuckDB's CSV reader returns whole lines.
_LINE_DELIMITER = "\x1f\x1e\x1d"
# Maximum line or field size for DuckDB's CSV reader, in bytes (DuckDB's default is 2 MB).
_MAX_LINE_SIZE = 8 * 1024 * 1024
# The column read_parquet adds with the option of the same name: each row's 0-based place in its file.
_PARQUET_ROW_NUMBER = "file_row_number"

# Apache/nginx common and combined log format, one capture per named group. The user agent's
# closing quote is optional because loggers cut overlong agents without closing it.
ACCESS_LOG_PATTERN = r'^(\S+) (\S+) (\S+) \[([^\]]+)\] "([^"]*)" (\d{3}|-) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"?)?'
ACCESS_LOG_GROUPS = (
    "client",
    "ident",
    "auth_user",
    "time",
    "request",
    "status",
    "bytes",
    "referrer",
    "agent",
)


@dataclass(frozen=True)
class ExportOptions:
    """The user's choices that shape how a file is read and mapped."""

    explicit_map: dict[str, str] = field(default_factory=dict)
    configured_map: dict[str, str] = field(default_factory=dict)
    label_column: str | None = None


@dataclass(frozen=True)
class RawTable:
    """A table function call that reads one export, with its bound parameters and column types."""

    sql: str
    params: list[Any]
    columns: list[tuple[str, str]]
    mapping: Mapping
    # A 0-based row number column that the table function adds itself, such as read_parquet's
    # file_row_number. Without one, a window numbers the rows, which costs a full pass.
    row_number_column: str | None = None

    @property
    def names(self) -> list[str]:
        """The column names, in file order."""
        return [name for name, _ in self.columns]

    def type_of(self, name: str) -> str:
        """Return the DuckDB type of column `name`."""
        return dict(self.columns)[name]


class NotUtf8Error(StripdownError):
    """Error for a file read as UTF-8 that contains bytes that are not UTF-8."""


def quote_identifier(name: str) -> str:
    """Return `name` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def describe(cursor: duckdb.DuckDBPyConnection, source: SourceFile, options: ExportOptions) -> RawTable:
    """Inspect `source` with DuckDB and return how to read it and how its columns map to fields."""
    if source.format in ("csv", "tsv", "snowplow"):
        return _describe_delimited(cursor, source, options)
    if source.format == "jsonl":
        return _describe_json(cursor, source, options)
    if source.format == "parquet":
        return _describe_parquet(cursor, source, options)
    if source.format == "access-log":
        return _describe_access_log(source)
    raise StripdownError(f"unknown format {source.format!r} for {source.path}")


def _compression(source: SourceFile) -> str:
    return "gzip" if source.gzip else "none"


def _describe_delimited(
    cursor: duckdb.DuckDBPyConnection, source: SourceFile, options: ExportOptions
) -> RawTable:
    sniff_options = "encoding = ?, compression = ?, max_line_size = ?"
    params: list[Any] = [str(source.read_path), source.read_encoding, _compression(source), _MAX_LINE_SIZE]
    if source.format == "tsv":
        sniff_options += ", delim = ?"
        params.append("\t")
    try:
        row = cursor.execute(
            f"SELECT Delimiter, Quote, Escape, Comment, SkipRows, HasHeader, Columns "
            f"FROM sniff_csv(?, {sniff_options})",
            params,
        ).fetchone()
    except duckdb.Error as error:
        raise read_error(source, error) from None
    assert row is not None
    delimiter, quote, escape, comment, skip_rows, has_header, sniffed = row
    if skip_rows:
        raise StripdownError(
            f"{source.path}: the rows do not all have the same number of fields as the header "
            f"(the first {skip_rows} line(s) do not fit the rest); fix the ragged rows and import it again"
        )
    if not has_header:
        raise StripdownError(
            f"{source.path} has no header row; add a first line that names the columns, such as "
            "session_id,ts,event,url"
        )
    names = [column["name"] for column in sniffed]
    quote, escape = _quoting(delimiter, quote, escape)
    columns = [(name, "VARCHAR") for name in names]
    read_params: list[Any] = [
        str(source.read_path),
        delimiter,
        quote,
        escape,
        _none_if_empty(comment) or "",
        {name: "VARCHAR" for name in names},
        source.read_encoding,
        _compression(source),
        _MAX_LINE_SIZE,
    ]
    sql = (
        "read_csv(?, auto_detect = false, header = true, skip = 0, delim = ?, quote = ?, escape = ?, "
        "comment = ?, columns = ?, encoding = ?, compression = ?, max_line_size = ?, "
        "strict_mode = true, null_padding = false)"
    )
    preset = SNOWPLOW_PRESET if source.format == "snowplow" else None
    mapping = _map(names, options, preset, "Snowplow preset", source)
    return RawTable(sql, read_params, columns, mapping)


def _none_if_empty(value: str | None) -> str | None:
    return None if value in (None, "", "(empty)") else value


def _quoting(delimiter: str, quote: str | None, escape: str | None) -> tuple[str, str]:
    """Return the quote and escape characters, defaulting to RFC 4180 where the sample had no quotes.

    The sniffer reads only a sample, so a comma- or semicolon-separated file whose first quoted
    field comes late would otherwise be read without quoting. Tab-separated files keep no quoting.
    """
    quote = _none_if_empty(quote)
    escape = _none_if_empty(escape)
    if quote is None and delimiter != "\t":
        return '"', '"'
    return quote or "", escape or ""


def _describe_json(cursor: duckdb.DuckDBPyConnection, source: SourceFile, options: ExportOptions) -> RawTable:
    path = str(source.read_path)
    try:
        described = cursor.execute(
            "DESCRIBE SELECT * FROM read_json(?, format = 'auto', records = true, compression = ?)",
            [path, _compression(source)],
        ).fetchall()
    except duckdb.Error as error:
        raise read_error(source, error) from None
    names = [row[0] for row in described]
    mapping = _map(names, options, None, "", source)
    mapped = {column for columns in mapping.fields.values() for column in columns}
    # Mapped fields are read as text and parsed like delimited text; the rest stay JSON.
    types = {name: "VARCHAR" if name in mapped else "JSON" for name in names}
    sql = "read_json(?, format = 'auto', records = true, compression = ?, columns = ?)"
    return RawTable(sql, [path, _compression(source), types], list(types.items()), mapping)


def _describe_parquet(
    cursor: duckdb.DuckDBPyConnection, source: SourceFile, options: ExportOptions
) -> RawTable:
    path = str(source.read_path)
    try:
        described = cursor.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
    except duckdb.Error as error:
        raise read_error(source, error) from None
    columns = [(row[0], row[1]) for row in described]
    mapping = _map([name for name, _ in columns], options, None, "", source)
    if _PARQUET_ROW_NUMBER in (name for name, _ in columns):
        return RawTable("read_parquet(?)", [path], columns, mapping)
    sql = f"read_parquet(?, {_PARQUET_ROW_NUMBER} = true)"
    return RawTable(sql, [path], columns, mapping, _PARQUET_ROW_NUMBER)


def _describe_access_log(source: SourceFile) -> RawTable:
    sql = (
        "read_csv(?, auto_detect = false, header = false, delim = ?, quote = '', escape = '', "
        "columns = {'line': 'VARCHAR'}, encoding = ?, compression = ?, max_line_size = ?, "
        "strict_mode = false)"
    )
    params: list[Any] = [
        str(source.read_path),
        _LINE_DELIMITER,
        source.read_encoding,
        _compression(source),
        _MAX_LINE_SIZE,
    ]
    fields = {
        "user_id": ("auth_user", "client"),
        "ts": ("time",),
        "event": ("request",),
        "url": ("request",),
        "status": ("status",),
        "channel": ("referrer",),
        "device": ("agent",),
        "user_agent": ("agent",),
    }
    origins = dict.fromkeys(fields, "access-log format")
    mapping = Mapping(
        fields, origins, ("client", "ident", "auth_user", "method", "protocol", "bytes", "referrer")
    )
    return RawTable(sql, params, [("line", "VARCHAR")], mapping)


def _map(
    names: list[str],
    options: ExportOptions,
    preset: dict[str, tuple[str, ...]] | None,
    preset_name: str,
    source: SourceFile,
) -> Mapping:
    return map_columns(
        names,
        explicit=options.explicit_map,
        configured=options.configured_map,
        label_column=options.label_column if options.label_column in names else None,
        preset=preset,
        preset_name=preset_name,
        source=str(source.path),
    )


def read_error(source: SourceFile, error: duckdb.Error) -> StripdownError:
    """Turn a DuckDB read failure into one line naming the file, the line and what to do."""
    text = str(error)
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    line = _after(text, "CSV Error on Line: ") or _after(text, " in line ")
    where = f"{source.path} line {line}" if line else str(source.path)
    if "GZIP" in text or "gzip" in text:
        return StripdownError(
            f"{source.path}: the gzip stream is truncated or damaged; export the file again"
        )
    if "Expected Number of Columns" in text:
        expected = _after(text, "Expected Number of Columns: ")
        found = _after(text, "Found: ")
        return StripdownError(
            f"{where} has {found} fields but the header has {expected}; fix the row and import it again"
        )
    if "Malformed JSON" in text:
        return StripdownError(f"{where} is not valid JSON; fix or remove that line and import it again")
    if "expected records" in text or "non-record JSON" in text:
        return StripdownError(
            f"{source.path}: the JSON values are not objects; each line must be one object such as "
            '{"session_id": "s1", "ts": "2024-03-05T10:00:00Z"}'
        )
    if "Invalid unicode" in text:
        return NotUtf8Error(f"{where} is not valid UTF-8; save the file as UTF-8 and import it again")
    if "sniffing file" in text or "dialect" in text:
        return StripdownError(
            f"cannot read {source.path} as delimited text: the rows do not share one delimiter and "
            "field count; check the file or give --format"
        )
    if ran_out_of_memory(error):
        return StripdownError(
            f"ran out of memory reading {source.path} within DuckDB's limit of {memory_limit()}; "
            f"run the import again with a higher limit, such as {MEMORY_LIMIT_VARIABLE}=2GB"
        )
    if "No magic bytes" in text or "Parquet" in first:
        return StripdownError(f"cannot read {source.path} as Parquet ({first}); export the file again")
    return StripdownError(f"cannot read {where}: {first}")


def _after(text: str, marker: str) -> str | None:
    index = text.find(marker)
    if index < 0:
        return None
    rest = text[index + len(marker) :]
    digits = ""
    for char in rest:
        if not char.isdigit():
            break
        digits += char
    return digits or None
