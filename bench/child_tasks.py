"""The baselines that bench/run.py times in a child process, so each is measured like the product.

    python3 bench/child_tasks.py duckdb-import EXPORT DATABASE
    python3 bench/child_tasks.py duckdb-group-by DATABASE
    python3 bench/child_tasks.py bare-app
    python3 bench/child_tasks.py pandas-open EXPORT
    python3 bench/child_tasks.py visidata-open EXPORT

Each task prints one line with the rows it saw, so the caller can check it did the work.
"""

from __future__ import annotations

import argparse
import sys

# The text the bare app shows and the key counter it updates; bench/run.py waits for both.
BARE_APP_READY = "bare app ready"
BARE_APP_KEY = "bare key"


def duckdb_import(export: str, database: str) -> None:
    """Copy every row of a CSV or Parquet file into a table of a new DuckDB file."""
    import duckdb

    reader = "read_parquet" if export.endswith(".parquet") else "read_csv"
    connection = duckdb.connect(database)
    connection.execute("SET enable_progress_bar = false")
    # The reader name comes from the fixed pair above; the file name is bound.
    connection.execute(f"CREATE TABLE events AS SELECT * FROM {reader}(?)", [export])
    row = connection.execute("SELECT count(*) FROM events").fetchone()
    connection.close()
    print(f"rows: {row[0] if row else 0}")


def duckdb_group_by(database: str) -> None:
    """Count the events of every session of a workspace in one group-by."""
    import duckdb

    connection = duckdb.connect(database, read_only=True)
    row = connection.execute(
        "SELECT count(*), sum(events) FROM "
        "(SELECT session_id, count(*) AS events, max(ts) AS ended FROM events GROUP BY session_id)"
    ).fetchone()
    connection.close()
    print(f"sessions: {row[0] if row else 0}, events: {row[1] if row else 0}")


def bare_app() -> None:
    """Run a Textual app with one label that counts the keys pressed; q quits."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class BareApp(App[None]):
        BINDINGS = [("q", "quit", "quit")]  # noqa: RUF012

        def __init__(self) -> None:
            super().__init__()
            self.presses = 0

        def compose(self) -> ComposeResult:
            yield Static(BARE_APP_READY, id="label")

        def on_key(self, event: object) -> None:
            self.presses += 1
            self.query_one("#label", Static).update(f"{BARE_APP_KEY} {self.presses}")

    BareApp().run()


def pandas_open(export: str) -> None:
    """Read an export with pandas and compute each session's event count, start and end."""
    import pandas

    frame = pandas.read_parquet(export) if export.endswith(".parquet") else pandas.read_csv(export)
    frame["timestamp"] = pandas.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    sessions = frame.groupby("session_id").agg(
        events=("event_id", "size"), started=("timestamp", "min"), ended=("timestamp", "max")
    )
    print(f"rows: {len(frame)}, sessions: {len(sessions)}")


def visidata_open(export: str) -> None:
    """Load an export into a VisiData sheet the way `vd EXPORT` does, without drawing it."""
    from visidata import vd

    sheet = vd.openSource(export)
    sheet.ensureLoaded()
    vd.sync()
    print(f"rows: {sheet.nRows}")


def main(argv: list[str] | None = None) -> int:
    """Run one task named on the command line."""
    parser = argparse.ArgumentParser(description="Run one baseline task of the stripdown benchmark.")
    tasks = parser.add_subparsers(dest="task", required=True)
    task = tasks.add_parser("duckdb-import")
    task.add_argument("export")
    task.add_argument("database")
    tasks.add_parser("duckdb-group-by").add_argument("database")
    tasks.add_parser("bare-app")
    tasks.add_parser("pandas-open").add_argument("export")
    tasks.add_parser("visidata-open").add_argument("export")
    args = parser.parse_args(argv)

    if args.task == "duckdb-import":
        duckdb_import(args.export, args.database)
    elif args.task == "duckdb-group-by":
        duckdb_group_by(args.database)
    elif args.task == "bare-app":
        bare_app()
    elif args.task == "pandas-open":
        pandas_open(args.export)
    else:
        visidata_open(args.export)
    return 0


if __name__ == "__main__":
    sys.exit(main())
