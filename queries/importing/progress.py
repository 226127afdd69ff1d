"""Report the progress of an import's long steps to whoever shows it (a terminal bar, the app)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

import duckdb

# How often a running DuckDB statement is asked how far it got, in seconds.
_POLL_INTERVAL = 0.2


class ImportProgress(Protocol):
    """Receives the steps of an import; calls may come from a helper thread."""

    def begin(self, description: str) -> None:
        """Start a step, such as "Reading events.csv"."""

    def update(self, percent: float) -> None:
        """Report how far the current step got, 0 to 100."""

    def end(self) -> None:
        """Finish the current step."""


def enable_query_progress(cursor: duckdb.DuckDBPyConnection) -> None:
    """Let `cursor.query_progress()` report progress without DuckDB printing its own bar."""
    cursor.execute("SET enable_progress_bar = true")
    cursor.execute("SET enable_progress_bar_print = false")


def run_step(
    cursor: duckdb.DuckDBPyConnection,
    sql: str,
    params: Sequence[Any],
    progress: ImportProgress | None,
    description: str,
) -> None:
    """Execute one statement as a step, polling DuckDB's progress from a helper thread."""
    if progress is None:
        cursor.execute(sql, list(params))
        return
    progress.begin(description)
    finished = threading.Event()

    def poll() -> None:
        while not finished.wait(_POLL_INTERVAL):
            percent = cursor.query_progress()
            if percent >= 0:
                progress.update(percent)

    poller = threading.Thread(target=poll, name="import-progress", daemon=True)
    poller.start()
    try:
        cursor.execute(sql, list(params))
    finally:
        finished.set()
        poller.join()
        progress.end()
