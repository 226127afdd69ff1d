"""Small modal dialogs of the triage screen: note, go to, search, and an error a user can copy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from queries.review import SearchCandidate, SearchHit, search_sessions

CANCEL = Binding("escape", "cancel", "cancel", id="dialog.cancel")


class InputDialog(ModalScreen[str | None]):
    """Ask for one line of text; enter returns it and escape returns None."""

    BINDINGS: ClassVar[list[BindingType]] = [CANCEL]

    def __init__(self, title: str, hint: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._title = title
        self._hint = hint
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self._title, style="bold"))
            yield Input(value=self._value, placeholder=self._placeholder)
            yield Label(Text(self._hint, style="dim"))

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def note_dialog(session_id: str, note: str | None) -> InputDialog:
    """Return the dialog that edits the note of a session."""
    return InputDialog(
        f"Note for session {session_id}",
        "enter saves · escape cancels · an empty note clears it",
        value=note or "",
        placeholder="what the timeline shows",
    )


def goto_dialog() -> InputDialog:
    """Return the dialog that asks for a session id."""
    return InputDialog(
        "Go to session",
        "enter goes · escape cancels · a unique start of an id is enough",
        placeholder="session id",
    )


class SearchDialog(ModalScreen[str | None]):
    """Fuzzy search over the sample's session ids, labels, URLs and messages; returns a session id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        CANCEL,
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    class CandidatesLoaded(Message):
        """The searchable texts were read."""

        def __init__(self, candidates: list[SearchCandidate]) -> None:
            super().__init__()
            self.candidates = candidates

    class SearchFinished(Message):
        """Hits for one query were ranked."""

        def __init__(self, query: str, hits: list[SearchHit]) -> None:
            super().__init__()
            self.query = query
            self.hits = hits

    def __init__(self, load_candidates: Callable[[], list[SearchCandidate]]) -> None:
        super().__init__()
        self._load_candidates = load_candidates
        self._candidates: list[SearchCandidate] | None = None
        self._hits: list[SearchHit] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog search"):
            yield Label(Text("Search the sample", style="bold"))
            yield Input(placeholder="session id, URL, message or label")
            yield OptionList(id="search-results")
            yield Label(Text("reading the sample…", style="dim"), id="search-status")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._read_candidates()

    @work(thread=True, group="search-candidates")
    def _read_candidates(self) -> None:
        self.post_message(self.CandidatesLoaded(self._load_candidates()))

    def on_search_dialog_candidates_loaded(self, message: CandidatesLoaded) -> None:
        self._candidates = message.candidates
        self._set_status(f"{len(message.candidates)} texts searchable · enter opens · escape cancels")
        self._rank(self.query_one(Input).value)

    @on(Input.Changed)
    def query_changed(self, event: Input.Changed) -> None:
        self._rank(event.value)

    def _rank(self, query: str) -> None:
        if self._candidates is not None:
            self._search(self._candidates, query)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, candidates: Sequence[SearchCandidate], query: str) -> None:
        self.post_message(self.SearchFinished(query, search_sessions(candidates, query)))

    def on_search_dialog_search_finished(self, message: SearchFinished) -> None:
        if message.query != self.query_one(Input).value:
            return
        self._hits = message.hits
        results = self.query_one(OptionList)
        results.clear_options()
        results.add_options(Option(hit_text(hit)) for hit in message.hits)
        if message.hits:
            results.highlighted = 0
            noun = "session matches" if len(message.hits) == 1 else "sessions match"
            self._set_status(f"{len(message.hits)} {noun} · enter opens · escape cancels")
        elif message.query.strip():
            self._set_status("no session matches · escape cancels")
        elif self._candidates is not None:
            self._set_status(f"{len(self._candidates)} texts searchable · enter opens · escape cancels")

    @on(Input.Submitted)
    def open_highlighted(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None and highlighted < len(self._hits):
            self.dismiss(self._hits[highlighted].session_id)

    @on(OptionList.OptionSelected)
    def open_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._hits[event.option_index].session_id)

    def action_move(self, step: int) -> None:
        results = self.query_one(OptionList)
        if step > 0:
            results.action_cursor_down()
        else:
            results.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _set_status(self, text: str) -> None:
        self.query_one("#search-status", Label).update(Text(text, style="dim"))


def hit_text(hit: SearchHit) -> Text:
    """Return a search hit as literal text: the session id, then the field and value that matched."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(hit.session_id, style="bold")
    if hit.field != "session":
        text.append(f"  {hit.field} ", style="dim")
        text.append(hit.value)
    return text


class ErrorDialog(ModalScreen[None]):
    """Shows a failure with a title and a message the user can select and copy."""

    BINDINGS: ClassVar[list[BindingType]] = [CANCEL, Binding("enter", "cancel", show=False)]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self._title = title
        self._message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error"):
            yield Label(Text(self._title, style="bold red"))
            yield TextArea(self._message, read_only=True, soft_wrap=True, id="error-message")
            yield Label(Text("enter or escape closes", style="dim"))

    def action_cancel(self) -> None:
        self.dismiss(None)
