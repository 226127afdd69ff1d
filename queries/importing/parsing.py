"""Build the query that parses one export file into event fields, and explain a file that fails.

The query reads the file through DuckDB and yields one row per data row with the canonical fields.
It adds the raw row's hash for rows without an event id, the visitor for rows without a session id,
and the raw time text of a row whose time cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import duckdb

from queries.errors import StripdownError
from queries.importing.mapping import TS_OFFSET, Mapping, normalise
from queries.importing.readers import (
    ACCESS_LOG_GROUPS,
    ACCESS_LOG_PATTERN,
    ExportOptions,
    NotUtf8Error,
    RawTable,
    describe,
    quote_identifier,
)
from queries.importing.sources import SourceFile
from queries.importing.timestamps import offset_expression, timestamp_expression
from queries.sql import load_sql

_SQL_PACKAGE = "queries.importing"
_ROW_NUMBER = quote_identifier("stripdown row number")

# Values of a session or event id column that mean "no id".
_MISSING_ID = "CASE WHEN {value} IS NULL OR trim({value}) = '' OR {value} = '-1' OR lower({value}) = 'null' THEN NULL ELSE {value} END"

# Snowplow columns that hold JSON documents (contexts and self-describing events); kept parsed.
_JSON_COLUMN_PREFIXES = ("contexts_", "unstruct_event_", "derived_contexts")

_TIME_HINT = (
    "use ISO 8601 such as 2024-03-05T10:00:00Z, epoch seconds, milliseconds or microseconds, "
    "or name another column with --map ts=COLUMN"
)


@dataclass(frozen=True)
class ParsedFile:
    """One export file as the import reads it: its source, reader and mapping."""

    source: SourceFile
    raw: RawTable

    @property
    def mapping(self) -> Mapping:
        """The column mapping used for this file."""
        return self.raw.mapping


def parse_file(cursor: duckdb.DuckDBPyConnection, source: SourceFile, options: ExportOptions) -> ParsedFile:
    """Inspect `source` with DuckDB and check that its columns give a time and a way to tell sessions."""
    try:
        raw = describe(cursor, source, options)
    except NotUtf8Error:
        if source.encoding != "utf-8":
            raise
        # The sniffer met bytes that are not UTF-8; Latin-1 decodes any byte.
        source = replace(source, encoding="latin-1")
        raw = describe(cursor, source, options)
    _require_time_column(source, raw)
    _require_session_source(source, raw)
    return ParsedFile(source, raw)


def fields_query(parsed: ParsedFile) -> tuple[str, list[Any]]:
    """Return the SELECT that yields the parsed fields of every data row, and its parameters."""
    raw = parsed.raw
    if parsed.source.format == "access-log":
        sql = load_sql("access_log_fields.sql", _SQL_PACKAGE).replace("{source}", raw.sql)
        return sql, [*raw.params, ACCESS_LOG_PATTERN, list(ACCESS_LOG_GROUPS)]
    fields, field_params = field_expressions(raw, parsed.source.format == "snowplow")
    if raw.row_number_column is None:
        numbered = f"(SELECT row_number() OVER () AS {_ROW_NUMBER}, * FROM {raw.sql})"
    else:
        own_number = quote_identifier(raw.row_number_column)
        numbered = f"(SELECT {own_number} + 1 AS {_ROW_NUMBER}, * EXCLUDE ({own_number}) FROM {raw.sql})"
    sql = load_sql("file_fields.sql", _SQL_PACKAGE).replace("{fields}", fields)
    sql = sql.replace("{numbered_source}", numbered)
    return sql, [*field_params, *raw.params]


def _require_session_source(source: SourceFile, raw: RawTable) -> None:
    if raw.mapping.column("session_id") is not None or raw.mapping.column("user_id") is not None:
        return
    listed = ", ".join(quote_identifier(name) for name in raw.names[:40])
    raise StripdownError(
        f"{source.path} has neither a session id nor a user id column (its columns: {listed}), so its "
        "sessions cannot be told apart; name one with --map session_id=COLUMN or --map user_id=COLUMN"
    )


def _require_time_column(source: SourceFile, raw: RawTable) -> None:
    if raw.mapping.column("ts") is not None:
        return
    listed = ", ".join(quote_identifier(name) for name in raw.names[:40])
    raise StripdownError(
        f"{source.path} has no timestamp column (none of its columns {listed} is named like "
        "timestamp, time, ts or event_time); name it with --map ts=COLUMN"
    )


def field_expressions(raw: RawTable, snowplow: bool = False) -> tuple[str, list[Any]]:
    """Return the SELECT list that turns raw columns into `import_rows` fields, and its parameters."""
    mapping = raw.mapping
    params: list[Any] = []

    def text(name: str) -> str:
        columns = mapping.fields.get(name, ())
        if not columns:
            return "NULL::VARCHAR"
        values = [
            _device_value(column, raw) if name == "device" else _text_value(column, raw) for column in columns
        ]
        return values[0] if len(values) == 1 else f"coalesce({', '.join(values)})"

    event_id = _MISSING_ID.format(value=text("event_id"))
    all_columns = ", ".join(quote_identifier(name) for name in raw.names)
    ts_column = mapping.fields["ts"][0]
    ts = timestamp_expression(quote_identifier(ts_column), raw.type_of(ts_column))
    offset = mapping.column(TS_OFFSET)
    if offset is not None:
        ts = offset_expression(ts, quote_identifier(offset))
    properties_sql, properties_params = _properties(raw, snowplow)
    visitor = text("user_id")
    expressions = [
        f"{_ROW_NUMBER} AS row_number",
        f"{event_id} AS event_id",
        f"CASE WHEN {event_id} IS NULL THEN hash({all_columns}) END AS row_hash",
        f"{_MISSING_ID.format(value=text('session_id'))} AS session_id",
        f"{visitor} AS visitor",
        f"{text('user_id')} AS user_id",
        f"{ts} AS ts",
        f"CAST({quote_identifier(ts_column)} AS VARCHAR) AS ts_text",
        f"{text('event')} AS event",
        f"{text('url')} AS url",
        f"{text('target')} AS target",
        f"TRY_CAST({text('status')} AS INTEGER) AS status",
        f"{text('message')} AS message",
        f"{text('channel')} AS channel",
        f"{text('device')} AS device",
        f"{text('label')} AS label",
        f"{text('user_agent')} AS user_agent",
        f"TRY_CAST({text('duration_ms')} AS DOUBLE) AS duration_ms",
        f"{properties_sql} AS properties",
    ]
    params.extend(properties_params)
    return ",\n        ".join(expressions), params


def _text_value(column: str, raw: RawTable) -> str:
    quoted = quote_identifier(column)
    if raw.type_of(column) == "VARCHAR":
        return f"nullif({quoted}, '')"
    if raw.type_of(column) == "JSON":
        return f"nullif(CAST({quoted} AS VARCHAR), '')"
    return f"CAST({quoted} AS VARCHAR)"


def _device_value(column: str, raw: RawTable) -> str:
    """Return the device text; a yes/no "is mobile" flag becomes mobile or desktop."""
    if not normalise(column).replace("_", "").endswith("ismobile"):
        return _text_value(column, raw)
    flag = f"lower(CAST({quote_identifier(column)} AS VARCHAR))"
    return f"CASE WHEN {flag} IN ('true', '1', 't', 'yes') THEN 'mobile' WHEN {flag} IN ('false', '0', 'f', 'no') THEN 'desktop' END"


def _properties(raw: RawTable, snowplow: bool) -> tuple[str, list[Any]]:
    """Return SQL for a JSON object of the unmapped columns that have a value, and its parameters."""
    if not raw.mapping.unmapped:
        return "NULL::JSON", []
    entries = []
    params: list[Any] = []
    for column in raw.mapping.unmapped:
        entries.append(f"struct_pack(k := ?::VARCHAR, v := {_json_value(column, raw, snowplow)})")
        params.append(column)
    listed = ", ".join(entries)
    sql = (
        f"nullif(to_json(map_from_entries(list_filter([{listed}], lambda e: e.v IS NOT NULL))), '{{}}')::JSON"
    )
    return sql, params


def _json_value(column: str, raw: RawTable, snowplow: bool) -> str:
    quoted = quote_identifier(column)
    column_type = raw.type_of(column)
    if column_type == "JSON":
        return f"CAST({quoted} AS JSON)"
    if column_type == "VARCHAR":
        if snowplow and column.startswith(_JSON_COLUMN_PREFIXES):
            return f"CASE WHEN json_valid({quoted}) THEN CAST({quoted} AS JSON) ELSE to_json(nullif({quoted}, '')) END"
        return f"to_json(nullif({quoted}, ''))"
    return f"to_json({quoted})"


def time_error(cursor: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> StripdownError:
    """Find the first row of `parsed` whose time cannot be read and return the error naming it."""
    sql, params = fields_query(parsed)
    row = cursor.execute(
        f"SELECT row_number, bad_ts FROM ({sql}) WHERE ts IS NULL ORDER BY row_number LIMIT 1", params
    ).fetchone()
    if row is None:
        return StripdownError(f"{parsed.source.path}: a row has no readable time; {_TIME_HINT}")
    return _time_error(parsed.source, parsed.raw, int(row[0]), row[1])


def _time_error(source: SourceFile, raw: RawTable, row: int, value: str | None) -> StripdownError:
    if source.format == "access-log":
        shown = (value or "")[:200]
        return StripdownError(
            f"{source.path} line {row} is not a common or combined access-log line: {shown!r}; "
            "remove the line or give --format for another format"
        )
    column = quote_identifier(raw.mapping.fields["ts"][0])
    if not value:
        return StripdownError(
            f"{source.path} row {row} has no time in column {column}; fill it in or remove the row"
        )
    return StripdownError(
        f"{source.path} row {row}: the time {value[:200]!r} in column {column} is not readable; {_TIME_HINT}"
    )
