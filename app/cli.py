"""The `stripdown` command line: one subcommand per module in app/commands."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

import duckdb
from rapidfuzz import process

from queries.errors import StripdownError
from queries.workspace import MEMORY_LIMIT_VARIABLE, memory_limit, ran_out_of_memory

# Subcommand name to the module that registers it: each module defines `add_parser(subparsers)`,
# which adds its subcommands and sets `handler`.
COMMAND_MODULES = {
    "import": "app.commands.import_cmd",
    "sample": "app.commands.sample_cmd",
    "audit": "app.commands.audit_cmd",
    "tag": "app.commands.tag_cmd",
    "tags": "app.commands.tag_cmd",
    "report": "app.commands.report_cmd",
    "export": "app.commands.export_cmd",
    "config": "app.commands.config_cmd",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the parser with every subcommand registered, or only the module of `command`."""
    return build_parsers(command)[0]


def build_parsers(
    command: str | None = None,
) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """Build the parser and return it with its subcommand parsers by name.

    Every subcommand is registered, or only the module of `command` when it names one.

    Importing every command module takes a noticeable part of start-up, so a command line that
    names a known subcommand first gets a parser with just that module.
    """
    parser = argparse.ArgumentParser(
        prog="stripdown",
        description=(
            "Funnel strip-down: read the sessions that exited a funnel, tag the real exit reason, "
            "and compare it with the analytics label. With no command, opens the bundled sample."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = [COMMAND_MODULES[command]] if command in COMMAND_MODULES else COMMAND_MODULES.values()
    for module in dict.fromkeys(modules):
        importlib.import_module(module).add_parser(subparsers)
    return parser, subparsers.choices


def parse_arguments(arguments: list[str]) -> argparse.Namespace:
    """Parse the command line; a mistake exits with status 2 and the usage of the command it is in.

    argparse reports an unknown option of a subcommand with the top-level usage, so unknown options
    are collected first and reported by the subcommand's own parser. A misspelt command gets the
    closest command name as a suggestion.
    """
    command = arguments[0] if arguments else None
    parser, subcommands = build_parsers(command)
    if command is not None and not command.startswith("-") and command not in COMMAND_MODULES:
        match = process.extractOne(command, list(COMMAND_MODULES), score_cutoff=60)
        if match is not None:
            parser.error(f"unknown command {command!r}; did you mean {match[0]}?")
    args, unknown = parser.parse_known_args(arguments)
    if unknown:
        subcommand = subcommands.get(command or "", parser)
        subcommand.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parse_arguments(list(sys.argv[1:] if argv is None else argv))
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
