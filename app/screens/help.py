"""The help screen: every key of the triage screen and what it does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label


class HelpScreen(ModalScreen[None]):
    """Lists (keys, what they do) rows; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "close", id="help.close"),
        Binding("j,down", "scroll(1)", show=False),
        Binding("k,up", "scroll(-1)", show=False),
    ]

    def __init__(self, entries: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self._entries = entries

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label(Text("Keys of the triage screen", style="bold"))
            yield DataTable(cursor_type="none", show_cursor=False, id="help-keys")
            yield Label(Text("escape closes · rebind in stripdown.toml: [keys] and [[reasons]]", style="dim"))

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("keys", key="keys")
        table.add_column("does", key="does")
        table.add_rows((Text(keys, style="bold"), Text(does)) for keys, does in self._entries)

    def action_scroll(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.scroll_relative(y=step, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
