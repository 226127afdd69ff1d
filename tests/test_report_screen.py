"""The report screen, driven by keys through Pilot in the real app on a real workspace."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from app.app import StripdownApp
from app.screens.report import ReportScreen
from queries import tags
from queries.workspace import Workspace
from tests.data.report.workspace import CONFIG_TEXT, build_small_workspace
from widgets.chart import ShareChart

HEADLINE = (
    "Of 7 exited sessions audited, 57% (25-84%) left because of broken code; "
    "the dashboard attributes 29% to it."
)


@pytest.fixture(scope="module")
def small_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("screen") / "small.duckdb"
    build_small_workspace(path).close()
    return path


@pytest.fixture
def small(small_path: Path, workspace_path: Path) -> Iterator[Workspace]:
    shutil.copyfile(small_path, workspace_path)
    with Workspace.open(workspace_path, create=False) as workspace:
        yield workspace


def text_of(screen: ReportScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def drive(
    workspace: Workspace,
    auditor: str,
    size: tuple[int, int],
    steps: Callable[[Pilot[Any], StripdownApp], Awaitable[None]],
) -> None:
    """Run the real app on `workspace` headless and play `steps` against it."""

    async def session() -> None:
        app = StripdownApp(workspace, auditor)
        async with app.run_test(size=size) as pilot:
            await steps(pilot, app)

    asyncio.run(session())


async def open_report(pilot: Pilot[Any], app: StripdownApp) -> ReportScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("r")
    screen = app.screen
    assert isinstance(screen, ReportScreen)
    await screen.workers.wait_for_complete()
    await pilot.pause()
    return screen


def test_r_opens_report_with_headline(small: Workspace) -> None:
    async def steps(pilot: Pilot[Any], app: StripdownApp) -> None:
        screen = await open_report(pilot, app)
        assert text_of(screen, "#report-headline") == HEADLINE
        assert "7 tagged (tags by alice)" in text_of(screen, "#report-summary")
        # alice tagged broken_code, confusing_copy and price; labels add interruption.
        assert [row.title for row in screen.query_one(ShareChart).rows] == [
            "Broken code",
            "Confusing copy",
            "Real-world interruption",
            "Price or value",
        ]
        assert screen.query_one("#report-gap", DataTable).row_count == 4
        assert "Cohen's kappa is 0.08." in text_of(screen, "#report-agreement")

    drive(small, "alice", (100, 40), steps)


def test_report_without_tags_says_so(small: Workspace) -> None:
    async def steps(pilot: Pilot[Any], app: StripdownApp) -> None:
        screen = await open_report(pilot, app)
        assert text_of(screen, "#report-headline") == (
            "No session of the audit sample (10 sessions) has been tagged by dana yet, so there are "
            "no shares to compare. Tag sessions on the triage screen; escape goes back to it."
        )
        assert screen.query_one(ShareChart).rows == ()
        assert screen.query_one("#report-gap", DataTable).row_count == 0
        assert text_of(screen, "#report-agreement") == "Agreement needs tagged sessions; none are tagged yet."

    drive(small, "dana", (80, 24), steps)


@pytest.mark.parametrize("key", ["escape", "r"])
def test_key_closes_report(small: Workspace, key: str) -> None:
    async def steps(pilot: Pilot[Any], app: StripdownApp) -> None:
        await open_report(pilot, app)
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, ReportScreen)
        assert type(app.screen).__name__ == "TriageScreen"

    drive(small, "alice", (80, 24), steps)


def test_report_refreshes_on_resume(small: Workspace) -> None:
    async def steps(pilot: Pilot[Any], app: StripdownApp) -> None:
        screen = await open_report(pilot, app)
        assert screen.report is not None and screen.report.tagged == 0
        tags.append(small.cursor(), "s01", "dana", "tag", reason="dead_link")
        # Another screen on top and back: the report is recomputed when it is current again.
        app.push_screen(ModalScreen())
        await pilot.pause()
        app.pop_screen()
        await pilot.pause()
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert screen.report is not None and screen.report.tagged == 1
        assert text_of(screen, "#report-headline").startswith(
            "Of 1 exited session audited, 100% (21-100%) left because of dead link or missing page;"
        )

    drive(small, "dana", (100, 40), steps)


def test_reason_titles_are_literal_text(workspace_path: Path) -> None:
    title = "[red]Broken[/] [@click=app.quit]code"
    hostile = CONFIG_TEXT + (
        f'\n[[reasons]]\nid = "broken_code"\ntitle = "{title}"\nkey = "1"\n'
        '\n[[reasons]]\nid = "price"\ntitle = "Price"\nkey = "2"\n'
        '\n[[reasons]]\nid = "interruption"\ntitle = "Interruption"\nkey = "3"\n'
    )

    async def steps(pilot: Pilot[Any], app: StripdownApp) -> None:
        screen = await open_report(pilot, app)
        chart = screen.query_one(ShareChart)
        assert chart.rows[0].title == title
        # The chart cuts long titles to 24 columns, ending them with an ellipsis.
        assert f"{title[:23]}…" in str(chart.render())
        assert str(screen.query_one("#report-gap", DataTable).get_cell_at((0, 0))) == title
        assert "left because of [red]Broken[/] [@click=app.quit]code;" in text_of(screen, "#report-headline")
        assert isinstance(app.screen, ReportScreen)

    with build_small_workspace(workspace_path, hostile) as workspace:
        drive(workspace, "alice", (120, 40), steps)
