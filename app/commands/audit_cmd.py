"""The `stripdown audit` subcommand: open the triage screen on a workspace."""

from __future__ import annotations

import argparse
from typing import Any

from app.commands.options import add_auditor_option, add_workspace_option
from queries.errors import StripdownError, UsageError
from queries.sample import active_sample_id
from queries.signals import refresh_signals
from queries.workspace import REVIEW_MEMORY_LIMIT, Workspace, opened


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "audit",
        help="open the triage screen on a workspace",
        description=(
            "Step through the audit sample of a workspace and tag the real exit reason of each "
            "session. Every key press is saved at once; press ? inside for every key."
        ),
    )
    add_workspace_option(parser)
    add_auditor_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Open the workspace and run the app until the user quits."""
    if not args.auditor.strip():
        raise UsageError("--auditor is empty; give the name to record with each tag, such as --auditor alice")
    with opened(args.workspace, create=False) as workspace:
        if active_sample_id(workspace.cursor()) is None:
            raise StripdownError(
                f"workspace {args.workspace} has no audit sample yet; draw one with: "
                f"stripdown sample -w {args.workspace}"
            )
        open_app(workspace, args.auditor)
    return 0


def open_app(workspace: Workspace, auditor: str) -> None:
    """Bring the active sample's signals up to date, read the first screen's data, then run the app.

    Reading the queue and the first session before the app starts saves two round trips through
    worker threads before the first useful frame.
    """
    from app.app import StripdownApp
    from app.screens.triage import read_starting_state

    workspace.set_memory_limit(REVIEW_MEMORY_LIMIT)
    cursor = workspace.cursor()
    sample_id = active_sample_id(cursor)
    if sample_id is not None:
        with workspace.transaction() as transaction:
            refresh_signals(transaction, sample_id, workspace.config)
    starting_state = read_starting_state(workspace, auditor, workspace.config)
    StripdownApp(workspace, auditor, starting_state=starting_state).run()
