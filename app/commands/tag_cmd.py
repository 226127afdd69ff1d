"""The `stripdown tag` subcommand (under construction)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser("tag", help="(under construction)")
    parser.set_defaults(handler=lambda args: 2)
