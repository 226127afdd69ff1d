"""The triage screen: step through the audit sample and tag the real exit reason of each session.

Reads run in thread workers with their own cursor and post messages, and only handlers change widgets.
Writes (tag, skip, flag, note, undo) run in the key handler on the main thread's cursor, because each
is one small insert that must be committed before the next frame.
"""

from __future__ import annotations

import gc
import importlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

import duckdb
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.command import Provider
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from app.keys import display_keys, help_entries, triage_bindings
from app.screens.commands import TriageCommands
from app.screens.dialogs import ErrorDialog, SearchDialog, goto_dialog, note_dialog
from app.screens.help import HelpScreen
from queries import review, tags
from queries.config import Config
from queries.errors import StripdownError
from queries.review import QueueRow, SampleInfo, SearchCandidate, SessionDetail
from queries.workspace import Workspace
from widgets.facts import SessionFactsPanel, counting_line, look_alikes_line
from widgets.progress import ProgressFigures, ReviewProgress
from widgets.queue import SampleQueue
from widgets.reason_bar import ReasonBar
from widgets.timeline import SessionTimeline

if TYPE_CHECKING:
    from app.app import StripdownApp
    from queries.similar import SimilarityIndex

log = logging.getLogger(__name__)

# Sessions kept in memory: the prefetch window in both directions and a few jumps back.
CACHE_SIZE = 32
# How many sessions after the current one (and open sessions ahead) are read before they are needed.
PREFETCH = 3


@dataclass(frozen=True)
class StartingState:
    """The queue and the first session, read before the app starts so its first frame shows them."""

    sample: SampleInfo | None
    rows: list[QueueRow]
    activity: list[datetime]
    detail: SessionDetail | None


def read_queue(
    cursor: duckdb.DuckDBPyConnection, auditor: str
) -> tuple[SampleInfo | None, list[QueueRow], list[datetime]]:
    """Read the active sample, its queue with `auditor`'s states, and the times of their actions."""
    sample = review.active_sample(cursor)
    if sample is None:
        return None, [], []
    rows = review.load_queue(cursor, sample.sample_id, auditor)
    return sample, rows, review.activity_times(cursor, sample.sample_id, auditor)


def read_starting_state(workspace: Workspace, auditor: str, config: Config) -> StartingState:
    """Read the active sample's queue for `auditor` and the session the screen opens at."""
    cursor = workspace.cursor()
    sample, rows, activity = read_queue(cursor, auditor)
    detail = None
    if sample is not None and rows:
        first = rows[resume_index(rows)].session_id
        detail = review.load_session(cursor, sample.sample_id, first, config)
    return StartingState(sample, rows, activity, detail)


def resume_index(rows: list[QueueRow]) -> int:
    """Return where a review resumes: the first session still open, else the first one."""
    return next((i for i, row in enumerate(rows) if row.is_open), 0)


class QueueLoaded(Message):
    """The active sample and this auditor's states were read."""

    def __init__(
        self,
        sample: SampleInfo | None,
        rows: list[QueueRow],
        activity: list[datetime],
        keep_session: str | None,
    ) -> None:
        super().__init__()
        self.sample = sample
        self.rows = rows
        self.activity = activity
        self.keep_session = keep_session


class SessionLoaded(Message):
    """One session's facts, timeline and signals were read."""

    def __init__(self, detail: SessionDetail) -> None:
        super().__init__()
        self.detail = detail


class SimilarityRead(Message):
    """The signatures of the sample were read and every pair scored."""

    def __init__(self, sample_id: int, index: SimilarityIndex | None) -> None:
        super().__init__()
        self.sample_id = sample_id
        self.index = index


class LoadFailed(Message):
    """A read failed, and the message is shown in an error dialog."""

    def __init__(self, title: str, message: str, session_ids: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.title = title
        self.message = message
        self.session_ids = session_ids


def optional_screen(module_name: str, class_name: str) -> Any | None:
    """Return a screen class from a module that may not be installed yet, or None."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return None
        raise
    return getattr(module, class_name, None)


class TriageScreen(Screen[None]):
    """The sample queue, the current session's facts and timeline, the reason bar and progress."""

    BINDINGS: ClassVar[list[BindingType]] = triage_bindings()  # type: ignore[assignment]
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {TriageCommands}

    def __init__(self) -> None:
        super().__init__()
        self.sample: SampleInfo | None = None
        self.rows: list[QueueRow] = []
        self.index = 0
        self._cache: OrderedDict[str, SessionDetail] = OrderedDict()
        self._loading: set[str] = set()
        self._activity: list[datetime] = []
        self._candidates: list[SearchCandidate] | None = None
        self._candidates_lock = threading.Lock()
        self._queue_read = False
        self._similarity: SimilarityIndex | None = None
        self._similarity_sample: int | None = None

    @property
    def stripdown(self) -> StripdownApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    @property
    def current_row(self) -> QueueRow | None:
        """The session under the cursor, or None while the queue is empty."""
        return self.rows[self.index] if self.rows else None

    # Layout and start-up

    def compose(self) -> ComposeResult:
        config = self.stripdown.config
        yield Static(id="empty-state")
        with Horizontal(id="main"):
            yield SampleQueue(config, id="queue")
            with Vertical(id="session"):
                yield SessionFactsPanel(config, id="facts")
                yield SessionTimeline(id="timeline")
        yield ReasonBar(config.reasons, id="reasons")
        yield ReviewProgress(id="progress")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._bind_reasons()
        self._activity.append(self.stripdown.clock())
        self.query_one(SessionTimeline).idle_seconds = self.stripdown.config.signals.idle
        self.query_one(SessionFactsPanel).show_message("reading the audit sample…")
        self.query_one("#empty-state").display = False
        starting = self.stripdown.starting_state
        if starting is None:
            self._read_queue(None)
        else:
            self.stripdown.starting_state = None
            if starting.detail is not None:
                self._cache[starting.detail.session_id] = starting.detail
            self.on_queue_loaded(QueueLoaded(starting.sample, starting.rows, starting.activity, None))
        self.set_interval(1.0, self._show_progress)

    def _bind_reasons(self) -> None:
        bound_keys = {
            key.strip(): name for name, keys in self.stripdown.config.keys.items() for key in keys.split(",")
        }
        for reason in self.stripdown.config.reasons:
            if reason.key in bound_keys:
                self.notify(
                    f"Reason key {reason.key} ({reason.title}) is also bound to {bound_keys[reason.key]}, so "
                    "give one of them another key in stripdown.toml",
                    severity="warning",
                    markup=False,
                )
            self._bindings.bind(reason.key, f"tag('{reason.id}')", reason.title, show=False)

    # Reads, in thread workers

    @work(thread=True, exclusive=True, group="queue")
    def _read_queue(self, keep_session: str | None) -> None:
        app = self.stripdown
        cursor = app.workspace.cursor()
        try:
            sample, rows, activity = read_queue(cursor, app.auditor)
        except (duckdb.Error, StripdownError) as error:
            log.exception("reading the sample of %s failed", app.workspace.path)
            self.post_message(LoadFailed("Cannot read the audit sample", str(error)))
            return
        self.post_message(QueueLoaded(sample, rows, activity, keep_session))

    @work(thread=True, group="sessions")
    def _read_sessions(self, sample_id: int, session_ids: tuple[str, ...]) -> None:
        app = self.stripdown
        cursor = app.workspace.cursor()
        for session_id in session_ids:
            try:
                detail = review.load_session(cursor, sample_id, session_id, app.config)
            except (duckdb.Error, StripdownError) as error:
                log.exception("reading session %r failed", session_id)
                message = f"reading session {session_id} failed: {error}"
                self.post_message(LoadFailed("Cannot read a session", message, session_ids))
                return
            self.post_message(SessionLoaded(detail))

    @work(thread=True, exclusive=True, group="similarity")
    def _read_similarity(self, sample_id: int) -> None:
        # Imported here because numpy and rapidfuzz add a tenth of a second to start-up.
        from queries.similar import build_index

        app = self.stripdown
        try:
            index = build_index(app.workspace.cursor(), sample_id, app.config.signals.similarity)
        except (duckdb.Error, StripdownError):
            log.exception("scoring the look-alikes of sample %s failed", sample_id)
            index = None
        self.post_message(SimilarityRead(sample_id, index))

    def search_candidates(self) -> list[SearchCandidate]:
        """Return the sample's searchable texts, read once; runs in the search dialog's worker."""
        with self._candidates_lock:
            if self._candidates is None:
                sample_id = self.sample.sample_id if self.sample else -1
                self._candidates = review.search_candidates(self.stripdown.workspace.cursor(), sample_id)
            return self._candidates

    # Message handlers

    def on_queue_loaded(self, message: QueueLoaded) -> None:
        self._queue_read = True
        self.sample = message.sample
        self.rows = message.rows
        if message.keep_session is None:
            self._activity = sorted([*message.activity, *self._activity])
        if not self.rows:
            self._show_empty_state()
            return
        self.query_one("#empty-state").display = False
        self.query_one("#main").display = True
        self.query_one(SampleQueue).show_rows(self.rows)
        if self.sample is not None and self._similarity_sample != self.sample.sample_id:
            self._similarity = None
            self._similarity_sample = self.sample.sample_id
            # Scored after the first frame with a session, so it does not delay that frame.
            self.call_after_refresh(self._read_similarity, self.sample.sample_id)
        keep = self._row_index(message.keep_session) if message.keep_session else None
        self.go_to(keep if keep is not None else self._resume_index())
        # The widgets and the queue now live for the whole review. Freezing them keeps Python's
        # full garbage collections from walking them on a keypress. In the benchmark this cut the
        # 95th percentile of tag and move keys from about 65 ms to about 45 ms.
        gc.freeze()

    def on_session_loaded(self, message: SessionLoaded) -> None:
        detail = message.detail
        self._loading.discard(detail.session_id)
        self._cache[detail.session_id] = detail
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        row = self.current_row
        if row is not None and row.session_id == detail.session_id:
            self._show_detail(detail)

    def on_similarity_read(self, message: SimilarityRead) -> None:
        if message.sample_id != self._similarity_sample:
            return
        self._similarity = message.index
        self._show_look_alikes()

    def on_load_failed(self, message: LoadFailed) -> None:
        self._loading.difference_update(message.session_ids)
        self.app.push_screen(ErrorDialog(message.title, message.message))

    def on_sample_queue_session_chosen(self, message: SampleQueue.SessionChosen) -> None:
        if message.index != self.index:
            self.go_to(message.index)

    # Showing the current session

    def go_to(self, index: int) -> None:
        """Make the session at `index` current, show it at once if it is cached, and prefetch."""
        if not self.rows:
            return
        self.index = max(0, min(index, len(self.rows) - 1))
        self.query_one(SampleQueue).move_cursor(row=self.index, animate=False)
        row = self.rows[self.index]
        detail = self._cache.get(row.session_id)
        if detail is not None:
            self._cache.move_to_end(row.session_id)
            self._show_detail(detail)
        else:
            self.query_one(SessionFactsPanel).show_message(f"reading session {row.session_id}…")
            self.query_one(SessionTimeline).show_message("reading…")
            self.query_one(ReasonBar).show(self._current_reason(row), None, self._accept_key())
        self._show_look_alikes()
        self._prefetch()
        self._show_progress()

    def _show_detail(self, detail: SessionDetail) -> None:
        row = self.rows[self.index]
        self.query_one(SessionFactsPanel).show_session(detail)
        self.query_one(SessionTimeline).show_session(detail, row.note)
        self.query_one(ReasonBar).show(self._current_reason(row), detail.suggestion, self._accept_key())

    def _show_look_alikes(self) -> None:
        """Count the untagged sessions that resemble the current one; the scores are already in memory."""
        row = self.current_row
        facts = self.query_one(SessionFactsPanel)
        if row is None:
            return
        if self._similarity_sample is not None and self._similarity is None:
            facts.show_look_alikes(counting_line())
            return
        if self._similarity is None or row.session_id not in self._similarity:
            facts.show_look_alikes(look_alikes_line(None, ""))
            return
        untagged = {other.session_id for other in self.rows if not other.has_reason}
        count = len(self._similarity.similar(row.session_id, untagged))
        facts.show_look_alikes(look_alikes_line(count, display_keys(self._key_of("similar"))))

    def _show_reason_bar(self) -> None:
        row = self.current_row
        if row is None:
            return
        detail = self._cache.get(row.session_id)
        suggestion = detail.suggestion if detail else None
        self.query_one(ReasonBar).show(self._current_reason(row), suggestion, self._accept_key())

    def _prefetch(self) -> None:
        nearby = [self.rows[self.index].session_id]
        nearby += [row.session_id for row in self.rows[self.index + 1 : self.index + 1 + PREFETCH]]
        nearby += [self.rows[i].session_id for i in self._open_indexes_after(self.index)[:PREFETCH]]
        if self.index > 0:
            nearby.append(self.rows[self.index - 1].session_id)
        missing = tuple(
            dict.fromkeys(sid for sid in nearby if sid not in self._cache and sid not in self._loading)
        )
        if missing and self.sample is not None:
            self._loading.update(missing)
            self._read_sessions(self.sample.sample_id, missing)

    def _show_empty_state(self) -> None:
        path = self.stripdown.workspace.path
        if self.sample is None:
            text = (
                f"No audit sample in {path} yet.\n\n"
                f"Draw one, then open the workspace again:\n\n    stripdown sample -w {path}"
            )
        else:
            text = (
                f"The audit sample of {path} has no sessions.\n\n"
                f"Import more events or draw a new sample:\n\n    stripdown sample -w {path}"
            )
        self.query_one("#main").display = False
        empty = self.query_one("#empty-state", Static)
        empty.update(Text(text))
        empty.display = True
        self.query_one(SessionFactsPanel).show_message("")
        self._show_progress()

    def _show_progress(self) -> None:
        if not self._queue_read:
            return
        app = self.stripdown
        now = app.clock()
        tagged = sum(1 for row in self.rows if row.action == "tag")
        skipped = sum(1 for row in self.rows if row.action == "skip")
        flagged = sum(1 for row in self.rows if row.action == "flag")
        elapsed = review.active_seconds([*self._activity, now], app.config.signals.idle)
        remaining = len(self.rows) - tagged - skipped
        pace = review.estimate_pace(tagged + skipped, remaining, elapsed, now)
        figures = ProgressFigures(
            tagged=tagged,
            skipped=skipped,
            flagged=flagged,
            size=len(self.rows),
            elapsed=elapsed,
            time_box=app.config.time_box,
            seconds_per_session=pace.seconds_per_session,
            finish_at=pace.finish_at if remaining else None,
            timezone=app.config.timezone,
        )
        self.query_one(ReviewProgress).show(figures)

    # Navigation

    def _resume_index(self) -> int:
        return resume_index(self.rows)

    def _row_index(self, session_id: str | None) -> int | None:
        return next((i for i, row in enumerate(self.rows) if row.session_id == session_id), None)

    def _open_indexes_after(self, index: int) -> list[int]:
        after = [i for i in range(index + 1, len(self.rows)) if self.rows[i].is_open]
        before = [i for i in range(0, index) if self.rows[i].is_open]
        return after + before

    def _advance(self) -> None:
        upcoming = self._open_indexes_after(self.index)
        if upcoming:
            self.go_to(upcoming[0])
            return
        self._show_reason_bar()
        self._show_progress()
        self.notify(
            f"Every session of the sample is tagged or skipped. Press {self._key_of('report')} for the report.",
            title="Sample done",
            markup=False,
        )

    def action_next(self) -> None:
        self.go_to(self.index + 1)

    def action_previous(self) -> None:
        self.go_to(self.index - 1)

    def action_next_open(self) -> None:
        after = [i for i in range(self.index + 1, len(self.rows)) if self.rows[i].is_open]
        if after:
            self.go_to(after[0])
        else:
            self.notify("No untagged session after this one.", markup=False)

    def action_previous_open(self) -> None:
        before = [i for i in range(self.index - 1, -1, -1) if self.rows[i].is_open]
        if before:
            self.go_to(before[0])
        else:
            self.notify("No untagged session before this one.", markup=False)

    def action_scroll_timeline(self, where: str) -> None:
        timeline = self.query_one(SessionTimeline)
        if where == "page_up":
            timeline.scroll_page_up(animate=False)
        elif where == "page_down":
            timeline.scroll_page_down(animate=False)
        elif where == "home":
            timeline.scroll_home(animate=False)
        else:
            timeline.scroll_end(animate=False)

    # Writes: each goes through queries.tags and is committed before the handler returns

    def _record(
        self,
        index: int,
        action: str,
        reason: str | None = None,
        note: str | None = None,
        suggested_reason: str | None = None,
        accepted: bool | None = None,
        evidence: list[str] | None = None,
    ) -> bool:
        """Append one action for the session at `index` and show its new state; False if not saved."""
        app = self.stripdown
        row = self.rows[index]
        try:
            tags.append(
                app.workspace.cursor(),
                row.session_id,
                app.auditor,
                action,
                reason=reason,
                note=note,
                suggested_reason=suggested_reason,
                accepted=accepted,
                evidence=evidence,
                sample_id=self.sample.sample_id if self.sample else None,
            )
        except duckdb.Error as error:
            log.exception("saving %s of session %r failed", action, row.session_id)
            message = f"saving the {action} of session {row.session_id} failed: {error}"
            self.app.push_screen(ErrorDialog("Not saved", message))
            return False
        self._activity.append(app.clock())
        self._set_state(index, action, reason, note, suggested_reason, accepted)
        return True

    def _set_state(
        self,
        index: int,
        action: str | None,
        reason: str | None,
        note: str | None,
        suggested_reason: str | None = None,
        accepted: bool | None = None,
    ) -> None:
        row = self.rows[index]
        row.action = action
        row.reason = reason
        row.note = note
        row.suggested_reason = suggested_reason
        row.accepted = accepted
        self.query_one(SampleQueue).show_mark(index, row)
        if index == self.index:
            self.query_one(SessionTimeline).show_note(note)
        self._show_look_alikes()

    def action_tag(self, reason_id: str) -> None:
        row = self.current_row
        if row is None or self.stripdown.config.reason(reason_id) is None:
            return
        suggestion = self._suggestion(row)
        # A reason key that names the suggested reason takes the suggestion as much as enter does.
        accepted = (reason_id == suggestion) if suggestion else None
        detail = self._cache.get(row.session_id)
        evidence = detail.evidence if accepted and detail is not None else None
        if self._record(self.index, "tag", reason_id, row.note, suggestion, accepted, evidence):
            self._advance()

    def action_accept(self) -> None:
        row = self.current_row
        if row is None:
            return
        detail = self._cache.get(row.session_id)
        if detail is None:
            self.notify("This session is still being read; press the key again in a moment.", markup=False)
            return
        if detail.suggestion is None:
            self.notify("No suggestion for this session; tag it with a reason key.", markup=False)
            return
        suggestion = detail.suggestion
        if self._record(self.index, "tag", suggestion, row.note, suggestion, True, detail.evidence):
            self._advance()

    def action_skip(self) -> None:
        self._mark("skip")

    def action_flag(self) -> None:
        self._mark("flag")

    def _mark(self, action: str) -> None:
        row = self.current_row
        if row is not None and self._record(self.index, action, None, row.note):
            self._advance()

    def action_note(self) -> None:
        row = self.current_row
        if row is None:
            return
        index = self.index

        def save(note: str | None) -> None:
            if note is None:
                return
            text = note.strip() or None
            action = row.action if row.action in ("tag", "skip", "flag") else "note"
            reason = row.reason if action == "tag" else None
            if self._record(index, action, reason, text, row.suggested_reason, row.accepted):
                self.notify("Note saved." if text else "Note cleared.", markup=False)

        self.app.push_screen(note_dialog(row.session_id, row.note), save)

    def action_undo(self) -> None:
        app = self.stripdown
        cursor = app.workspace.cursor()
        try:
            undone = tags.undo_last(cursor, app.auditor)
            # Read the states the undo left in the same handler, so the queue never shows a stale mark.
            states = review.session_states(cursor, app.auditor, undone.session_ids) if undone else {}
        except duckdb.Error as error:
            log.exception("undo failed")
            self.app.push_screen(ErrorDialog("Undo failed", f"undo failed: {error}"))
            return
        if undone is None:
            self.notify("Nothing left to undo.", markup=False)
            return
        self._activity.append(app.clock())
        for session_id in undone.session_ids:
            index = self._row_index(session_id)
            if index is not None:
                self._set_state(index, *states.get(session_id, (None, None, None, None, None)))
        target = next((i for sid in undone.session_ids if (i := self._row_index(sid)) is not None), None)
        if target is None:
            self.notify(f"Undid a {undone.actions[0]} on a session outside this sample.", markup=False)
            return
        self.go_to(target)
        count = len(undone.session_ids)
        if count > 1:
            self.notify(f"Undid the group {undone.actions[0]} of {count} sessions.", markup=False)
        else:
            self.notify(f"Undid {undone.actions[0]} of {undone.session_ids[0]}.", markup=False)

    # Dialogs and other screens

    def action_search(self) -> None:
        if self.rows:
            self.app.push_screen(SearchDialog(self.search_candidates), self._go_to_session)

    def action_goto(self) -> None:
        if self.rows:
            self.app.push_screen(goto_dialog(), self._go_to_session)

    def _go_to_session(self, requested: str | None) -> None:
        if not requested or not requested.strip():
            return
        session_id = requested.strip()
        index = self._row_index(session_id)
        if index is None:
            matches = [i for i, row in enumerate(self.rows) if row.session_id.startswith(session_id)]
            index = matches[0] if len(matches) == 1 else None
            if len(matches) > 1:
                self.notify(
                    f"{len(matches)} sessions start with {session_id}; type more of the id.", markup=False
                )
                return
        if index is None:
            self.notify(f"Session {session_id} is not in this sample.", severity="warning", markup=False)
            return
        self.go_to(index)

    def action_similar(self) -> None:
        row = self.current_row
        if row is None:
            return
        screen_class = optional_screen("app.screens.similar", "SimilarScreen")
        if screen_class is None:
            self.notify("The similar-sessions screen is not available yet.", markup=False)
            return
        self.app.push_screen(screen_class(row.session_id), self._similar_done)

    def _similar_done(self, tagged: int | None) -> None:
        if tagged:
            self.notify(f"Tagged {tagged} similar sessions.", markup=False)
        row = self.current_row
        self._read_queue(row.session_id if row else None)

    def action_report(self) -> None:
        screen_class = optional_screen("app.screens.report", "ReportScreen")
        if screen_class is None:
            self.notify("The report screen is not available yet.", markup=False)
            return
        self.app.push_screen(screen_class())

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(help_entries(self.stripdown.config)))

    def action_quit(self) -> None:
        self.app.exit()

    # Small helpers

    def _current_reason(self, row: QueueRow) -> str | None:
        return row.reason if row.action == "tag" else None

    def _suggestion(self, row: QueueRow) -> str | None:
        detail = self._cache.get(row.session_id)
        return detail.suggestion if detail else None

    def _key_of(self, name: str) -> str:
        return self.stripdown.config.keys[name].split(",")[0].strip()

    def _accept_key(self) -> str:
        return display_keys(self._key_of("accept"))
