"""The `stripdown sample` subcommand: choose the audit sample of a workspace."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.commands.options import add_workspace_option
from queries.errors import UsageError
from queries.sample import DEFAULT_SIZE, STRATA, SampleRule, draw_sample
from queries.workspace import opened


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sample",
        help="choose the audit sample (default: the last 500 exited sessions)",
        description=(
            "Choose the exited sessions to audit and make them the active sample. Every sample is "
            "kept; the newest one is active. Dates and times without a zone are read in the "
            "config's import.timezone."
        ),
    )
    add_workspace_option(parser)
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument(
        "--last",
        type=_size,
        metavar="N",
        help=f"the N exited sessions that ended last, newest first (default: {DEFAULT_SIZE})",
    )
    kind.add_argument(
        "--random", type=_size, metavar="N", help="N exited sessions drawn at random (see --seed)"
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        metavar="S",
        help="seed of a --random draw; the same seed on the same sessions draws the same sample "
        "(default: a fresh seed, printed with the rule)",
    )
    parser.add_argument(
        "--stratify",
        choices=STRATA,
        help="share the sample among exit stages, channels or devices in proportion to their sizes",
    )
    parser.add_argument(
        "--since",
        metavar="WHEN",
        help="only sessions that ended at or after WHEN (a date such as 2024-05-01, or an ISO time)",
    )
    parser.add_argument(
        "--until",
        metavar="WHEN",
        help="only sessions that ended at or before WHEN (a date includes the whole day)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Draw the sample and print its rule, size and the number of sessions it was drawn from."""
    if args.seed is not None and args.random is None:
        raise UsageError("--seed only applies to a random sample; add --random N or drop --seed")
    with opened(args.workspace) as workspace:
        zone = ZoneInfo(workspace.config.timezone)
        rule = SampleRule(
            kind="random" if args.random is not None else "last",
            size=args.random or args.last or DEFAULT_SIZE,
            seed=args.seed,
            stratify=args.stratify,
            since=_moment(args.since, "--since", zone, end_of_day=False),
            until=_moment(args.until, "--until", zone, end_of_day=True),
        )
        result = draw_sample(workspace, rule)
    print(f"sample {result.sample_id}: {result.rule}")
    print(f"{_count(result.size, 'session')}, drawn from {_count(result.drawn_from, 'exited session')}")
    if result.note:
        print(f"note: {result.note}")
    print(f"review it with: stripdown audit -w {args.workspace}")
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def _size(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _moment(text: str | None, option: str, zone: ZoneInfo, *, end_of_day: bool) -> datetime | None:
    """Read a date or ISO time. A date means the start of that day, or its end for --until."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None:
        moment = datetime.combine(day, time(), zone)
        return moment + timedelta(days=1, microseconds=-1) if end_of_day else moment
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is invalid: expected a date such as 2024-05-01 "
            "or an ISO time such as 2024-05-01T14:30"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)
