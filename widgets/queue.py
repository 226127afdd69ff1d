"""The sample queue: one row per sampled session with its current mark, exit stage and label."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from queries.config import Config
from queries.review import QueueRow
from widgets.text import literal

MARK_COLUMN = 1


def mark_text(row: QueueRow, config: Config) -> Text:
    """Return the queue mark of a session: its reason, skip, flag, or a dot when still open."""
    if row.action == "tag" and row.reason:
        reason = config.reason(row.reason)
        label = f"{reason.key} {reason.title}" if reason else row.reason
        return Text(label, style="green", no_wrap=True, overflow="ellipsis")
    if row.action == "skip":
        return Text("skip", style="dim")
    if row.action == "flag":
        return Text("flag", style="bold magenta")
    return Text("·", style="bold yellow")


def column_widths(width: int) -> dict[str, int]:
    """Split the queue's width between its columns; stage and label appear when there is room."""
    # One cell of padding on each side of a column, one cell for the vertical scrollbar.
    usable = width - 1
    widths = {"position": 3, "mark": 5, "session": max(usable - 3 - 5 - 6, 6)}
    if usable >= 56:
        widths["mark"] = 14
        widths["stage"] = 10
        widths["session"] = 14
        widths["label"] = max(usable - 3 - 14 - 14 - 10 - 10, 6)
    return widths


class SampleQueue(DataTable[Text]):
    """The audit sample in review order; the row cursor is the current session."""

    class SessionChosen(Message):
        """The user clicked a row."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, id=id)
        self.can_focus = False
        self._config = config
        self._rows: Sequence[QueueRow] = ()
        self._layout_width = -1

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width == self._layout_width:
            return
        self._layout_width = event.size.width
        cursor = self.cursor_row
        self.clear(columns=True)
        labels = {
            "position": "#",
            "mark": "tag",
            "session": "session",
            "stage": "exit stage",
            "label": "label",
        }
        for key, width in column_widths(self._layout_width).items():
            self.add_column(labels[key], width=width, key=key)
        self._add_rows()
        self.move_cursor(row=cursor, animate=False)

    def show_rows(self, rows: Sequence[QueueRow]) -> None:
        """Replace the table's rows with the sample's sessions."""
        self._rows = rows
        self.clear()
        self._add_rows()

    def show_mark(self, index: int, row: QueueRow) -> None:
        """Redraw the mark of one row after its state changed."""
        self.update_cell_at(Coordinate(index, MARK_COLUMN), mark_text(row, self._config))

    def _add_rows(self) -> None:
        if not self.columns:
            return
        keys = list(self.columns)
        self.add_rows(self._cells(row, keys) for row in self._rows)

    def _cells(self, row: QueueRow, keys: list[ColumnKey]) -> list[Text]:
        values = {
            "position": Text(str(row.position), style="dim", justify="right"),
            "mark": mark_text(row, self._config),
            "session": literal(row.session_id),
            "stage": literal(row.exit_stage),
            "label": literal(row.label),
        }
        return [values[str(key.value)] for key in keys]

    async def _on_click(self, event: events.Click) -> None:
        await super()._on_click(event)
        row = event.style.meta.get("row")
        if isinstance(row, int) and row >= 0:
            self.post_message(self.SessionChosen(row))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
