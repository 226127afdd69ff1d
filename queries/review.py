"""Read what the triage screen shows: the sample queue, one session's timeline and facts, search.

Every function takes the calling thread's cursor and only reads. Writes go through `queries.tags`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
from rapidfuzz import fuzz, process, utils

from queries.config import Config
from queries.signals import suggestion
from queries.sql import load_sql

# A session with more events than this shows only its last ones: the exit is what matters.
EVENT_LIMIT = 2000


@dataclass(frozen=True)
class SampleInfo:
    """The active audit sample: the newest one drawn."""

    sample_id: int
    rule: str
    size: int


@dataclass
class QueueRow:
    """One session of the sample queue with the auditor's current state of it."""

    position: int
    session_id: str
    exit_stage: str | None
    label: str | None
    action: str | None = None
    reason: str | None = None
    note: str | None = None
    suggested_reason: str | None = None
    accepted: bool | None = None

    @property
    def is_open(self) -> bool:
        """True while the session still needs a decision: no tag and no skip."""
        return self.action not in ("tag", "skip")

    @property
    def has_reason(self) -> bool:
        """True when the session carries a reason: tagged and not cleared since."""
        return self.reason is not None and self.action != "clear"


@dataclass(frozen=True)
class TimelineEvent:
    """One event of a session's timeline."""

    event_id: str
    ts: datetime
    event: str | None
    url: str | None
    target: str | None
    status: int | None
    message: str | None


@dataclass(frozen=True)
class SessionFacts:
    """The derived facts of one session."""

    session_id: str
    user_id: str | None
    started_at: datetime
    ended_at: datetime
    events: int
    channel: str | None
    device: str | None
    landing_url: str | None
    exit_url: str | None
    furthest_stage: str | None
    exit_stage: str | None
    label: str | None
    converted: bool


@dataclass(frozen=True)
class SessionSignal:
    """One evidence signal of a session, pointing at a reason id (or at none)."""

    signal: str
    reason: str | None
    priority: int
    event_ids: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class SessionDetail:
    """Everything the screen shows about one session, read in one go."""

    session_id: str
    facts: SessionFacts | None
    events: tuple[TimelineEvent, ...]
    signals: tuple[SessionSignal, ...]
    suggestion: str | None

    @property
    def hidden_events(self) -> int:
        """How many of the session's first events were left out to keep the timeline short."""
        if self.facts is None:
            return 0
        return max(self.facts.events - len(self.events), 0)

    @property
    def evidence(self) -> list[str]:
        """The event ids behind the suggested reason, stored with a tag that accepts it."""
        ids: list[str] = []
        for signal in self.signals:
            if signal.reason == self.suggestion:
                ids.extend(event_id for event_id in signal.event_ids if event_id not in ids)
        return ids


@dataclass(frozen=True)
class SearchCandidate:
    """A searchable text of a session: its id, label, a URL or a message."""

    session_id: str
    field: str
    value: str


@dataclass(frozen=True)
class SearchHit:
    """A session that matched a search, with the text that matched best."""

    session_id: str
    field: str
    value: str
    score: float


def active_sample(cursor: duckdb.DuckDBPyConnection) -> SampleInfo | None:
    """Return the newest sample, or None when no sample has been drawn."""
    row = cursor.execute(
        """
        SELECT sample_id, any_value(rule), count(*)
        FROM samples
        GROUP BY sample_id
        ORDER BY sample_id DESC
        LIMIT 1
        """
    ).fetchone()
    if row is None:
        return None
    return SampleInfo(int(row[0]), str(row[1]), int(row[2]))


def load_queue(cursor: duckdb.DuckDBPyConnection, sample_id: int, auditor: str) -> list[QueueRow]:
    """Return the sample's sessions in review order with this auditor's current state."""
    rows = cursor.execute(load_sql("review_queue.sql"), [auditor, sample_id]).fetchall()
    return [QueueRow(*row) for row in rows]


def session_states(
    cursor: duckdb.DuckDBPyConnection, auditor: str, session_ids: Sequence[str]
) -> dict[str, tuple[str, str | None, str | None, str | None, bool | None]]:
    """Return (action, reason, note, suggested_reason, accepted) of each session that has a state."""
    rows = cursor.execute(load_sql("review_states.sql"), [auditor, list(session_ids)]).fetchall()
    return {row[0]: (row[1], row[2], row[3], row[4], row[5]) for row in rows}


def load_session(
    cursor: duckdb.DuckDBPyConnection,
    sample_id: int,
    session_id: str,
    config: Config,
    *,
    event_limit: int = EVENT_LIMIT,
) -> SessionDetail:
    """Read one session's facts, its last `event_limit` events and its signals."""
    facts_row = cursor.execute(load_sql("review_facts.sql"), [session_id]).fetchone()
    facts = SessionFacts(*facts_row) if facts_row else None
    event_rows = cursor.execute(load_sql("review_events.sql"), [session_id, event_limit]).fetchall()
    signal_rows = cursor.execute(load_sql("review_signals.sql"), [sample_id, session_id]).fetchall()
    signals = tuple(
        SessionSignal(signal, reason, int(priority), tuple(event_ids or ()), description)
        for signal, reason, priority, event_ids, description in signal_rows
    )
    return SessionDetail(
        session_id=session_id,
        facts=facts,
        events=tuple(TimelineEvent(*row) for row in event_rows),
        signals=signals,
        suggestion=suggested_reason(cursor, sample_id, session_id, config),
    )


def suggested_reason(
    cursor: duckdb.DuckDBPyConnection, sample_id: int, session_id: str, config: Config
) -> str | None:
    """Return the reason the session's strongest signal points at, if the taxonomy has it."""
    reason = suggestion(cursor, sample_id, session_id)
    known = config.reason(reason) if reason else None
    # A signal may name a reason the user's taxonomy dropped; suggest only reasons that exist.
    return known.id if known is not None and known.id == reason else None


def search_candidates(cursor: duckdb.DuckDBPyConnection, sample_id: int) -> list[SearchCandidate]:
    """Return every searchable text of the sample's sessions."""
    rows = cursor.execute(load_sql("review_search.sql"), [sample_id]).fetchall()
    return [SearchCandidate(*row) for row in rows]


def search_sessions(candidates: Sequence[SearchCandidate], query: str, *, limit: int = 50) -> list[SearchHit]:
    """Rank sessions by how well one of their texts matches `query`, best first (rapidfuzz)."""
    if not query.strip():
        return []
    matches = process.extract(
        query,
        [candidate.value for candidate in candidates],
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=None,
        score_cutoff=60,
    )
    hits: dict[str, SearchHit] = {}
    for _, score, index in matches:
        candidate = candidates[index]
        if candidate.session_id not in hits:
            hits[candidate.session_id] = SearchHit(
                candidate.session_id, candidate.field, candidate.value, float(score)
            )
        if len(hits) == limit:
            break
    return list(hits.values())


def activity_times(cursor: duckdb.DuckDBPyConnection, sample_id: int, auditor: str) -> list[datetime]:
    """Return when this auditor wrote tag-log rows for the sample's sessions, oldest first."""
    rows = cursor.execute(load_sql("review_activity.sql"), [auditor, sample_id]).fetchall()
    return [row[0] for row in rows]


def active_seconds(times: Iterable[datetime], idle_cap: float) -> float:
    """Sum the gaps between consecutive actions, counting a gap longer than `idle_cap` as a break.

    A break counts as zero, so a review resumed the next day does not count the night.
    """
    total = 0.0
    previous: datetime | None = None
    for moment in times:
        if previous is not None:
            gap = (moment - previous).total_seconds()
            if 0 < gap <= idle_cap:
                total += gap
        previous = moment
    return total


@dataclass(frozen=True)
class Pace:
    """Progress figures: seconds per decided session and the projected finish time."""

    seconds_per_session: float | None
    finish_at: datetime | None


def estimate_pace(decided: int, remaining: int, elapsed: float, now: datetime) -> Pace:
    """Project the finish from the pace so far; no projection before the first decision."""
    if decided <= 0 or elapsed <= 0:
        return Pace(None, None)
    per_session = elapsed / decided
    return Pace(per_session, now + timedelta(seconds=per_session * remaining))
