"""Build the SQL that turns an export's time column into a UTC TIMESTAMPTZ.

Accepted text: ISO 8601 with or without an offset (`2024-03-05T10:00:00Z`, `2024-03-05 10:00:00`),
a plain date, the access-log form `17/May/2015:10:05:03 +0000`, and epoch numbers whose unit is decided
by the magnitude of each value. Times without an offset are read in the DuckDB session time zone, which
the importer sets to the import's time zone while it reads.
"""

from __future__ import annotations

ACCESS_LOG_FORMAT = "%d/%b/%Y:%H:%M:%S %z"

# Epoch units by magnitude: below 1e11 is seconds (up to the year 5138), below 1e14 milliseconds,
# below 1e17 microseconds, below 1e20 nanoseconds. Larger values are unreadable. So milliseconds before 1973-03-03
# read as seconds, which no export of web sessions contains.
_EPOCH = """CASE
    WHEN NOT isfinite({value}) OR abs({value}) >= 1e20 THEN NULL
    WHEN abs({value}) < 1e11 THEN to_timestamp({value})
    WHEN abs({value}) < 1e14 THEN to_timestamp({value} / 1e3)
    WHEN abs({value}) < 1e17 THEN to_timestamp({value} / 1e6)
    ELSE to_timestamp({value} / 1e9)
END"""

_NUMERIC_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "REAL",
)


def epoch_expression(number: str) -> str:
    """Return SQL turning the DOUBLE expression `number` (epoch s, ms, us or ns) into TIMESTAMPTZ."""
    return _EPOCH.format(value=number)


def timestamp_expression(column: str, column_type: str, numeric_first: bool = False) -> str:
    """Return SQL that parses the quoted column `column` of DuckDB type `column_type`.

    The result is NULL where a value cannot be read; the importer reports the first such row.
    `numeric_first` puts the epoch reading first, which is faster when most values are numbers.
    """
    kind = column_type.upper()
    if kind.startswith("TIMESTAMP WITH TIME ZONE") or kind == "TIMESTAMPTZ":
        return column
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        # Naive times: the cast reads them in the session time zone.
        return f"CAST(CAST({column} AS TIMESTAMP) AS TIMESTAMPTZ)"
    if kind.startswith("DECIMAL") or kind in _NUMERIC_TYPES:
        return epoch_expression(f"CAST({column} AS DOUBLE)")
    text = f"CAST({column} AS VARCHAR)" if kind not in ("VARCHAR", "JSON") else column
    if kind == "JSON":
        text = f"trim(CAST({column} AS VARCHAR), '\"')"
    iso = f"TRY_CAST({text} AS TIMESTAMPTZ)"
    access_log = f"try_strptime({text}, '{ACCESS_LOG_FORMAT}')"
    epoch = epoch_expression(f"TRY_CAST({text} AS DOUBLE)")
    readers = [epoch, iso, access_log] if numeric_first else [iso, access_log, epoch]
    # coalesce evaluates a later reader only for the rows the earlier ones left NULL.
    return f"coalesce({', '.join(readers)})"


def offset_expression(timestamp: str, offset_column: str) -> str:
    """Return SQL adding the milliseconds in `offset_column` to the TIMESTAMPTZ `timestamp`."""
    return f"({timestamp} + to_milliseconds(coalesce(TRY_CAST({offset_column} AS DOUBLE), 0)))"
