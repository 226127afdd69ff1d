"""Drive the triage screen by its keys with Pilot on a real workspace file."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot

from app.app import StripdownApp
from app.screens.dialogs import ErrorDialog, InputDialog, SearchDialog
from app.screens.help import HelpScreen
from app.screens.triage import TriageScreen, read_starting_state
from queries.workspace import Workspace
from tests.data.app.workspaces import build_workspace, fixed_clock
from widgets.queue import SampleQueue
from widgets.timeline import SessionTimeline

AUDITOR = "ana"


def synchronous(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test body in its own event loop, so no pytest async plugin is needed."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))  # type: ignore[arg-type]

    return run


@pytest.fixture
def triage_path(tmp_path: Path) -> Path:
    return build_workspace(tmp_path / "triage.duckdb", "triage.sql")


@asynccontextmanager
async def running(
    path: Path, size: tuple[int, int] = (80, 24), auditor: str = AUDITOR, read_only: bool = False
) -> AsyncIterator[tuple[StripdownApp, Pilot[Any]]]:
    workspace = Workspace.open(path, create=False, read_only=read_only)
    app = StripdownApp(workspace, auditor, clock=fixed_clock)
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            yield app, pilot
    finally:
        workspace.close()


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


def triage(app: StripdownApp) -> TriageScreen:
    for screen in app.screen_stack:
        if isinstance(screen, TriageScreen):
            return screen
    raise AssertionError(f"no triage screen on the stack {app.screen_stack}")


def current(app: StripdownApp) -> str:
    row = triage(app).current_row
    assert row is not None
    return row.session_id


def log_rows(app: StripdownApp) -> list[tuple[Any, ...]]:
    return (
        app.workspace.cursor()
        .execute(
            """
        SELECT session_id, action, reason, note, suggested_reason, accepted, evidence, sample_id
        FROM tag_log ORDER BY id
        """
        )
        .fetchall()
    )


def screen_text(app: StripdownApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def notifications(app: StripdownApp) -> list[str]:
    return [notification.message for notification in app._notifications]


@synchronous
async def test_opens_at_first_session(triage_path: Path) -> None:
    async with running(triage_path) as (app, _):
        assert current(app) == "s-001"
        assert "session s-001" in screen_text(app)


@synchronous
async def test_reason_key_tags_and_advances(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "2")
        assert log_rows(app) == [("s-001", "tag", "form_rejected_input", None, "broken_code", False, None, 1)]
        assert current(app) == "s-002"
        assert "2 Form rejec" in screen_text(app)


@synchronous
async def test_reason_key_of_suggestion_accepts(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "1")
        assert log_rows(app) == [
            ("s-001", "tag", "broken_code", None, "broken_code", True, ["e106", "e107"], 1)
        ]


@synchronous
async def test_reason_key_without_suggestion(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "j", "j", "j", "j")
        assert current(app) == "s-005"
        await press(pilot, "7")
        assert log_rows(app) == [("s-005", "tag", "price", None, None, None, None, 1)]
        assert current(app) == "s-006"


@synchronous
async def test_enter_accepts_suggestion(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "enter")
        assert log_rows(app) == [
            ("s-001", "tag", "broken_code", None, "broken_code", True, ["e106", "e107"], 1)
        ]
        assert current(app) == "s-002"


@synchronous
async def test_enter_without_suggestion_tags_nothing(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "g", *"s-006", "enter")
        await press(pilot, "enter")
        assert log_rows(app) == []
        assert current(app) == "s-006"
        assert any("No suggestion" in message for message in notifications(app))


@synchronous
async def test_j_k_and_arrows_move(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "j")
        assert current(app) == "s-002"
        await press(pilot, "down")
        assert current(app) == "s-003"
        await press(pilot, "k")
        assert current(app) == "s-002"
        await press(pilot, "up", "up")
        assert current(app) == "s-001"
        assert app.screen.query_one(SampleQueue).cursor_row == 0


@synchronous
async def test_n_and_p_skip_decided_sessions(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "j", "s", "k", "k")
        assert current(app) == "s-001"
        await press(pilot, "n")
        assert current(app) == "s-003"
        await press(pilot, "p")
        assert current(app) == "s-001"
        await press(pilot, "p")
        assert current(app) == "s-001"
        assert any("No untagged session before" in message for message in notifications(app))


@synchronous
async def test_undo_walks_back_through_log(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "1", "8")
        assert current(app) == "s-003"
        await press(pilot, "u")
        assert current(app) == "s-002"
        assert triage(app).rows[1].action is None
        await press(pilot, "u")
        assert current(app) == "s-001"
        assert triage(app).rows[0].action is None
        await press(pilot, "u")
        assert any("Nothing left to undo" in message for message in notifications(app))
        actions = [row[1] for row in log_rows(app)]
        assert actions == ["tag", "tag", "undo", "undo"]


@synchronous
async def test_undo_restores_earlier_tag(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "1", "k", "3")
        assert triage(app).rows[0].reason == "dead_link"
        await press(pilot, "u")
        assert current(app) == "s-001"
        assert triage(app).rows[0].reason == "broken_code"


@synchronous
async def test_skip_records_and_advances(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "s")
        assert log_rows(app) == [("s-001", "skip", None, None, None, None, None, 1)]
        assert current(app) == "s-002"
        assert "tagged 0/6 · 1 skipped" in screen_text(app)


@synchronous
async def test_flag_keeps_session_open(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "f")
        assert log_rows(app)[0][:2] == ("s-001", "flag")
        assert current(app) == "s-002"
        assert "flag" in screen_text(app).splitlines()[1]
        await press(pilot, "p")
        assert current(app) == "s-001"


@synchronous
async def test_note_on_untagged_then_tag(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "e")
        assert isinstance(app.screen, InputDialog)
        await press(pilot, *"pay button greyed", "enter")
        assert log_rows(app) == [("s-001", "note", None, "pay button greyed", None, None, None, 1)]
        await press(pilot, "5")
        assert log_rows(app)[-1][:4] == ("s-001", "tag", "hidden_control", "pay button greyed")


def timeline_text(app: StripdownApp) -> str:
    timeline = triage(app).query_one(SessionTimeline)
    return "\n".join(strip.text for strip in timeline.render_lines(timeline.size.region))


@synchronous
async def test_note_shows_under_timeline(triage_path: Path) -> None:
    async with running(triage_path, size=(120, 40)) as (app, pilot):
        await press(pilot, "e", *"[b]ok[/b]", "enter")
        assert "note [b]ok[/b]" in timeline_text(app)
        await press(pilot, "j")
        assert "note [b]ok" not in timeline_text(app)
        await press(pilot, "k")
        assert "note [b]ok[/b]" in timeline_text(app)


@synchronous
async def test_note_on_tagged_keeps_reason(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "enter", "k", "e", *" twice", "enter")
        assert log_rows(app)[-1] == (
            "s-001",
            "tag",
            "broken_code",
            "twice",
            "broken_code",
            True,
            None,
            1,
        )
        await press(pilot, "e")
        await press(pilot, *["backspace"] * 5, "enter")
        assert log_rows(app)[-1][3] is None


@synchronous
async def test_note_escape_saves_nothing(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "e", *"draft", "escape")
        assert isinstance(app.screen, TriageScreen)
        assert log_rows(app) == []


@synchronous
async def test_search_opens_matching_session(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "slash")
        assert isinstance(app.screen, SearchDialog)
        await press(pilot, *"promo-terms")
        assert "s-004  url /cart/promo-terms" in screen_text(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, TriageScreen)
        assert current(app) == "s-004"


@synchronous
async def test_search_status_follows_query(triage_path: Path) -> None:
    async with running(triage_path, size=(120, 40)) as (app, pilot):
        await press(pilot, "slash", *"zzqqxx")
        assert "no session matches" in screen_text(app)
        await press(pilot, *["backspace"] * 6, *"promo-terms")
        text = screen_text(app)
        assert "no session matches" not in text
        assert "1 session matches" in text


@synchronous
async def test_search_escape_stays(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "slash", *"Postcode", "escape")
        assert current(app) == "s-001"


@synchronous
async def test_goto_exact_prefix_and_unknown(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "g", *"s-004", "enter")
        assert current(app) == "s-004"
        await press(pilot, "g", *"s-00", "enter")
        assert current(app) == "s-004"
        assert any("6 sessions start with s-00" in message for message in notifications(app))
        await press(pilot, "g", *"nope", "enter")
        assert current(app) == "s-004"
        assert any("Session nope is not in this sample" in message for message in notifications(app))


@synchronous
async def test_report_key_opens_report(triage_path: Path) -> None:
    from app.screens.report import ReportScreen

    async with running(triage_path) as (app, pilot):
        await press(pilot, "r")
        assert isinstance(app.screen, ReportScreen)


@synchronous
async def test_similar_key_opens_group(triage_path: Path) -> None:
    from app.screens.similar import SimilarScreen

    async with running(triage_path) as (app, pilot):
        await press(pilot, "a")
        assert isinstance(app.screen, SimilarScreen)


@synchronous
async def test_help_lists_every_key(triage_path: Path) -> None:
    async with running(triage_path, size=(100, 48)) as (app, pilot):
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for expected in (
            "Tag as Broken code",
            "Undo your last action",
            "Fuzzy search",
            "Go to a session id",
            "Command palette",
            "Quit",
            "j / ↓",
            "k / ↑",
        ):
            assert expected in text
        await press(pilot, "escape")
        assert isinstance(app.screen, TriageScreen)


@synchronous
async def test_palette_runs_actions(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await press(pilot, *"Skip this session")
        await press(pilot, "enter")
        await settle(pilot)
        assert log_rows(app)[0][:2] == ("s-001", "skip")


@synchronous
async def test_palette_tags_with_reason(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "ctrl+p", *"Tag as Too slow")
        await press(pilot, "enter")
        await settle(pilot)
        assert log_rows(app)[0][:3] == ("s-001", "tag", "too_slow")


@synchronous
async def test_q_quits(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
        assert app.return_code == 0


@synchronous
async def test_timeline_keys_scroll(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "g", *"s-005", "enter")
        timeline = app.screen.query_one(SessionTimeline)
        assert timeline.max_scroll_y > 0
        assert timeline.scroll_y == timeline.max_scroll_y
        assert "+14:45" in screen_text(app)
        await press(pilot, "home")
        assert timeline.scroll_y == 0
        await press(pilot, "pagedown")
        assert timeline.scroll_y > 0
        await press(pilot, "end")
        assert timeline.scroll_y == timeline.max_scroll_y


@synchronous
async def test_resume_at_first_untagged(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await press(pilot, "1", "s", "f")
    async with running(triage_path) as (app, _):
        # s-003 is flagged, which still needs a reason.
        assert current(app) == "s-003"
        assert [row.action for row in triage(app).rows[:3]] == ["tag", "skip", "flag"]


@synchronous
async def test_resume_is_per_auditor(triage_path: Path) -> None:
    async with running(triage_path) as (_, pilot):
        await press(pilot, "1", "2")
    async with running(triage_path, auditor="bo") as (app, _):
        assert current(app) == "s-001"


@synchronous
async def test_rebound_keys_apply(tmp_path: Path) -> None:
    path = build_workspace(tmp_path / "keys.duckdb", "triage.sql", "rebound_keys.sql")
    async with running(path) as (app, pilot):
        await press(pilot, "j")
        assert current(app) == "s-001"
        await press(pilot, "l")
        assert current(app) == "s-002"
        await press(pilot, "x")
        assert log_rows(app)[0][:3] == ("s-002", "tag", "timeout")
        assert current(app) == "s-003"


@synchronous
async def test_next_sessions_are_prefetched(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        cached = set(triage(app)._cache)
        assert {"s-001", "s-002", "s-003", "s-004"} <= cached
        await pilot.press("j")
        # No wait for workers: the cached session is on screen in the frame after the key.
        assert "session s-002" in screen_text(app)


@synchronous
async def test_keys_do_not_move_panels(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        panels = ["#queue", "#facts", "#timeline", "#reasons", "#progress"]
        before = [app.screen.query_one(selector).region for selector in panels]
        await press(pilot, "1", "j", "s", "f", "u", "g", *"s-005", "enter")
        after = [app.screen.query_one(selector).region for selector in panels]
        assert after == before


@synchronous
async def test_no_sample_shows_message(tmp_path: Path) -> None:
    path = build_workspace(tmp_path / "bare.duckdb")
    async with running(path) as (app, pilot):
        text = screen_text(app)
        assert "No audit sample in" in text
        assert "stripdown sample -w" in text
        await press(pilot, "1", "j", "enter", "s", "u", "slash")
        assert app.is_running
        assert isinstance(app.screen, TriageScreen)
        assert log_rows(app) == []


@synchronous
async def test_sample_of_unknown_sessions(tmp_path: Path) -> None:
    path = build_workspace(tmp_path / "orphan.duckdb", "orphan_sample.sql")
    async with running(path) as (app, pilot):
        assert "not in the sessions table" in screen_text(app)
        await press(pilot, "1")
        assert log_rows(app)[0][:3] == ("ghost-1", "tag", "broken_code")


@synchronous
async def test_failed_write_shows_dialog(triage_path: Path) -> None:
    async with running(triage_path, read_only=True) as (app, pilot):
        await press(pilot, "1")
        assert isinstance(app.screen, ErrorDialog)
        assert "saving the tag of session s-001 failed" in screen_text(app)
        await press(pilot, "escape")
        assert current(app) == "s-001"
        assert triage(app).rows[0].action is None


@synchronous
async def test_mouse_click_chooses_session(triage_path: Path) -> None:
    async with running(triage_path) as (app, pilot):
        await pilot.click(SampleQueue, offset=(10, 3))
        await settle(pilot)
        assert current(app) == "s-003"
        assert "session s-003" in screen_text(app)


def queue_lines(app: StripdownApp) -> list[str]:
    queue = triage(app).query_one(SampleQueue)
    return [strip.text for strip in queue.render_lines(queue.size.region)]


@synchronous
async def test_queue_mark_follows_tag_and_undo(triage_path: Path) -> None:
    async with running(triage_path, size=(160, 48)) as (app, pilot):
        reason = app.config.reasons[0]
        first_row = next(line for line in queue_lines(app) if "s-001" in line)
        assert "·" in first_row

        await press(pilot, reason.key)
        first_row = next(line for line in queue_lines(app) if "s-001" in line)
        assert f"{reason.key} {reason.title}" in first_row
        second_row = next(line for line in queue_lines(app) if "s-002" in line)
        assert "·" in second_row

        await press(pilot, "u")
        first_row = next(line for line in queue_lines(app) if "s-001" in line)
        assert "·" in first_row
        assert reason.title not in first_row


@synchronous
async def test_starting_state_shows_without_reading_again(triage_path: Path) -> None:
    workspace = Workspace.open(triage_path, create=False)
    starting = read_starting_state(workspace, AUDITOR, workspace.config)
    assert starting.detail is not None
    assert starting.detail.session_id == "s-001"
    app = StripdownApp(workspace, AUDITOR, clock=fixed_clock, starting_state=starting)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert current(app) == "s-001"
            assert "session s-001" in screen_text(app)
            assert [worker.group for worker in app.workers if worker.group == "queue"] == []
            assert app.starting_state is None
    finally:
        workspace.close()
