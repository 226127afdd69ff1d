"""The `stripdown config` subcommand: show the config in force, or store a new one."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.commands.options import add_workspace_option
from queries.config import Config, load_config
from queries.sessions import ConfigChange, apply_config
from queries.workspace import opened


def add_parser(subparsers: Any) -> None:
    """Register the subcommand."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "config",
        help="show the config in force, or store a new one and re-derive the sessions",
        description=(
            "Without FILE, print the config the workspace is built with (or the built-in defaults "
            "when none was stored). With FILE, validate it, store it as the config in force and "
            "re-derive the sessions, then print how the counts changed. docs/config.md lists "
            "every key."
        ),
    )
    add_workspace_option(parser)
    parser.add_argument("file", nargs="?", type=Path, metavar="FILE", help="a stripdown.toml to store")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print or replace the config of the workspace."""
    if args.file is None:
        with opened(args.workspace, read_only=True) as workspace:
            print(_config_text(workspace.config, args.workspace), end="")
        return 0
    config = load_config(args.file)
    with opened(args.workspace) as workspace:
        change = apply_config(workspace, config)
    for line in _change_lines(change, args.file, args.workspace):
        print(line)
    return 0


def _config_text(config: Config, workspace: Path) -> str:
    if config.text.strip():
        return config.text if config.text.endswith("\n") else config.text + "\n"
    header = f"# No config is stored in {workspace}, so these built-in defaults apply.\n\n"
    return header + render_config(config)


def _change_lines(change: ConfigChange, file: Path, workspace: Path) -> list[str]:
    if not change.changed:
        return [f"{file} is the config already in force; nothing changed"]
    lines = [
        f"stored {file} as the config of {workspace} and re-derived the sessions",
        f"sessions: {change.after.sessions} (was {change.before.sessions})",
        f"entered the funnel: {change.after.entered} (was {change.before.entered})",
        f"exited: {change.after.exited} (was {change.before.exited})",
        f"converted: {change.after.converted} (was {change.before.converted})",
    ]
    if change.after.note:
        lines.append(f"note: {change.after.note}")
    if change.sample_no_longer_exited:
        lines.append(
            f"note: {change.sample_no_longer_exited} sessions of the active sample no longer count as "
            f"exited; draw a new sample with: stripdown sample -w {workspace}"
        )
    return lines


def render_config(config: Config) -> str:
    """Write `config` as TOML that `parse_config` reads back to the same settings."""
    lines = [
        "[import]",
        f"session_gap = {_string(_duration(config.session_gap))}",
        f"timezone = {_string(config.timezone)}",
        "",
        "[import.map]",
        *(f"{_key(name)} = {_string(column)}" for name, column in config.import_map.items()),
        "",
        "[funnel]",
        *_stages_lines(config),
        "",
        "[label]",
    ]
    if config.label_column:
        lines.append(f"column = {_string(config.label_column)}")
    lines += ["", "[label.map]"]
    lines += [f"{_key(label)} = {_string(reason)}" for label, reason in config.label_map.items()]
    for reason in config.reasons:
        lines += [
            "",
            "[[reasons]]",
            f"id = {_string(reason.id)}",
            f"title = {_string(reason.title)}",
            f"key = {_string(reason.key)}",
            f"description = {_string(reason.description)}",
        ]
    lines += ["", "[signals]", *_signal_lines(config), "", "[review]"]
    lines += [f"time_box = {_string(_duration(config.time_box))}", "", "[keys]"]
    lines += [f"{_key(action)} = {_string(keys)}" for action, keys in config.keys.items()]
    return "\n".join(lines) + "\n"


def _signal_lines(config: Config) -> list[str]:
    lines = []
    for name, value in config.signals.__dict__.items():
        if name in {"rage_click_window", "slow", "idle", "quick_back"}:
            lines.append(f"{name} = {_string(_duration(value))}")
        elif isinstance(value, str):
            lines.append(f"{name} = {_string(value)}")
        elif isinstance(value, tuple):
            lines.append(f"{name} = [{', '.join(str(item) for item in value)}]")
        else:
            lines.append(f"{name} = {value}")
    return lines


def _stages_lines(config: Config) -> list[str]:
    if not config.stages:
        return ["stages = []"]
    stages = [f"    {_stage(stage.name, stage.event, stage.url)}," for stage in config.stages]
    return ["stages = [", *stages, "]"]


def _stage(name: str, event: str | None, url: str | None) -> str:
    parts = [f"name = {_string(name)}"]
    if event is not None:
        parts.append(f"event = {_string(event)}")
    if url is not None:
        parts.append(f"url = {_string(url)}")
    return "{ " + ", ".join(parts) + " }"


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _string(text: str) -> str:
    # A JSON string with non-ASCII kept as is is also a valid TOML basic string.
    return json.dumps(text, ensure_ascii=False)


def _key(name: str) -> str:
    return name if name.replace("_", "").replace("-", "").isalnum() and name.isascii() else _string(name)
