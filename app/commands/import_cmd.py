"""The `stripdown import` subcommand: load export files into a workspace and print a summary."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from app.commands.options import add_workspace_option
from queries.config import load_config, parse_duration
from queries.errors import UsageError
from queries.importing import FORMATS, MAPPABLE_FIELDS, ImportOptions, import_exports, inspect_exports
from queries.workspace import opened

# A step shows a progress bar only once it has run this long, in seconds.
_BAR_DELAY = 1.0


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "import",
        help="load export files into a workspace (created if missing)",
        description=(
            "Load export files (CSV, TSV, JSON lines, Parquet, Snowplow enriched events, Apache/nginx "
            "access logs; each optionally gzip-compressed) into a workspace, then derive the sessions. "
            "Re-importing a file adds nothing."
        ),
    )
    parser.add_argument("exports", nargs="+", metavar="EXPORT", help="export files or quoted glob patterns")
    add_workspace_option(parser)
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="read every file in this format (default: detect per file)",
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help=f"read FIELD from export column COLUMN; FIELD= maps nothing. Fields: {', '.join(MAPPABLE_FIELDS)}",
    )
    parser.add_argument(
        "--session-gap",
        metavar="DURATION",
        help='inactivity that ends a session without an id, such as "30m" or "90s" (default: config, 30m)',
    )
    parser.add_argument(
        "--tz",
        metavar="ZONE",
        help="IANA time zone of times without an offset, such as Europe/Berlin (default: UTC)",
    )
    parser.add_argument(
        "--config", type=Path, metavar="TOML", help="stripdown.toml to store in the workspace"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Import the files named on the command line and print the summary."""
    options = ImportOptions(
        format=args.format,
        mapping=parse_map(args.map),
        session_gap=parse_duration(args.session_gap, "--session-gap") if args.session_gap else None,
        timezone=args.tz,
        config=load_config(args.config) if args.config else None,
    )
    # Fail on a missing or unreadable file before a new workspace file is created.
    inspect_exports(args.exports, args.format)
    with opened(args.workspace, create=True) as workspace, TerminalProgress() as progress:
        summary = import_exports(workspace, args.exports, options, progress if progress.enabled else None)
    print_lines([f"imported into {args.workspace}", *summary.lines()])
    return 0


def print_lines(lines: list[str]) -> None:
    """Print lines to stdout; a reader that stops early (such as `| head`) is not an error."""
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        # The import is committed; send the rest to /dev/null so Python's exit flush cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def parse_map(items: list[str]) -> dict[str, str]:
    """Return {field: column} from `--map FIELD=COLUMN` arguments."""
    mapping: dict[str, str] = {}
    for item in items:
        name, separator, column = item.partition("=")
        name = name.strip()
        if not separator:
            raise UsageError(f'--map {item!r} is invalid: write FIELD=COLUMN, such as --map ts="Event Time"')
        if name not in MAPPABLE_FIELDS:
            raise UsageError(
                f"--map {item!r}: unknown field {name!r}; the fields are {', '.join(MAPPABLE_FIELDS)}"
            )
        if name in mapping:
            raise UsageError(f"--map gives field {name!r} twice; keep one")
        mapping[name] = column
    return mapping


class TerminalProgress:
    """A rich progress bar on stderr for steps that run longer than a second; off when not a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: TaskID | None = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.end()
        self._progress.stop()

    def begin(self, description: str) -> None:
        """Start a step; its bar appears if the step is still running after a second."""
        with self._lock:
            self._task = self._progress.add_task(description, total=100, visible=False)
            self._timer = threading.Timer(_BAR_DELAY, self._show, [self._task])
            self._timer.daemon = True
            self._timer.start()

    def update(self, percent: float) -> None:
        """Move the current step's bar."""
        with self._lock:
            if self._task is not None:
                self._progress.update(self._task, completed=percent)

    def end(self) -> None:
        """Finish the current step and remove its bar."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._task is not None:
                self._progress.remove_task(self._task)
                self._task = None

    def _show(self, task: TaskID) -> None:
        with self._lock:
            if self._task == task:
                self._progress.start()
                self._progress.update(task, visible=True)
