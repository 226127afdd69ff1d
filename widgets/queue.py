"""The sample queue: one row per sampled session with its current mark, exit stage and label."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from queries.config import Config
from queries.review import QueueRow
from widgets.text import literal

MARK_COLUMN = 1
# DataTable's private render caches that hold a row's cells. NOTE: `show_mark` relies on their keys
# in Textual 8.2: the cell and row caches start with the row key, and the renderable cache is keyed
# by (update count, row index). Without these attributes it falls back to `update_cell_at`.
RENDER_CACHES = ("_cell_render_cache", "_row_render_cache", "_row_renderable_cache")


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
        mark = mark_text(row, self._config)
        caches = [getattr(self, name, None) for name in RENDER_CACHES]
        if not all(isinstance(cache, LRUCache) for cache in caches):
            self.update_cell_at(Coordinate(index, MARK_COLUMN), mark)
            return
        cell_cache, row_cache, renderable_cache = cast(list[LRUCache[Any, Any]], caches)
        # DataTable.update_cell drops the rendering of every cell, and redrawing the whole queue
        # doubled the time of a tag keypress. Only this row changed, so only its renders are dropped.
        row_key = self.coordinate_to_cell_key(Coordinate(index, MARK_COLUMN)).row_key
        self._data[row_key][self.ordered_columns[MARK_COLUMN].key] = mark
        for cache in (cell_cache, row_cache):
            for key in [key for key in cache.keys() if key[0] == row_key]:  # noqa: SIM118 (not iterable)
                cache.discard(key)
        renderable_cache.discard((self._update_count, index))
        self._line_cache.clear()
        self.refresh_row(index)

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
