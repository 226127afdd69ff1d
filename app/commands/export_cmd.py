"""The `stripdown export` subcommand: write the tagged exit reasons of the active sample."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.commands.options import add_workspace_option, check_not_a_workspace
from queries.export import FORMATS, export_sample, format_for
from queries.workspace import opened


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "export",
        help="write the tagged exit reasons of the active sample (CSV, Parquet or JSON Lines)",
        description=(
            "Write one row per session of the active sample, in sample order: position, session_id, "
            "exit_stage, analytics_label, label_reason, status, reason_id, reason_title, note, "
            "auditor, tagged_at, suggested_reason, channel, device, started_at, ended_at. An existing "
            "FILE is replaced, but only once the new one is complete. In CSV, a text cell starting "
            "with = + - @, a tab or a carriage return gets a leading single quote so a spreadsheet "
            "shows it instead of running it."
        ),
    )
    add_workspace_option(parser)
    parser.add_argument("-o", "--output", required=True, type=Path, metavar="FILE", help="the file to write")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="file format (default: from the FILE suffix: .parquet, .jsonl or .ndjson, otherwise csv)",
    )
    parser.add_argument(
        "--auditor",
        metavar="NAME",
        help="export only this auditor's tags (default: each session's newest tag by any auditor)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the export and print what it holds."""
    export_format = format_for(args.output, args.format)
    check_not_a_workspace(args.output, args.workspace, "the export")
    with opened(args.workspace, read_only=True) as workspace:
        summary = export_sample(
            workspace.cursor(), workspace.config, args.output, export_format, args.auditor
        )
    untagged = summary.sessions - summary.tagged - summary.skipped - summary.flagged
    print(
        f"wrote {summary.sessions:,} {'session' if summary.sessions == 1 else 'sessions'} of sample {summary.sample_id} to {summary.path} "
        f"({summary.format}): {summary.tagged:,} tagged, {summary.skipped:,} skipped, "
        f"{summary.flagged:,} flagged, {untagged:,} untagged"
    )
    return 0
