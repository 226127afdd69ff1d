"""Write the hostile exports that are too large or too binary to commit.

The tests call these functions to write each file into their own temporary folder. To look at the
files by hand, run `python3 tests/data/hostile/make_corpus.py OUTDIR`, which writes all of them.
Large files are written by DuckDB's COPY so that generating them takes well under a second.
"""

from __future__ import annotations

import gzip
import random
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb

HEADER = "event_id,session_id,user_id,ts,event,url,status,message"

# DuckDB's CSV sniffer guesses the dialect and column types from a sample of 20,480 rows (its
# documented default). From a gzip file it samples only the beginning, so in the gzip variants a
# value on this row is unseen by the sniffer: the first quote character, or a status that is not a number.
LATE_ROW = 20_001


def _copy_csv(query: str, path: Path) -> Path:
    connection = duckdb.connect()
    try:
        connection.execute(f"COPY ({query}) TO '{_sql_path(path)}' (FORMAT csv, HEADER true)")
    finally:
        connection.close()
    return path


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def write_huge_field(path: Path, size: int = 1_000_000) -> Path:
    """Write three events; the second one's message is `size` characters long."""
    return _copy_csv(
        f"""
        SELECT 'big-' || i AS event_id, 'huge-1' AS session_id, 'u1' AS user_id,
               TIMESTAMPTZ '2024-03-05 10:00:00+00' + to_minutes(i) AS ts,
               'page_view' AS event, '/cart' AS url, 200 AS status,
               CASE WHEN i = 1 THEN repeat('x', {int(size)}) ELSE 'short' END AS message
        FROM range(3) AS r(i)
        """,
        path,
    )


def _copy_late_row(path: Path, late_status: str, late_message: str, compression: str) -> Path:
    plain_rows = LATE_ROW - 1
    query = f"""
        SELECT 'late-' || i AS event_id, 'late-' || (i // 50) AS session_id, 'u' || (i // 50) AS user_id,
               TIMESTAMPTZ '2024-03-05 00:00:00+00' + to_seconds(i) AS ts,
               'page_view' AS event, '/cart' AS url,
               CASE WHEN i = {plain_rows} THEN '{late_status}' ELSE '200' END AS status,
               CASE WHEN i = {plain_rows} THEN '{late_message}' ELSE 'plain' END AS message
        FROM range({LATE_ROW}) AS r(i)
    """
    connection = duckdb.connect()
    try:
        connection.execute(
            f"COPY ({query}) TO '{_sql_path(path)}' (FORMAT csv, HEADER true, COMPRESSION {compression})"
        )
    finally:
        connection.close()
    return path


def write_late_quote(path: Path, compression: str = "none") -> Path:
    """Write 20,000 events with no quote character, then one whose message needs quoting."""
    return _copy_late_row(path, "200", 'says "hello", then leaves', compression)


def write_late_text_status(path: Path, compression: str = "gzip") -> Path:
    """Write 20,000 events with a numeric status, then one whose status is the word "timeout"."""
    return _copy_late_row(path, "timeout", "plain", compression)


def write_long_session(path: Path, events: int = 100_000) -> Path:
    """Write one session of `events` events, one every 100 ms."""
    return _copy_csv(
        f"""
        SELECT 'long-' || i AS event_id, 'long-1' AS session_id, 'u1' AS user_id,
               TIMESTAMPTZ '2024-03-05 10:00:00+00' + to_milliseconds(i * 100) AS ts,
               CASE WHEN i % 10 = 0 THEN 'page_view' ELSE 'click' END AS event,
               CASE WHEN i = {int(events) - 1} THEN '/checkout' ELSE '/cart' END AS url,
               200 AS status, 'step ' || i AS message
        FROM range({int(events)}) AS r(i)
        """,
        path,
    )


def write_large_export(path: Path, sessions: int = 20_000, events_per_session: int = 20) -> Path:
    """Write a plain export of `sessions` sessions, large enough that importing it takes a while."""
    return _copy_csv(
        f"""
        SELECT 'bulk-' || i AS event_id, 'bulk-' || (i // {int(events_per_session)}) AS session_id,
               'u' || (i // {int(events_per_session)}) AS user_id,
               TIMESTAMPTZ '2024-03-01 00:00:00+00' + to_seconds(i) AS ts,
               CASE WHEN i % 3 = 0 THEN 'page_view' ELSE 'click' END AS event,
               CASE WHEN i % {int(events_per_session)} < 10 THEN '/cart' ELSE '/checkout' END AS url,
               200 AS status, md5(i::VARCHAR) AS message
        FROM range({int(sessions) * int(events_per_session)}) AS r(i)
        """,
        path,
    )


def _small_rows() -> str:
    rows = [
        "g1,gz-1,u1,2024-03-05T10:00:00Z,page_view,/cart,200,first",
        "g2,gz-1,u1,2024-03-05T10:01:00Z,page_view,/checkout,200,second",
        "g3,gz-2,u2,2024-03-05T11:00:00Z,page_view,/cart,200,third",
    ]
    return HEADER + "\n" + "\n".join(rows) + "\n"


def write_utf16(path: Path, encoding: str = "utf-16") -> Path:
    """Write a small export in UTF-16 ("utf-16" writes a byte-order mark, "utf-16-le" does not)."""
    text = _small_rows().replace("first", "Größe café")
    path.write_bytes(text.encode(encoding))
    return path


def write_binary_garbage(path: Path, size: int = 65_536, seed: int = 8) -> Path:
    """Write `size` random bytes, which no reader can take for an export."""
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def write_gzip(path: Path) -> Path:
    """Write a small, valid gzip-compressed CSV export."""
    path.write_bytes(gzip.compress(_small_rows().encode("utf-8"), mtime=0))
    return path


def write_truncated_gzip(path: Path) -> Path:
    """Write a gzip-compressed export whose stream is cut off halfway through."""
    rows = "".join(
        f"t{i},trunc-{i // 10},u{i // 10},2024-03-05T10:{i % 60:02d}:00Z,page_view,/cart,200,row {i}\n"
        for i in range(5_000)
    )
    compressed = gzip.compress((HEADER + "\n" + rows).encode("utf-8"), mtime=0)
    path.write_bytes(compressed[: len(compressed) // 2])
    return path


GENERATED: dict[str, Callable[[Path], Path]] = {
    "huge_field.csv": write_huge_field,
    "late_quote.csv": write_late_quote,
    "late_quote.csv.gz": lambda path: write_late_quote(path, "gzip"),
    "late_text_status.csv.gz": write_late_text_status,
    "long_session.csv": write_long_session,
    "utf16_with_bom.csv": write_utf16,
    "utf16le_without_bom.csv": lambda path: write_utf16(path, "utf-16-le"),
    "binary_garbage.csv": write_binary_garbage,
    "valid.csv.gz": write_gzip,
    "truncated.csv.gz": write_truncated_gzip,
}


def main(argv: list[str]) -> int:
    """Write every generated file into the folder given as the only argument."""
    if len(argv) != 1:
        print("usage: make_corpus.py OUTDIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for name, write in GENERATED.items():
        print(write(folder / name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
