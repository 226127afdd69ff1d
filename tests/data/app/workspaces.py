"""Build small triage workspaces from the SQL scripts beside this file, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from queries.workspace import Workspace

DATA = Path(__file__).resolve().parent
# The moment the fixed clock reports: half an hour after the fixture sample was drawn.
FIXED_NOW = datetime(2024, 3, 5, 16, 30, tzinfo=UTC)


def build_workspace(path: Path, *scripts: str) -> Path:
    """Create a workspace at `path` and run each named SQL script of this folder in it."""
    with Workspace.open(path) as workspace:
        for script in scripts:
            workspace.cursor().execute((DATA / script).read_text(encoding="utf-8"))
    return path


def fixed_clock() -> datetime:
    """Return FIXED_NOW, so that progress figures on screen do not depend on the wall clock."""
    return FIXED_NOW
