"""Build the hand-made report workspace of small.sql, for the report tests."""

from __future__ import annotations

from pathlib import Path

from queries.config import parse_config
from queries.sessions import derive_sessions
from queries.workspace import Workspace

HERE = Path(__file__).resolve().parent
CONFIG_TEXT = (HERE / "stripdown.toml").read_text(encoding="utf-8")


def build_small_workspace(path: Path, config_text: str = CONFIG_TEXT) -> Workspace:
    """Create the workspace of small.sql at `path`, with sessions derived under `config_text`."""
    workspace = Workspace.open(path)
    config = parse_config(config_text)
    workspace.save_config(config)
    with workspace.transaction() as cursor:
        cursor.execute((HERE / "small.sql").read_text(encoding="utf-8"))
        derive_sessions(cursor, config)
    return workspace
