"""Generate the sample checkout-funnel export, and large ones for benchmarks.

    python3 -m sample_data.generate                      # rewrite the bundled export and its truth
    python3 -m sample_data.generate --events 10000000 -o /tmp/big.parquet --format parquet

The same seed and size always give byte-identical files on one DuckDB version. Beside each export
the generator writes its true causes: `session_id,cause` for every exited session, which the
analytics label in the export only sometimes agrees with.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from queries.sql import load_sql
from sample_data import catalog
from sample_data.plans import WEEK_START_MS, Layout, lay_out, plan_table
from sample_data.scenes import step_table

log = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).resolve().parent
BUNDLED_EXPORT = BUNDLED_DIR / "checkout_events.csv.gz"
BUNDLED_TRUTH = BUNDLED_DIR / "true_causes.csv"
DEFAULT_SEED = 20250512
DEFAULT_SESSIONS = 3000

EXPORT_COLUMNS = (
    "event_id",
    "session_id",
    "user_id",
    "timestamp",
    "event_name",
    "page_url",
    "element",
    "http_status",
    "error_message",
    "load_time_ms",
    "channel",
    "utm_source",
    "device_type",
    "user_agent",
    "country",
    "exit_reason",
)


@dataclass(frozen=True)
class Generated:
    """The files and counts of one generator run."""

    export: Path
    truth: Path
    sessions: int
    exited: int
    events: int
    seconds: float


def truth_path(export: Path) -> Path:
    """Return where the true causes of `export` go: beside it, named after it."""
    name = export.name
    for suffix in (".csv.gz", ".csv", ".parquet"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return export.with_name(f"{name}.true_causes.csv")


def generate(
    export: Path,
    truth: Path,
    *,
    sessions: int | None = None,
    events: int | None = None,
    seed: int = DEFAULT_SEED,
    file_format: str = "csv",
) -> Generated:
    """Write an export of `sessions` sessions (or about `events` events) and its true causes."""
    started = time.perf_counter()
    if sessions is None and events is None:
        sessions = DEFAULT_SESSIONS
    layout = lay_out(seed, sessions=sessions, events=events)
    log.info("planned %d sessions in %.1f s", len(layout.pool), time.perf_counter() - started)
    connection = duckdb.connect()
    try:
        connection.execute("SET enable_progress_bar = false")
        connection.register("plans", plan_table(layout.pool))
        connection.register("steps", step_table())
        _set_variables(connection, seed, layout)
        connection.execute(load_sql("expand.sql", "sample_data"))
        _write_export(connection, export, file_format)
        _write_truth(connection, truth)
        exited = connection.execute(
            "SELECT count(*) FROM planned_sessions WHERE outcome = 'exited'"
        ).fetchone()
        total = connection.execute("SELECT sum(events) FROM planned_sessions").fetchone()
    finally:
        connection.close()
    return Generated(
        export=export,
        truth=truth,
        sessions=layout.sessions,
        exited=int(exited[0]) if exited else 0,
        events=int(total[0]) if total else 0,
        seconds=time.perf_counter() - started,
    )


def _set_variables(connection: duckdb.DuckDBPyConnection, seed: int, layout: Layout) -> None:
    """Bind the values the SQL files read with getvariable()."""
    values: dict[str, object] = {
        "seed": seed,
        "pool_size": len(layout.pool),
        "copies": layout.copies,
        "last_copy": layout.last_copy,
        "week_start_ms": WEEK_START_MS,
        "products": list(catalog.PRODUCTS),
        "test_user": catalog.TEST_USER,
        "utc_offset": catalog.UTC_OFFSET,
        "offset_minutes": _offset_minutes(catalog.UTC_OFFSET),
    }
    for name, value in values.items():
        # A variable name cannot be a parameter; these names are the fixed keys above.
        connection.execute(f"SET VARIABLE {name} = ?", [value])


def _write_export(connection: duckdb.DuckDBPyConnection, export: Path, file_format: str) -> None:
    export.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "parquet":
        relation = connection.sql(load_sql("export_parquet.sql", "sample_data"))
        relation.write_parquet(str(export), compression="zstd")
    else:
        relation = connection.sql(load_sql("export_csv.sql", "sample_data"))
        compression = "gzip" if export.name.endswith(".gz") else None
        relation.write_csv(str(export), header=True, compression=compression)


def _offset_minutes(offset: str) -> int:
    """Return the minutes east of UTC of an offset such as "+02:00"."""
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset[1:].split(":")
    return sign * (int(hours) * 60 + int(minutes))


def _write_truth(connection: duckdb.DuckDBPyConnection, truth: Path) -> None:
    truth.parent.mkdir(parents=True, exist_ok=True)
    connection.sql(load_sql("true_causes.sql", "sample_data")).write_csv(str(truth), header=True)


def build_parser() -> argparse.ArgumentParser:
    """Build the command line of `python3 -m sample_data.generate`."""
    parser = argparse.ArgumentParser(
        prog="python3 -m sample_data.generate",
        description=(
            "Generate a deterministic checkout-funnel export with the true exit cause of every "
            "exited session. Without -o, rewrite the bundled sample_data/checkout_events.csv.gz "
            "and sample_data/true_causes.csv."
        ),
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--sessions", type=_positive, help=f"number of sessions (default {DEFAULT_SESSIONS})")
    size.add_argument("--events", type=_positive, help="generate whole sessions until about this many events")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--format",
        choices=("csv", "parquet"),
        default="csv",
        help="export format; CSV is gzip-compressed when PATH ends in .gz (default csv)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PATH",
        help="write the export to PATH and its true causes to NAME.true_causes.csv beside it",
    )
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is too small: give at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    """Run the generator command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.output is None:
        if args.format != "csv":
            parser.error("the bundled export is CSV; give -o PATH to write Parquet")
        export, truth = BUNDLED_EXPORT, BUNDLED_TRUTH
    else:
        export, truth = args.output, truth_path(args.output)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        result = generate(
            export, truth, sessions=args.sessions, events=args.events, seed=args.seed, file_format=args.format
        )
    except (OSError, duckdb.IOException) as error:
        print(f"failed to write {export}: {error}; check that the folder is writable", file=sys.stderr)
        return 1
    print(
        f"wrote {result.events:,} events of {result.sessions:,} sessions ({result.exited:,} exited) "
        f"to {result.export} and their true causes to {result.truth} in {result.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
