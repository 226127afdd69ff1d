"""The `stripdown tag` and `stripdown tags import` subcommands: tag sessions without the screen."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.commands.options import add_auditor_option, add_workspace_option
from queries.errors import UsageError
from queries.tag_import import TagResult, import_tags, record_tag
from queries.workspace import opened

_ACTION_FLAGS = ("skip", "flag", "clear")


def add_parser(subparsers: Any) -> None:
    """Register `tag` and `tags`."""
    _add_tag_parser(subparsers)
    _add_tags_parser(subparsers)


def _add_tag_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "tag",
        help="tag one session with an exit reason (or skip, flag or clear it)",
        description=(
            "Append one row to the tag log of the workspace: SESSION tagged with REASON, a reason "
            "id or its hotkey. Use --skip, --flag or --clear in place of REASON to skip the "
            "session, flag it for a second look, or clear its tag."
        ),
    )
    add_workspace_option(parser)
    parser.add_argument("session", metavar="SESSION", help="the session id")
    parser.add_argument(
        "reason", nargs="?", metavar="REASON", help="a reason id such as broken_code, or its hotkey such as 1"
    )
    actions = parser.add_mutually_exclusive_group()
    actions.add_argument("--skip", action="store_true", help="skip the session (no reason)")
    actions.add_argument("--flag", action="store_true", help="flag the session for a second look")
    actions.add_argument("--clear", action="store_true", help="clear the session's tag")
    parser.add_argument("--note", metavar="TEXT", help="a note stored with the tag")
    add_auditor_option(parser)
    parser.set_defaults(handler=run_tag)


def _add_tags_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "tags", help="work with many tags at once (see: stripdown tags import --help)"
    )
    tags_commands = parser.add_subparsers(dest="tags_command", metavar="COMMAND", required=True)
    importer: argparse.ArgumentParser = tags_commands.add_parser(
        "import",
        help="append the tags of a CSV or Parquet file to the tag log",
        description=(
            "Read a CSV or Parquet file with the columns session_id and reason (a reason id or "
            "hotkey; reason_id as written by stripdown export also works), and optionally note and "
            "auditor. Rows without a reason are left out. If any row names an unknown session or "
            "reason, nothing is imported and the first offending rows are listed, counted from 1 "
            "below the header."
        ),
    )
    importer.add_argument("file", type=Path, metavar="FILE", help="the tags file (.csv or .parquet)")
    add_workspace_option(importer)
    add_auditor_option(importer)
    importer.set_defaults(handler=run_tags_import)


def run_tag(args: argparse.Namespace) -> int:
    """Append one tag-log row and print what it did."""
    action = next((name for name in _ACTION_FLAGS if getattr(args, name)), "tag")
    if action == "tag" and args.reason is None:
        raise UsageError("give a REASON (an id or hotkey), or one of --skip, --flag, --clear")
    if action != "tag" and args.reason is not None:
        raise UsageError(f"--{action} takes no REASON; drop {args.reason!r} or drop --{action}")
    if action == "clear" and args.note is not None:
        raise UsageError("--clear removes the tag and its note; drop --note")
    with opened(args.workspace) as workspace:
        result = record_tag(
            workspace.cursor(), workspace.config, args.session, args.auditor, action, args.reason, args.note
        )
    print(_describe(result, args.auditor))
    if not result.exited:
        print(f"note: session {result.session_id!r} did not exit the funnel")
    elif not result.in_active_sample:
        print(f"note: session {result.session_id!r} is not in the active sample")
    return 0


def run_tags_import(args: argparse.Namespace) -> int:
    """Append every row of a tags file and print a summary."""
    with opened(args.workspace) as workspace:
        summary = import_tags(workspace, args.file, args.auditor)
    auditors = ", ".join(summary.auditors)
    print(f"imported {summary.appended:,} tags from {args.file} (auditor: {auditors})")
    if summary.without_reason:
        rows = "row" if summary.without_reason == 1 else "rows"
        print(f"left out {summary.without_reason:,} {rows} without a reason")
    if summary.ignored_columns:
        print(f"columns not read: {', '.join(summary.ignored_columns)}")
    return 0


def _describe(result: TagResult, auditor: str) -> str:
    session = repr(result.session_id)
    if result.reason is not None:
        return f"tagged session {session} as {result.reason.id} ({result.reason.title}) for {auditor}"
    past = {"skip": "skipped", "flag": "flagged", "clear": "cleared the tag of"}[result.action]
    return f"{past} session {session} for {auditor}"
