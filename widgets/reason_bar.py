"""The reason bar: every reason of the taxonomy with its hotkey, the current tag highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from queries.config import Reason

CURRENT_STYLE = "bold reverse green"
SUGGESTED_STYLE = "bold underline yellow"
# Title lengths tried, longest first, until every chip fits the bar's lines.
TITLE_CAPS = (None, 24, 18, 14, 11, 8, 5)


def pack(chips: list[Text], width: int) -> list[Text]:
    """Lay chips out left to right, starting a new line where the next chip would not fit."""
    lines: list[Text] = []
    line = Text()
    for chip in chips:
        if line.cell_len and line.cell_len + 1 + chip.cell_len > width:
            lines.append(line)
            line = Text()
        if line.cell_len:
            line.append(" ")
        line.append_text(chip)
    lines.append(line)
    return lines


def shorten(title: str, cap: int | None) -> str:
    """Cut a title to `cap` cells with an ellipsis."""
    if cap is None or len(title) <= cap:
        return title
    return title[: cap - 1].rstrip() + "…"


class ReasonBar(Widget):
    """The taxonomy as hotkey chips, in which the tag in force and the suggestion stand out.

    Titles are shortened as much as needed to fit every reason into the bar's fixed height, and a
    chip never breaks across lines.
    """

    def __init__(self, reasons: tuple[Reason, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._reasons = reasons
        self._current: str | None = None
        self._suggestion: str | None = None
        self._accept_key = "enter"

    def show(self, current: str | None, suggestion: str | None, accept_key: str = "enter") -> None:
        """Highlight the current tag and the suggested reason (either may be None)."""
        self._current = current
        self._suggestion = suggestion
        self._accept_key = accept_key
        self.refresh()

    def render(self) -> Text:
        width = max(self.size.width, 10)
        height = max(self.size.height, 1)
        for cap in TITLE_CAPS:
            lines = pack([self._chip(reason, cap) for reason in self._reasons], width)
            if len(lines) <= height:
                break
        return Text("\n").join(lines)

    def _chip(self, reason: Reason, cap: int | None) -> Text:
        title = shorten(reason.title, cap)
        if reason.id == self._current:
            chip = Text(f"{reason.key} {title}", style=CURRENT_STYLE)
        else:
            chip = Text()
            chip.append(reason.key, style="bold")
            chip.append(f" {title}", style=SUGGESTED_STYLE if reason.id == self._suggestion else "")
        if reason.id == self._suggestion:
            chip.append(f" {self._accept_key}", style="bold yellow")
        return chip
