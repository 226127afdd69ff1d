"""The `stripdown report` subcommand: write the strip-down report as Markdown, HTML or JSON."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from app.commands.options import add_workspace_option, check_not_a_workspace
from queries.errors import StripdownError
from queries.report import auditors, build_report
from queries.report_render import FORMATS, render
from queries.workspace import opened

_SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report",
        help="write the strip-down report: tagged reasons against the analytics labels",
        description=(
            "Write the strip-down report of the active audit sample: the headline, the gap list "
            "with 95% Wilson intervals, the label-by-reason crosstab, agreement and Cohen's kappa, "
            "cohorts, ghosts per funnel stage, exit paths and example sessions. docs/report.md "
            "defines every figure."
        ),
    )
    add_workspace_option(parser)
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="md (Markdown for pasting), html (one self-contained file) or json (every figure, "
        "unrounded); default: taken from the -o file name's suffix, else md",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="file to write; an existing file is replaced (default: standard output)",
    )
    parser.add_argument(
        "--auditor",
        metavar="NAME",
        help="count only this auditor's tags (default: every auditor, each session's newest tag)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Compute the report and write it to the output file or to standard output."""
    output_format = args.format or _format_from_suffix(args.output)
    if args.output is not None:
        _check_output_folder(args.output)
        check_not_a_workspace(args.output, args.workspace, "the report")
    with opened(args.workspace, read_only=True) as workspace:
        cursor = workspace.cursor()
        if args.auditor is not None:
            _check_auditor(cursor, args.auditor)
        report = build_report(cursor, workspace.config, args.auditor)
    text = render(report, output_format)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    _write_atomically(args.output, text)
    print(
        f"wrote {args.output} ({output_format}): {report.tagged} of {report.sample.size} "
        "sessions of the audit sample tagged"
    )
    return 0


def _format_from_suffix(output: Path | None) -> str:
    if output is None:
        return "md"
    return _SUFFIX_FORMATS.get(output.suffix.lower(), "md")


def _check_output_folder(output: Path) -> None:
    folder = output.parent if str(output.parent) else Path(".")
    if output.is_dir():
        raise StripdownError(f"cannot write the report to {output}: it is a folder; give a file name with -o")
    if not folder.is_dir():
        raise StripdownError(
            f"cannot write the report to {output}: folder {folder} does not exist; create it first"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StripdownError(
            f"cannot write the report to {output}: folder {folder} is not writable; choose another -o"
        )


def _check_auditor(cursor: Any, auditor: str) -> None:
    # A mistyped name would otherwise give a report that silently shows no tags at all.
    known = auditors(cursor)
    if known and auditor not in known:
        raise StripdownError(
            f"auditor {auditor!r} has no rows in the tag log; the auditors are {', '.join(known)} "
            "(or drop --auditor to count every auditor)"
        )


def _write_atomically(output: Path, text: str) -> None:
    """Write through a temporary file in the same folder, so a failed write leaves the old file."""
    folder = output.parent if str(output.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        # mkstemp makes the file private; give it the mode a plain open() would have.
        os.chmod(temporary, _new_file_mode(output))
        os.replace(temporary, output)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise StripdownError(f"cannot write the report to {output}: {error.strerror or error}") from None


def _new_file_mode(output: Path) -> int:
    if output.exists():
        return output.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
