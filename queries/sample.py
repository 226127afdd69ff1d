"""Draw audit samples from the exited sessions; every sample is kept and the newest is active."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import duckdb

from queries.config import Config
from queries.errors import StripdownError, UsageError
from queries.signals import compute_signals
from queries.sql import load_sql
from queries.workspace import Workspace

SampleKind = Literal["last", "random"]
Stratum = Literal["stage", "channel", "device"]

DEFAULT_SIZE = 500
STRATA: tuple[str, ...] = ("stage", "channel", "device")


@dataclass(frozen=True)
class SampleRule:
    """How to choose the sessions of an audit sample.

    `since` and `until` bound the session's `ended_at`, both inclusive. A random rule without a
    seed gets a fresh one when drawn, and the rule text records it so the draw can be repeated.
    """

    kind: SampleKind = "last"
    size: int = DEFAULT_SIZE
    seed: int | None = None
    stratify: Stratum | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("last", "random"):
            raise UsageError(f"sample kind {self.kind!r} is invalid: expected last or random")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 1:
            raise UsageError(f"sample size {self.size!r} is invalid: expected a whole number of at least 1")
        if self.seed is not None and self.kind != "random":
            raise UsageError("a seed only applies to a random sample; add --random N or drop --seed")
        if self.stratify is not None and self.stratify not in STRATA:
            raise UsageError(f"--stratify {self.stratify!r} is invalid: expected one of {', '.join(STRATA)}")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"SampleRule.{name} must carry a time zone, got {value!r}")
        if self.since is not None and self.until is not None and self.since > self.until:
            raise UsageError(
                f"--since {self.since.isoformat()} is later than --until {self.until.isoformat()}; "
                "swap them or widen the range"
            )

    def describe(self, seed: int | None = None) -> str:
        """Return the rule as one line of text, such as "last 500 exited sessions, stratified by stage"."""
        seed = self.seed if seed is None else seed
        if self.kind == "last":
            text = f"last {self.size} exited sessions by end time"
        else:
            text = f"random {self.size} exited sessions, seed {seed}"
        if self.stratify:
            text += f", stratified by {self.stratify}"
        if self.since:
            text += f", ended since {_moment(self.since)}"
        if self.until:
            text += f", ended until {_moment(self.until)}"
        return text


@dataclass(frozen=True)
class SampleResult:
    """A sample just drawn: its id, rule text, size, how many exited sessions it came from, and a note."""

    sample_id: int
    rule: str
    size: int
    drawn_from: int
    note: str | None = None


def draw_sample(
    target: Workspace | duckdb.DuckDBPyConnection, rule: SampleRule, config: Config | None = None
) -> SampleResult:
    """Draw a sample by `rule` and store it as the active sample.

    Given a workspace, the draw runs in a transaction of its own; given a cursor, it runs in the
    caller's transaction. `config` names the funnel in error messages.
    """
    if isinstance(target, Workspace):
        config = config or target.config
        with target.transaction() as cursor:
            return _draw(cursor, rule, config)
    return _draw(target, rule, config or Config())


def active_sample_id(cursor: duckdb.DuckDBPyConnection) -> int | None:
    """Return the id of the newest sample, or None before the first one is drawn."""
    row = cursor.execute("SELECT max(sample_id) FROM samples").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def sample_session_ids(cursor: duckdb.DuckDBPyConnection, sample_id: int) -> list[str]:
    """Return the session ids of a sample in sample order."""
    rows = cursor.execute(
        "SELECT session_id FROM samples WHERE sample_id = ? ORDER BY position", [sample_id]
    ).fetchall()
    return [row[0] for row in rows]


def _draw(cursor: duckdb.DuckDBPyConnection, rule: SampleRule, config: Config) -> SampleResult:
    _check_exited_sessions(cursor, rule, config)
    seed = rule.seed
    if rule.kind == "random" and seed is None:
        seed = secrets.randbelow(1_000_000)
    sample_id = (active_sample_id(cursor) or 0) + 1
    text = rule.describe(seed)
    cursor.execute(
        load_sql("sample.sql"),
        [
            sample_id,
            text,
            datetime.now(UTC),
            rule.kind,
            None if seed is None else str(seed),
            rule.stratify,
            rule.size,
            rule.since,
            rule.until,
        ],
    )
    row = cursor.execute(
        "SELECT count(*), max(drawn_from) FROM samples WHERE sample_id = ?", [sample_id]
    ).fetchone()
    assert row is not None
    size, drawn_from = int(row[0]), int(row[1])
    compute_signals(cursor, sample_id, config)
    note = None
    if rule.size > drawn_from:
        note = f"the sample size is {rule.size:,} but only {drawn_from:,} exited sessions exist; took all"
    return SampleResult(sample_id, text, size, drawn_from, note)


def _check_exited_sessions(cursor: duckdb.DuckDBPyConnection, rule: SampleRule, config: Config) -> None:
    row = cursor.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE entered), count(*) FILTER (WHERE exited),
               min(ended_at) FILTER (WHERE exited),
               max(ended_at) FILTER (WHERE exited),
               count(*) FILTER (
                   WHERE exited AND (? IS NULL OR ended_at >= ?) AND (? IS NULL OR ended_at <= ?)
               )
        FROM sessions
        """,
        [rule.since, rule.since, rule.until, rule.until],
    ).fetchone()
    assert row is not None
    sessions, entered, exited, first_end, last_end, in_range = row
    if sessions == 0:
        raise StripdownError("the workspace has no sessions; import an export first with stripdown import")
    if exited == 0:
        raise StripdownError(_no_exits_message(sessions, entered, config))
    if in_range == 0:
        raise StripdownError(
            f"none of the {exited} exited sessions ended in the range asked for; they end between "
            f"{_moment(first_end)} and {_moment(last_end)}, so widen --since/--until"
        )


def _no_exits_message(sessions: int, entered: int, config: Config) -> str:
    if not config.stages:
        return f"none of the {sessions} sessions exited the funnel; check the funnel with stripdown config"
    first, last = config.stages[0].name, config.stages[-1].name
    if entered == 0:
        finding = f"no session reached the first stage {first!r}"
    else:
        finding = f"all {entered} sessions that reached {first!r} also reached {last!r}"
    return (
        f"none of the {sessions} sessions exited the funnel because {finding}; "
        "check [funnel] stages, and show them with stripdown config"
    )


def _moment(value: datetime) -> str:
    return value.isoformat(sep=" ", timespec="seconds")
