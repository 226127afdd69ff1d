"""The `stripdown` command line: one subcommand per module in app/commands."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

import duckdb

from queries.errors import StripdownError
from queries.workspace import MEMORY_LIMIT_VARIABLE, memory_limit, ran_out_of_memory

# Each module defines `add_parser(subparsers)`, which registers its subcommand and sets `handler`.
COMMAND_MODULES = (
    "app.commands.import_cmd",
    "app.commands.sample_cmd",
    "app.commands.audit_cmd",
    "app.commands.tag_cmd",
    "app.commands.report_cmd",
    "app.commands.export_cmd",
    "app.commands.config_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="stripdown",
        description=(
            "Funnel strip-down: read the sessions that exited a funnel, tag the real exit reason, "
            "and compare it with the analytics label. With no command, opens the bundled sample."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            from app.first_run import open_bundled_sample

            return open_bundled_sample()
        status: int = args.handler(args)
        return status
    except StripdownError as error:
        print(f"stripdown: {error.message}", file=sys.stderr)
        return error.exit_code
    except duckdb.IOException as error:
        print(f"stripdown: {io_error_message(args, error)}", file=sys.stderr)
        return 1
    except duckdb.Error as error:
        if not ran_out_of_memory(error):
            raise
        print(f"stripdown: {out_of_memory_message()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stripdown: interrupted; nothing from the unfinished step was saved", file=sys.stderr)
        return 130


def io_error_message(args: argparse.Namespace, error: duckdb.IOException) -> str:
    """Describe a read or write failure that no command turned into a StripdownError."""
    detail = str(error).strip().splitlines()[0] if str(error).strip() else "unknown error"
    workspace = getattr(args, "workspace", None)
    subject = f"workspace {workspace}" if workspace is not None else "a file"
    return (
        f"reading or writing {subject} failed ({detail}); if the disk is full, free space and retry; "
        "if the file is damaged, restore it from a copy"
    )


def out_of_memory_message() -> str:
    """Say which memory limit was reached and how to raise it."""
    return (
        f"DuckDB ran out of memory within its limit of {memory_limit()}; nothing from the unfinished step "
        f"was saved; run again with a higher limit, such as {MEMORY_LIMIT_VARIABLE}=2GB"
    )


if __name__ == "__main__":
    sys.exit(main())
