"""The progress line: tagged against the sample size, time against the time box, pace, finish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import ProgressBar

from widgets.text import format_clock, format_time


@dataclass(frozen=True)
class ProgressFigures:
    """What the progress line shows."""

    tagged: int
    skipped: int
    flagged: int
    size: int
    elapsed: float
    time_box: float
    seconds_per_session: float | None
    finish_at: datetime | None
    timezone: str


def progress_text(figures: ProgressFigures) -> Text:
    """Return the progress line as text."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f"tagged {figures.tagged}/{figures.size}", style="bold")
    if figures.skipped:
        line.append(f" · {figures.skipped} skipped")
    if figures.flagged:
        line.append(f" · {figures.flagged} flagged", style="magenta")
    over = figures.elapsed > figures.time_box
    line.append(" · ")
    line.append(
        f"{format_clock(figures.elapsed)} of {format_clock(figures.time_box)}",
        style="bold red" if over else "",
    )
    if figures.seconds_per_session is not None:
        line.append(f" · {figures.seconds_per_session:.0f} s/session")
    if figures.finish_at is not None:
        finish = format_time(figures.finish_at, figures.timezone, with_date=False)[:5]
        zone = figures.finish_at.astimezone(ZoneInfo(figures.timezone)).tzname() or figures.timezone
        line.append(f" · done ≈ {finish} {zone}")
    return line


class ProgressLine(Widget):
    """The text part of the progress row."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text("")

    def render(self) -> Text:
        return self._text

    def show(self, text: Text) -> None:
        """Replace the text."""
        self._text = text
        self.refresh()


class ReviewProgress(Widget):
    """A bar of decided sessions and the progress line beside it."""

    def compose(self) -> ComposeResult:
        yield ProgressBar(show_eta=False, show_percentage=False, id="progress-bar")
        yield ProgressLine(id="progress-text")

    def show(self, figures: ProgressFigures) -> None:
        """Show new figures."""
        self.query_one(ProgressBar).update(
            total=max(figures.size, 1), progress=figures.tagged + figures.skipped
        )
        self.query_one(ProgressLine).show(progress_text(figures))
