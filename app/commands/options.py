"""Options and argument types shared by several subcommands."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from queries.errors import StripdownError

# Every DuckDB database file has these bytes at offset 8, after a checksum.
DUCKDB_MAGIC = b"DUCK"


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


def check_not_a_workspace(output: Path, workspace: Path, subject: str) -> None:
    """Reject an output path that is the workspace, its write-ahead log, or any other DuckDB file.

    Writing `subject` (such as "the report") over one of them would lose every tag it holds.
    """
    resolved = workspace.resolve()
    if output.resolve() in (resolved, resolved.with_name(resolved.name + ".wal")):
        raise StripdownError(
            f"cannot write {subject} to {output}: that is the workspace file; give another file name with -o"
        )
    try:
        with output.open("rb") as existing:
            header = existing.read(12)
    except OSError:
        return
    if header[8:12] == DUCKDB_MAGIC:
        raise StripdownError(
            f"cannot write {subject} to {output}: it is a DuckDB file, perhaps another workspace; "
            "give another file name with -o"
        )
