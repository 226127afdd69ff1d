"""Tag all similar: preview the untagged sessions that resemble one session and tag them together.

The group is read in a thread worker. Every member is shown with its signature, the parts that
differ from the session the group was opened from highlighted. A reason key (or enter, for the
highlighted default) tags every included session in one transaction under one bulk id, so one undo
reverts the whole group.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import duckdb
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from app.screens.dialogs import ErrorDialog
from queries import tags
from queries.errors import StripdownError
from queries.sample import active_sample_id
from queries.signals import Signal, strongest_signals
from queries.similar import (
    Signature,
    SimilarityIndex,
    SimilarSession,
    build_index,
    difference_spans,
    untagged_sessions,
)
from widgets.reason_bar import ReasonBar

if TYPE_CHECKING:
    from app.app import StripdownApp

log = logging.getLogger(__name__)

DIFFERENCE_STYLE = "bold yellow"
EXCLUDED_STYLE = "dim strike"
THRESHOLD_STEP = 5.0
THRESHOLD_RANGE = (5.0, 100.0)
COLUMNS = ("", "session", "score", "exit page", "last message", "last events", "signal")


@dataclass(frozen=True)
class Group:
    """The screen's data: the anchor session, the sample's similarity index, tags and suggestions."""

    sample_id: int
    anchor: Signature
    anchor_reason: str | None
    anchor_untagged: bool
    index: SimilarityIndex
    untagged: frozenset[str]
    strongest: dict[str, Signal]


class GroupLoaded(Message):
    """The sample's signatures, tags and suggestions were read."""

    def __init__(self, group: Group) -> None:
        super().__init__()
        self.group = group


class GroupTagged(Message):
    """The included sessions were tagged; `count` is how many."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count


class GroupFailed(Message):
    """Reading or tagging failed; the message is shown in an error dialog."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.title = title
        self.message = message


def highlighted(text: str, reference: str | None) -> Text:
    """Return `text` as literal text, with the words missing from `reference` highlighted."""
    result = Text(text)
    if reference is not None:
        for start, end in difference_spans(reference, text):
            result.stylize(DIFFERENCE_STYLE, start, end)
    return result


class SimilarScreen(ModalScreen[int]):
    """The group of untagged sessions that look like `session_id`; dismisses with how many were tagged."""

    CSS_PATH = "similar.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="similar.cancel"),
        Binding("enter", "confirm", "tag all", id="similar.confirm", priority=True),
        Binding("space", "toggle_member", "include / leave out", id="similar.toggle"),
        Binding("plus,equals_sign", "threshold(1)", "stricter", id="similar.stricter"),
        Binding("minus", "threshold(-1)", "looser", id="similar.looser"),
    ]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.group: Group | None = None
        self.members: list[SimilarSession] = []
        self.excluded: set[str] = set()
        self.threshold = 0.0
        self.saving = False

    @property
    def stripdown(self) -> StripdownApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog similar"):
            yield Label(Text(f"Sessions like {self.session_id}", style="bold"), id="similar-title")
            yield Static(Text("reading the sample's signatures…", style="dim"), id="similar-anchor")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="similar-members")
            yield ReasonBar(self.stripdown.config.reasons, id="similar-reasons")
            yield Label(
                Text(
                    "reason key or enter tags every ticked session · space leaves one out · "
                    "+ / - stricter or looser · escape cancels",
                    style="dim",
                ),
                id="similar-hint",
            )

    def on_mount(self) -> None:
        self.threshold = self.stripdown.config.signals.similarity
        for reason in self.stripdown.config.reasons:
            self._bindings.bind(reason.key, f"tag('{reason.id}')", reason.title, show=False)
        self.query_one(DataTable).add_columns(*COLUMNS)
        self._read_group()

    # Reading, in a thread worker

    @work(thread=True, exclusive=True, group="similar")
    def _read_group(self) -> None:
        app = self.stripdown
        try:
            group = read_group(app.workspace.cursor(), self.session_id, app.auditor, self.threshold)
        except (duckdb.Error, StripdownError) as error:
            log.exception("reading the sessions like %r failed", self.session_id)
            self.post_message(GroupFailed("Similar sessions not read", f"reading the group failed: {error}"))
            return
        self.post_message(GroupLoaded(group))

    @on(GroupLoaded)
    def show_group(self, message: GroupLoaded) -> None:
        self.group = message.group
        self._show_members()

    @on(GroupFailed)
    def show_failure(self, message: GroupFailed) -> None:
        self.saving = False
        self.app.push_screen(ErrorDialog(message.title, message.message))

    def _show_members(self) -> None:
        group = self.group
        if group is None:
            return
        others = group.index.similar(self.session_id, group.untagged)
        self.members = (
            [SimilarSession(self.session_id, 100.0, -1, group.anchor)] if group.anchor_untagged else []
        )
        self.members += others
        self.excluded &= {member.session_id for member in self.members}
        self._show_title(len(others))
        self._show_anchor(group.anchor)
        table = self.query_one(DataTable)
        table.clear()
        for member in self.members:
            table.add_row(*self._cells(member), key=member.session_id)
        self._show_default_reason()

    def _show_title(self, count: int) -> None:
        noun = "session" if count == 1 else "sessions"
        title = Text(f"{count} untagged {noun} like ", style="bold")
        title.append(self.session_id)
        if self.members and self.members[0].session_id == self.session_id:
            title.append(", and that one itself", style="bold")
        title.append(f" (similarity ≥ {self.threshold:g})", style="dim")
        self.query_one("#similar-title", Label).update(title)

    def _show_anchor(self, anchor: Signature) -> None:
        parts = (
            ("exit page", anchor.path),
            ("last message", anchor.message),
            ("last events", anchor.event_path),
            ("signal", anchor.signal),
        )
        text = Text()
        for label, value in parts:
            if text:
                text.append(" · ", style="dim")
            text.append(f"{label} ", style="dim")
            text.append(value or "none")
        if not self.members:
            text.append(
                "\nNo untagged session resembles this one; press - to loosen the threshold.",
                style="italic",
            )
        self.query_one("#similar-anchor", Static).update(text)

    def _cells(self, member: SimilarSession) -> tuple[Text, ...]:
        assert self.group is not None
        anchor = self.group.anchor
        reference = None if member.session_id == self.session_id else anchor
        style = EXCLUDED_STYLE if member.session_id in self.excluded else ""
        mark = Text("·" if member.session_id in self.excluded else "✓", style=style)
        session = Text(member.session_id, style=style)
        if member.session_id == self.session_id:
            session.append(" (this one)", style="dim")
        return (
            mark,
            session,
            Text(f"{member.score:.0f}", style=style),
            highlighted(member.signature.path, reference.path if reference else None),
            highlighted(member.signature.message, reference.message if reference else None),
            highlighted(member.signature.event_path, reference.event_path if reference else None),
            highlighted(member.signature.signal, reference.signal if reference else None),
        )

    def _show_default_reason(self) -> None:
        group = self.group
        current = group.anchor_reason if group else None
        self.query_one(ReasonBar).show(current, self.default_reason())

    def default_reason(self) -> str | None:
        """Return the reason enter applies: the anchor's own tag, else the most common suggestion."""
        group = self.group
        if group is None:
            return None
        if group.anchor_reason is not None:
            return group.anchor_reason
        votes = Counter(
            signal.reason
            for member in self.members
            if member.session_id not in self.excluded
            and (signal := group.strongest.get(member.session_id)) is not None
            and signal.reason is not None
        )
        if not votes:
            return None
        anchor_signal = group.strongest.get(self.session_id)
        top = max(votes.values())
        if (
            anchor_signal is not None
            and anchor_signal.reason is not None
            and votes[anchor_signal.reason] == top
        ):
            return anchor_signal.reason
        return votes.most_common(1)[0][0]

    # Keys

    def action_cancel(self) -> None:
        if not self.saving:
            self.dismiss(0)

    def action_toggle_member(self) -> None:
        table = self.query_one(DataTable)
        if not self.members or self.saving:
            return
        member = self.members[table.cursor_row]
        self.excluded ^= {member.session_id}
        for column, cell in zip(table.ordered_columns, self._cells(member), strict=True):
            table.update_cell(member.session_id, column.key, cell)
        self._show_default_reason()

    def action_threshold(self, direction: int) -> None:
        if self.group is None or self.saving:
            return
        low, high = THRESHOLD_RANGE
        self.threshold = min(high, max(low, self.threshold + direction * THRESHOLD_STEP))
        self.group.index.threshold = self.threshold
        self._show_members()

    def action_confirm(self) -> None:
        reason = self.default_reason()
        if reason is None:
            self.notify("No reason to suggest for this group; press a reason key.", markup=False)
            return
        self.action_tag(reason)

    def action_tag(self, reason_id: str) -> None:
        if self.group is None or self.saving or self.stripdown.config.reason(reason_id) is None:
            return
        included = [member.session_id for member in self.members if member.session_id not in self.excluded]
        if not included:
            self.notify("No session is ticked; space ticks one again, escape cancels.", markup=False)
            return
        self.saving = True
        self._tag_group(reason_id, included)

    # Writing, in a thread worker because a group can hold hundreds of sessions

    @work(thread=True, exclusive=True, group="similar")
    def _tag_group(self, reason_id: str, session_ids: list[str]) -> None:
        assert self.group is not None
        app = self.stripdown
        try:
            with app.workspace.transaction() as cursor:
                tag_group(cursor, self.group, self.session_id, app.auditor, reason_id, session_ids)
        except duckdb.Error as error:
            log.exception("bulk tag of the sessions like %r failed", self.session_id)
            self.post_message(
                GroupFailed("Not saved", f"tagging the group failed, nothing was saved: {error}")
            )
            return
        self.post_message(GroupTagged(len(session_ids)))

    @on(GroupTagged)
    def finish(self, message: GroupTagged) -> None:
        self.dismiss(message.count)


def read_group(cursor: duckdb.DuckDBPyConnection, session_id: str, auditor: str, threshold: float) -> Group:
    """Read what the screen needs about the active sample's sessions resembling `session_id`."""
    sample_id = active_sample_id(cursor)
    if sample_id is None:
        raise StripdownError("no audit sample has been drawn; draw one with: stripdown sample -w WORKSPACE")
    index = build_index(cursor, sample_id, threshold)
    anchor = index.signature(session_id)
    if anchor is None:
        raise StripdownError(f"session {session_id} is not in the active sample {sample_id}")
    untagged = untagged_sessions(cursor, sample_id, auditor)
    state = tags.current_states(cursor, auditor).get(session_id)
    anchor_reason = state.reason if state is not None and state.action != "clear" else None
    return Group(
        sample_id=sample_id,
        anchor=anchor,
        anchor_reason=anchor_reason,
        anchor_untagged=session_id in untagged,
        index=index,
        untagged=frozenset(untagged),
        strongest=strongest_signals(cursor, sample_id),
    )


# The start of the note a group tag carries; the anchor session's id follows.
BULK_NOTE_PREFIX = "bulk: like "


def tag_group(
    cursor: duckdb.DuckDBPyConnection,
    group: Group,
    anchor_id: str,
    auditor: str,
    reason_id: str,
    session_ids: list[str],
) -> int:
    """Tag the sessions under one new bulk id, each with its suggestion and whether it was taken.

    Each tag's note names the session the group was formed around, after any note the auditor
    wrote earlier. The caller runs this in a transaction, so the group is tagged
    whole or not at all.
    """
    bulk_id = tags.next_bulk_id(cursor)
    states = tags.current_states(cursor, auditor)
    bulk_note = f"{BULK_NOTE_PREFIX}{anchor_id}"
    for session_id in session_ids:
        signal = group.strongest.get(session_id)
        state = states.get(session_id)
        own_note = state.note if state is not None else None
        if own_note:
            own_note = own_note.split(f" · {BULK_NOTE_PREFIX}")[0]
        if own_note and not own_note.startswith(BULK_NOTE_PREFIX):
            note = f"{own_note} · {bulk_note}"
        else:
            note = bulk_note
        tags.append(
            cursor,
            session_id,
            auditor,
            "tag",
            reason=reason_id,
            note=note,
            suggested_reason=signal.reason if signal else None,
            accepted=(signal.reason == reason_id) if signal else None,
            evidence=list(signal.event_ids) if signal else None,
            bulk_id=bulk_id,
            sample_id=group.sample_id,
        )
    return bulk_id
