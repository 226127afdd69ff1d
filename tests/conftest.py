"""Shared fixtures: real workspaces on disk and the real exports beside the project."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from queries.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
REAL_EXPORTS = ROOT.parent / "shared" / "real_exports"


def real_export(*parts: str) -> Path:
    """Return a real export's path, or skip the test with the reason when it is absent."""
    path = REAL_EXPORTS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real export {path} is absent; place the real_exports folder beside the checkout")
    return path


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    """A path where no workspace exists yet."""
    return tmp_path / "review.duckdb"


@pytest.fixture
def workspace(workspace_path: Path) -> Iterator[Workspace]:
    """A fresh, empty workspace file."""
    with Workspace.open(workspace_path) as opened:
        yield opened
