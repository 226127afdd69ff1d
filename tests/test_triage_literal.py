"""Export values that look like markup or action links show as typed and trigger nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets._toast import Toast

from app.app import StripdownApp
from app.screens.dialogs import InputDialog, SearchDialog
from app.screens.triage import TriageScreen
from queries.workspace import Workspace
from tests.data.app.workspaces import build_workspace, fixed_clock

SESSION = "[@click=app.quit]s"

# Every field of the fixture, as it must appear on the triage screen.
TRIAGE_TEXTS = (
    SESSION,  # queue and facts
    "[i]u",  # user
    "[u]ch",  # channel
    "[s]dv",  # device
    "[on red]in",  # landing URL
    "[/]out",  # exit URL
    "[dim]st",  # furthest and exit stage
    "[b]lbl",  # analytics label, in the queue and the facts
    "[@click=app.quit]sig",  # signal description
    "[bold]ev",  # event name
    "[link=x]e2",  # event name
    "[@click=app.bell]m",  # message
    "@ [red]t",  # target
)


def screen_text(app: StripdownApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def drive(path: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    workspace = Workspace.open(path, create=False)
    app = StripdownApp(workspace, "ana", clock=fixed_clock)
    try:
        async with app.run_test(size=(200, 50), notifications=True) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            texts["triage"] = screen_text(app)
            await pilot.click("#facts", offset=(10, 0))
            await pilot.click("#timeline", offset=(30, 2))
            await pilot.press("slash", *"click")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, SearchDialog)
            texts["search"] = screen_text(app)
            await pilot.press("escape", "e")
            assert isinstance(app.screen, InputDialog)
            texts["note"] = screen_text(app)
            await pilot.press(*"[@click=app.quit]n", "enter", "g", *"[bold]zz", "enter")
            await pilot.pause()
            texts["notify"] = "\n".join(str(toast.render()) for toast in app.screen.query(Toast))
            texts["running"] = str(app.is_running and isinstance(app.screen, TriageScreen))
            texts["note saved"] = str(workspace.cursor().execute("SELECT note FROM tag_log").fetchall())
    finally:
        workspace.close()
    return texts


def test_markup_shows_literally(tmp_path: Path) -> None:
    path = build_workspace(tmp_path / "markup.duckdb", "markup.sql")
    texts = asyncio.run(drive(path))
    for expected in TRIAGE_TEXTS:
        assert expected in texts["triage"], expected
    assert "→ Broken code" in texts["triage"]
    assert SESSION in texts["search"].split("Search the sample", 1)[1]
    assert f"Note for session {SESSION}" in texts["note"]
    assert "Session [bold]zz is not in this sample." in texts["notify"]
    assert texts["running"] == "True"
    assert texts["note saved"] == "[('[@click=app.quit]n',)]"
