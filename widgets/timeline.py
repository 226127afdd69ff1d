"""The timeline of one session: its events in order, ending at the exit."""

from __future__ import annotations

import re
from datetime import datetime

from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import DataTable

from queries.review import SessionDetail, TimelineEvent
from widgets.text import format_duration, format_offset, literal

_ERROR_NAME = re.compile(r"error|exception|crash|fail", re.IGNORECASE)

# Below this many cells the status, URL, message and target share one column.
FULL_LAYOUT_WIDTH = 90
OFFSET_WIDTH = 9
GAP_WIDTH = 8
STATUS_WIDTH = 3


def event_style(event: TimelineEvent) -> str:
    """Return the row style: red for errors and 5xx, yellow for 4xx, plain otherwise."""
    if event.status is not None and event.status >= 500:
        return "bold red"
    if event.event and _ERROR_NAME.search(event.event):
        return "bold red"
    if event.status is not None and event.status >= 400:
        return "yellow"
    return ""


def detail_text(event: TimelineEvent, style: str, *, with_url: bool) -> Text:
    """Return status and URL (when asked), message and target of an event as one literal cell."""
    parts: list[str] = []
    if with_url:
        parts += [str(event.status) if event.status is not None else "", event.url or ""]
    parts += [event.message or "", f"@ {event.target}" if event.target else ""]
    joined = "  ".join(part for part in parts if part)
    return literal(joined, style) if joined else Text("")


class SessionTimeline(DataTable[Text]):
    """The events of the current session, with a separator row for each gap over the idle threshold.

    Column widths follow the widget's width, so a row never needs horizontal scrolling and a new
    session never changes the layout.
    """

    # Textual lays out the whole screen again whenever a widget's virtual size changes, which here
    # is every new session, and that reflow took most of a keypress. The timeline's own size is
    # fixed and its vertical scrollbar is always shown (app.tcss), so a new height only has to
    # update the scrollbar.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(cursor_type="none", zebra_stripes=False, show_cursor=False, id=id)
        self.can_focus = False
        self.idle_seconds = 600.0
        self._detail: SessionDetail | None = None
        self._note: str | None = None
        self._message = ""
        self._layout_width = -1

    def watch_virtual_size(self, virtual_size: Size) -> None:
        self._scroll_update(virtual_size)

    @property
    def full_layout(self) -> bool:
        """True when the URL and status have columns of their own."""
        return self._layout_width >= FULL_LAYOUT_WIDTH

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._layout_width:
            self._layout_width = event.size.width
            self._add_columns()
            self._redraw()

    def show_session(self, detail: SessionDetail, note: str | None = None) -> None:
        """Fill the table with the session's events and the auditor's note, and scroll to the exit."""
        self._detail = detail
        self._note = note
        self._redraw()

    def show_note(self, note: str | None) -> None:
        """Replace the auditor's note below the events of the session on show."""
        if note != self._note and self._detail is not None:
            self._note = note
            self._redraw()

    def show_message(self, message: str) -> None:
        """Empty the table and show one line of explanation instead."""
        self._detail = None
        self._message = message
        self._redraw()

    def _add_columns(self) -> None:
        self.clear(columns=True)
        # Each column has one cell of padding on both sides, and the vertical scrollbar takes one cell.
        fixed = OFFSET_WIDTH + GAP_WIDTH
        available = max(self._layout_width - 1, 30)
        self.add_column("offset", width=OFFSET_WIDTH, key="offset")
        self.add_column("gap", width=GAP_WIDTH, key="gap")
        if self.full_layout:
            event_width = 18
            rest = available - fixed - event_width - STATUS_WIDTH - 2 * 6
            url_width = max(rest * 2 // 5, 10)
            self.add_column("event", width=event_width, key="event")
            self.add_column("st", width=STATUS_WIDTH, key="status")
            self.add_column("url", width=url_width, key="url")
            self.add_column("message / target", width=max(rest - url_width, 10), key="detail")
        else:
            event_width = 11
            rest = available - fixed - event_width - 2 * 4
            self.add_column("event", width=event_width, key="event")
            self.add_column("detail", width=max(rest, 10), key="detail")

    def _redraw(self) -> None:
        if not self.columns:
            return
        self.clear()
        if self._detail is None:
            self.add_row(*self._note_row(Text(self._message, style="dim italic")))
            return
        detail = self._detail
        if detail.hidden_events:
            note = f"… {detail.hidden_events} earlier events not shown"
            self.add_row(*self._note_row(Text(note, style="dim italic")))
        self.add_rows(self._rows(detail))
        if self._note:
            note_text = Text("note ", style="bold", no_wrap=True, overflow="ellipsis")
            note_text.append_text(literal(self._note))
            self.add_row(*self._note_row(note_text))
        # The new rows are measured on the next refresh, and scroll_end waits for it before scrolling.
        self.scroll_end(animate=False, x_axis=False)

    def _rows(self, detail: SessionDetail) -> list[tuple[Text, ...]]:
        if not detail.events:
            return [self._note_row(Text("no events", style="dim italic"))]
        evidence = {event_id for signal in detail.signals for event_id in signal.event_ids}
        start = detail.facts.started_at if detail.facts else detail.events[0].ts
        rows: list[tuple[Text, ...]] = []
        previous: TimelineEvent | None = None
        last = len(detail.events) - 1
        for index, event in enumerate(detail.events):
            gap = (event.ts - previous.ts).total_seconds() if previous is not None else None
            if gap is not None and gap > self.idle_seconds:
                rows.append(self._idle_row(gap))
            rows.append(self._event_row(event, start, gap, event.event_id in evidence, index == last))
            previous = event
        return rows

    def _event_row(
        self, event: TimelineEvent, start: datetime, gap: float | None, is_evidence: bool, is_exit: bool
    ) -> tuple[Text, ...]:
        style = event_style(event)
        offset = format_offset((event.ts - start).total_seconds())
        if is_exit:
            offset_cell = Text(offset, style="bold reverse")
        elif is_evidence:
            offset_cell = Text(offset, style="bold red")
        else:
            offset_cell = Text(offset, style="dim")
        cells = [
            offset_cell,
            Text("" if gap is None else "+" + format_duration(gap), style="dim"),
            literal(event.event, style or "bold"),
        ]
        if self.full_layout:
            cells += [literal(event.status, style), literal(event.url, style)]
        cells.append(detail_text(event, style, with_url=not self.full_layout))
        return tuple(cells)

    def _idle_row(self, gap: float) -> tuple[Text, ...]:
        style = "bold cyan"
        cells = [Text(""), Text("+" + format_duration(gap), style=style), Text("── idle ──", style=style)]
        cells += [Text("─" * 200, style=style, no_wrap=True, overflow="crop")] * (len(self.columns) - 3)
        return tuple(cells)

    def _note_row(self, text: Text) -> tuple[Text, ...]:
        """Return a row that carries a short explanation in the last, widest column."""
        return (*[Text("")] * (len(self.columns) - 1), text)
