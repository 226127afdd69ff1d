"""Build small workspaces from the hand-made export in tests/data/model for the model tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from queries.config import load_config
from queries.sessions import derive_sessions
from queries.workspace import Workspace

MODEL_DATA = Path(__file__).resolve().parent / "data" / "model"
EXPORT = MODEL_DATA / "checkout.csv"
CONFIG = MODEL_DATA / "stripdown.toml"

_LOAD_EVENTS = """
INSERT INTO events (event_id, session_id, ts, event, url, channel, device, label, status, message,
                    source_file, import_id, row_number, content_hash)
SELECT 'e' || row_number() OVER (), session_id, ts, event, url, channel, device, label, status,
       message, ?, 1, row_number() OVER (), 0
FROM read_csv(?, all_varchar = false, header = true, types = {'ts': 'TIMESTAMPTZ'})
"""


def build_workspace(path: Path, config_path: Path | None = CONFIG) -> Path:
    """Create a workspace at `path` holding the checkout export, its config and derived sessions."""
    with Workspace.open(path) as workspace, workspace.transaction() as cursor:
        config = load_config(config_path) if config_path else workspace.config
        if config_path:
            workspace.save_config(config, cursor)
        cursor.execute(_LOAD_EVENTS, [str(EXPORT), str(EXPORT)])
        derive_sessions(cursor, config)
    return path


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the real `stripdown` command line in a subprocess and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)], capture_output=True, text=True, check=False
    )
