"""Options and argument types shared by several subcommands."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path


def add_workspace_option(parser: argparse.ArgumentParser) -> None:
    """Add the required `-w/--workspace` option."""
    parser.add_argument(
        "-w",
        "--workspace",
        required=True,
        type=Path,
        metavar="WS",
        help="workspace file (a DuckDB file, for example review.duckdb)",
    )


def add_auditor_option(parser: argparse.ArgumentParser) -> None:
    """Add `--auditor`, defaulting to the operating-system user name."""
    parser.add_argument(
        "--auditor",
        default=default_auditor(),
        metavar="NAME",
        help="name recorded with each tag (default: your user name, %(default)s)",
    )


def default_auditor() -> str:
    """Return the OS user name, or "auditor" where the OS has none for this process."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "auditor"
