"""Screenshots of the triage and help screens at 80x24 and 160x48, on a fixed workspace and clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from app.app import StripdownApp
from queries.workspace import Workspace
from tests.data.app.workspaces import build_workspace, fixed_clock

SIZES = [(80, 24), (160, 48)]


@pytest.fixture
def reviewed_app(tmp_path: Path) -> Any:
    """The fixture workspace with two sessions already decided, opened at the first open session."""
    path = build_workspace(tmp_path / "triage.duckdb", "triage.sql", "decided.sql")
    workspace = Workspace.open(path, create=False)
    yield StripdownApp(workspace, "ana", clock=fixed_clock)
    workspace.close()


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_triage_screen(reviewed_app: StripdownApp, size: tuple[int, int], snap_compare: Any) -> None:
    assert snap_compare(reviewed_app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_help_screen(reviewed_app: StripdownApp, size: tuple[int, int], snap_compare: Any) -> None:
    async def open_help(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(reviewed_app, terminal_size=size, run_before=open_help)
