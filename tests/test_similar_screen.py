"""The tag-all-similar screen driven by keys in the real app over a real workspace."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.geometry import Region
from textual.widgets import DataTable, Label, TextArea

from app.app import StripdownApp
from app.screens.dialogs import ErrorDialog
from app.screens.similar import SimilarScreen
from app.screens.triage import TriageScreen
from queries import tags
from queries.config import Config
from queries.signals import compute_signals
from queries.workspace import Workspace
from tests.test_signals import add_session
from widgets.facts import SessionFactsPanel

AUDITOR = "ann"
MESSAGE = "Payment [b]service[/b] {n} down [@click=app.quit]retry[/]"
OTHER_MESSAGE = "Payment [b]gateway[/b] {n} down [@click=app.quit]retry[/]"


def checkout_error(order: int, message: str = MESSAGE) -> list[dict[str, Any]]:
    """A session that failed on the payment page with an HTTP 500."""
    return [
        {"at": 0, "event": "page_view", "url": f"https://shop.example/checkout/{order}/address"},
        {"at": 20, "event": "form_submit", "url": f"/checkout/{order}/address", "target": "form#address"},
        {"at": 25, "event": "page_view", "url": f"/checkout/{order}/pay"},
        {
            "at": 40,
            "event": "api_error",
            "url": f"/checkout/{order}/pay",
            "status": 500,
            "message": message.replace("{n}", str(order)),
        },
    ]


def wandered_off(product: int) -> list[dict[str, Any]]:
    """A session that browsed and stopped, with no error."""
    return [
        {"at": 0, "event": "page_view", "url": f"/products/{product}"},
        {"at": 30, "event": "add_to_cart", "url": f"/products/{product}"},
        {"at": 900, "event": "page_view", "url": "/cart"},
    ]


@pytest.fixture
def review(workspace: Workspace) -> Workspace:
    """A sample of six sessions: four look alike (one already tagged by the auditor), two do not."""
    cursor = workspace.cursor()
    add_session(cursor, "anchor", checkout_error(101))
    add_session(cursor, "twin-a", checkout_error(202))
    add_session(cursor, "twin-b", checkout_error(303, OTHER_MESSAGE))
    add_session(cursor, "twin-tagged", checkout_error(404))
    add_session(cursor, "browse-a", wandered_off(7))
    add_session(cursor, "browse-b", wandered_off(8))
    compute_signals(cursor, 1, Config())
    tags.append(cursor, "twin-tagged", AUDITOR, "tag", reason="price", sample_id=1)
    return workspace


def tag_rows(workspace: Workspace) -> list[tuple[Any, ...]]:
    return (
        workspace.cursor()
        .execute(
            """
        SELECT session_id, reason, note, bulk_id, suggested_reason, accepted, evidence
        FROM live_tag_log
        WHERE action = 'tag' AND bulk_id IS NOT NULL
        ORDER BY session_id
        """
        )
        .fetchall()
    )


def drive(workspace: Workspace, steps: Callable[[Any, StripdownApp], Awaitable[None]]) -> None:
    """Run the app on the workspace and let `steps` press keys and check what it shows."""

    async def run() -> None:
        app = StripdownApp(workspace, AUDITOR)
        async with app.run_test(size=(160, 40)) as pilot:
            await steps(pilot, app)

    asyncio.run(run())


async def open_similar(pilot: Any, app: StripdownApp, key: str = "a") -> SimilarScreen:
    """Wait for the triage queue, press the similar key and wait for the group to be read."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, TriageScreen)
    assert app.screen.current_row.session_id == "anchor"
    await pilot.press(key)
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, SimilarScreen)
    return app.screen


def test_similar_screen_lists_group(review: Workspace) -> None:
    async def steps(pilot: Any, app: StripdownApp) -> None:
        screen = await open_similar(pilot, app)

        table = screen.query_one(DataTable)
        assert [str(key.value) for key in table.rows] == ["anchor", "twin-a", "twin-b"]
        title = str(screen.query_one("#similar-title", Label).render())
        assert "2 untagged sessions like anchor, and that one itself" in title
        assert screen.default_reason() == "broken_code"

    drive(review, steps)


def test_similar_screen_shows_export_text_literally(review: Workspace) -> None:
    async def steps(pilot: Any, app: StripdownApp) -> None:
        screen = await open_similar(pilot, app)

        message_cell = screen.query_one(DataTable).get_row("twin-b")[4]
        assert message_cell.plain == "Payment [b]gateway[/b] {n} down [@click=app.quit]retry[/]"
        marked = [message_cell.plain[span.start : span.end] for span in message_cell.spans]
        assert marked == ["gateway"]
        assert app.is_running

    drive(review, steps)


def test_bulk_tag_then_undo(review: Workspace) -> None:
    async def steps(pilot: Any, app: StripdownApp) -> None:
        await open_similar(pilot, app)
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()

        assert isinstance(app.screen, TriageScreen)
        rows = tag_rows(review)
        assert [row[0] for row in rows] == ["anchor", "twin-a", "twin-b"]
        assert {row[1] for row in rows} == {"broken_code"}
        assert {row[2] for row in rows} == {"bulk: like anchor"}
        assert len({row[3] for row in rows}) == 1
        assert {row[4] for row in rows} == {"broken_code"}
        assert {row[5] for row in rows} == {True}
        assert all(row[6] for row in rows)

    drive(review, steps)

    undone = tags.undo_last(review.cursor(), AUDITOR)

    assert undone is not None
    assert sorted(undone.session_ids) == ["anchor", "twin-a", "twin-b"]
    assert tag_rows(review) == []
    states = tags.current_states(review.cursor(), AUDITOR)
    assert set(states) == {"twin-tagged"}


def test_enter_takes_default_and_space_leaves_out(review: Workspace) -> None:
    async def steps(pilot: Any, app: StripdownApp) -> None:
        await open_similar(pilot, app)
        await pilot.press("down", "space")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()

        rows = tag_rows(review)
        assert [row[0] for row in rows] == ["anchor", "twin-b"]
        assert {row[1] for row in rows} == {"broken_code"}

    drive(review, steps)


def test_override_reason_marks_not_accepted(review: Workspace) -> None:
    async def steps(pilot: Any, app: StripdownApp) -> None:
        await open_similar(pilot, app)
        await pilot.press("6")
        await app.workers.wait_for_complete()
        await pilot.pause()

        rows = tag_rows(review)
        assert {row[1] for row in rows} == {"too_slow"}
        assert {row[5] for row in rows} == {False}

    drive(review, steps)


def test_escape_tags_nothing(review: Workspace) -> None:
    async def steps(pilot: Any, app: StripdownApp) -> None:
        await open_similar(pilot, app)
        await pilot.press("escape")
        await pilot.pause()

        assert isinstance(app.screen, TriageScreen)
        assert tag_rows(review) == []

    drive(review, steps)


def test_threshold_keys_change_group(review: Workspace) -> None:
    async def steps(pilot: Any, app: StripdownApp) -> None:
        screen = await open_similar(pilot, app)
        table = screen.query_one(DataTable)

        for _ in range(3):
            await pilot.press("plus")
        await pilot.pause()
        assert screen.threshold == 100.0
        assert [str(key.value) for key in table.rows] == ["anchor", "twin-a"]

        for _ in range(20):
            await pilot.press("minus")
        await pilot.pause()
        assert screen.threshold == 5.0
        assert "browse-a" in [str(key.value) for key in table.rows]
        assert "twin-tagged" not in [str(key.value) for key in table.rows]

    drive(review, steps)


def test_leaving_everyone_out_saves_nothing(review: Workspace) -> None:
    async def steps(pilot: Any, app: StripdownApp) -> None:
        screen = await open_similar(pilot, app)
        await pilot.press("space", "down", "space", "down", "space")
        await pilot.press("1")
        await pilot.pause()

        assert app.screen is screen
        assert tag_rows(review) == []

    drive(review, steps)


def test_undo_key_reverts_whole_group(review: Workspace) -> None:
    async def steps(pilot: Any, app: StripdownApp) -> None:
        await open_similar(pilot, app)
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(tag_rows(review)) == 3

        await pilot.press("u")
        await app.workers.wait_for_complete()
        await pilot.pause()

        assert tag_rows(review) == []
        assert set(tags.current_states(review.cursor(), AUDITOR)) == {"twin-tagged"}
        messages = [notification.message for notification in app._notifications]
        assert "Undid the group tag of 3 sessions." in messages

    drive(review, steps)


def test_unknown_session_shows_error(review: Workspace) -> None:
    async def steps(pilot: Any, app: StripdownApp) -> None:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.push_screen(SimilarScreen("[b]no-such-session[/b]"))
        await app.workers.wait_for_complete()
        await pilot.pause()

        assert isinstance(app.screen, ErrorDialog)
        message = app.screen.query_one(TextArea).text
        assert "session [b]no-such-session[/b] is not in the active sample 1" in message

    drive(review, steps)


def facts_text(app: StripdownApp) -> str:
    """The plain text the facts panel shows, every line joined."""
    panel = app.screen.query_one(SessionFactsPanel)
    return "\n".join(
        strip.text for strip in panel.render_lines(Region(0, 0, panel.size.width, panel.size.height))
    )


def test_facts_panel_counts_untagged_look_alikes(review: Workspace) -> None:
    async def steps(pilot: Any, app: StripdownApp) -> None:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        assert screen.current_row.session_id == "anchor"
        assert "look-alikes 2 untagged · a to tag them" in facts_text(app)

        await pilot.press("j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.current_row.session_id == "twin-a"
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("k", "k")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.current_row.session_id == "anchor"
        assert "look-alikes 1 untagged · a to tag them" in facts_text(app)

    drive(review, steps)


def test_bulk_tag_keeps_own_note(review: Workspace) -> None:
    tags.append(review.cursor(), "twin-a", AUDITOR, "flag", note="back button [loop]", sample_id=1)

    async def steps(pilot: Any, app: StripdownApp) -> None:
        await open_similar(pilot, app)
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()

    drive(review, steps)

    notes = {row[0]: row[2] for row in tag_rows(review)}
    assert notes["twin-a"] == "back button [loop] · bulk: like anchor"
    assert notes["anchor"] == "bulk: like anchor"
    assert notes["twin-b"] == "bulk: like anchor"
