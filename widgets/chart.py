"""A terminal bar chart of tagged share against label share per exit reason, with intervals.

Each reason takes two lines: the tagged share as a bar with its 95% interval drawn across it
(`├` and `┤` at the bounds, `─` between them beyond the bar), then the label share as a bar.
Titles are drawn as literal text, never parsed as markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

TAGGED_STYLE = "on dodger_blue3"
LABELLED_STYLE = "on dark_goldenrod"
INTERVAL_STYLE = "bold"

# Columns for the reason title and for the figures right of the bars.
TITLE_WIDTH = 24
FIGURES_WIDTH = 15
MINIMUM_BAR_WIDTH = 10


@dataclass(frozen=True)
class ChartRow:
    """The shares of one reason, each between 0 and 1."""

    title: str
    tagged_share: float
    # None when no analytics label maps to a reason, so the dashboard's share is unknown.
    labelled_share: float | None
    ci_low: float
    ci_high: float


def axis_maximum(rows: Sequence[ChartRow]) -> float:
    """Return the share at the right end of the bars: the largest value drawn, up to a multiple of 10%."""
    largest = max(
        (max(row.ci_high, row.labelled_share or 0.0, row.tagged_share) for row in rows), default=0.0
    )
    return min(1.0, max(0.1, math.ceil(largest * 10 - 1e-9) / 10))


def _cell(share: float, maximum: float, width: int) -> int:
    # The column a share falls in, kept inside the bar area.
    return min(width - 1, max(0, math.floor(share / maximum * width)))


def tagged_line(row: ChartRow, maximum: float, width: int) -> Text:
    """Draw the tagged-share bar with the interval across it, `width` columns wide."""
    filled = round(min(row.tagged_share, maximum) / maximum * width)
    low, high = _cell(row.ci_low, maximum, width), _cell(row.ci_high, maximum, width)
    line = Text(no_wrap=True)
    for column in range(width):
        style = TAGGED_STYLE if column < filled else ""
        if column == low and column == high:
            character = "┼"
        elif column == low:
            character = "├"
        elif column == high:
            character = "┤"
        elif low < column < high and column >= filled:
            character = "─"
        else:
            character = " "
        line.append(character, style=f"{style} {INTERVAL_STYLE}".strip() if character != " " else style)
    return line


def labelled_line(row: ChartRow, maximum: float, width: int) -> Text:
    """Draw the label-share bar, `width` columns wide; blank when the share is unknown."""
    filled = round(min(row.labelled_share or 0.0, maximum) / maximum * width)
    line = Text(no_wrap=True)
    line.append(" " * filled, style=LABELLED_STYLE)
    line.append(" " * (width - filled))
    return line


def chart_text(rows: Sequence[ChartRow], width: int) -> Text:
    """Draw the whole chart for a widget `width` columns wide."""
    if not rows:
        return Text("No tagged sessions yet, so there is nothing to chart.", style="dim")
    title_width = min(TITLE_WIDTH, max(len(row.title) for row in rows))
    bar_width = max(MINIMUM_BAR_WIDTH, width - title_width - FIGURES_WIDTH - 9)
    maximum = axis_maximum(rows)
    chart = Text(no_wrap=True)
    chart.append_text(_legend(title_width, width))
    for row in rows:
        chart.append("\n")
        chart.append(_fit(row.title, title_width), style="bold")
        chart.append(" tagged ")
        chart.append_text(tagged_line(row, maximum, bar_width))
        chart.append(f" {row.tagged_share * 100:3.0f}% ({row.ci_low * 100:.0f}-{row.ci_high * 100:.0f}%)")
        chart.append("\n")
        chart.append(" " * title_width + " label  ")
        chart.append_text(labelled_line(row, maximum, bar_width))
        if row.labelled_share is None:
            chart.append("    – (no label maps to a reason)", style="dim")
        else:
            chart.append(f" {row.labelled_share * 100:3.0f}%")
    chart.append("\n" + " " * (title_width + 8) + _scale(maximum, bar_width), style="dim")
    return chart


def _fit(title: str, width: int) -> str:
    return title.ljust(width) if len(title) <= width else title[: width - 1] + "…"


def _legend(title_width: int, width: int) -> Text:
    legend = Text(no_wrap=True)
    legend.append("  ", style=TAGGED_STYLE)
    legend.append(" tagged share  ├─┤ 95% interval  ")
    legend.append("  ", style=LABELLED_STYLE)
    legend.append(" label share (dashboard)")
    # Line the legend up with the bars when the line has room for both.
    indent = title_width + 8 if title_width + 8 + legend.cell_len <= width else 0
    return Text(" " * indent, no_wrap=True) + legend


def _scale(maximum: float, width: int) -> str:
    left, right = "0%", f"{maximum * 100:.0f}%"
    return left + " " * max(1, width - len(left) - len(right)) + right


class ShareChart(Widget):
    """The bar chart of the report screen; call `show` with new rows."""

    DEFAULT_CSS = """
    ShareChart {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: tuple[ChartRow, ...] = ()

    def show(self, rows: Sequence[ChartRow]) -> None:
        """Replace the rows and redraw; the height follows the number of rows."""
        self._rows = tuple(rows)
        self.refresh(layout=True)

    @property
    def rows(self) -> tuple[ChartRow, ...]:
        """The rows on display."""
        return self._rows

    def render(self) -> Text:
        return chart_text(self._rows, self.size.width or 80)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self._rows:
            return 1
        return 2 + 2 * len(self._rows)
