"""The Textual app: one workspace, one auditor, the triage screen first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from textual.app import App

from app.keys import triage_keymap
from app.screens.triage import StartingState, TriageScreen
from queries.config import Config
from queries.workspace import Workspace


def utc_now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


class StripdownApp(App[None]):
    """The keyboard triage app over one workspace.

    `clock` returns the current time; tests pass a fixed one so progress figures are stable.
    `starting_state`, when given, is what the triage screen shows first instead of reading it.
    """

    CSS_PATH = "app.tcss"
    TITLE = "stripdown"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]  # noqa: RUF012

    def __init__(
        self,
        workspace: Workspace,
        auditor: str,
        *,
        clock: Callable[[], datetime] = utc_now,
        starting_state: StartingState | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.auditor = auditor
        self.config: Config = workspace.config
        self.clock = clock
        self.starting_state = starting_state
        self.set_keymap(triage_keymap(self.config))

    def on_mount(self) -> None:
        self.push_screen(TriageScreen())
