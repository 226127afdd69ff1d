"""Hostile text from the corpus on the triage screen: shown as typed, never run, no raw escapes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.app import StripdownApp
from app.screens.triage import TriageScreen
from queries.workspace import Workspace
from tests.reliability_support import HOSTILE, assert_imported, import_files, run_cli

MARKUP_SESSIONS = [
    "[/]",
    "[bold]loud[/bold]",
    "[@click=app.quit]x[/]",
    "[link=https://example.invalid]here[/link]",
    "[red",
    "\\[escaped]",
]


def screen_text(app: StripdownApp) -> str:
    """Return the characters of every line the screen would draw."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def visit_every_session(path: Path, sessions: int) -> tuple[list[str], bool]:
    """Step through the whole sample; return the screen text at each session and whether the app runs."""
    screens: list[str] = []
    with Workspace.open(path, create=False) as workspace:
        app = StripdownApp(workspace, "reader")
        async with app.run_test(size=(200, 50)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            for _ in range(sessions):
                await app.workers.wait_for_complete()
                await pilot.pause()
                screens.append(screen_text(app))
                await pilot.press("j")
            running = app.is_running and isinstance(app.screen, TriageScreen)
    return screens, running


def test_hostile_text_on_triage_screen(tmp_path: Path) -> None:
    # Without a funnel every session counts as exited, so all 14 sessions are in the sample.
    workspace = tmp_path / "hostile.duckdb"
    exports = [HOSTILE / name for name in ("markup_in_every_field.csv", "ansi_and_control_chars.csv")]
    assert_imported(import_files(workspace, *exports))
    sampled = run_cli("sample", "-w", workspace)
    assert sampled.returncode == 0, sampled.stderr

    screens, running = asyncio.run(visit_every_session(workspace, 14))

    assert running
    everything = "\n".join(screens)
    for session_id in MARKUP_SESSIONS:
        assert session_id in everything, session_id
    for screen in screens:
        assert "\x1b" not in screen
        assert "\x07" not in screen
        assert "\x08" not in screen
    assert "red" in everything
    assert "clear" in everything
    assert "bell" in everything
