"""Compute the strip-down report: the tagged reasons of the active sample against the analytics labels.

docs/report.md defines every figure. All counting happens in DuckDB; Python only turns the counts
into shares, Wilson intervals and Cohen's kappa.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from queries.config import Config
from queries.sample import active_sample_id
from queries.sessions import url_globs
from queries.sql import load_sql

# The 97.5th percentile of the standard normal distribution, for a two-sided 95% interval.
WILSON_Z = 1.959964

_CREATE_STAGES = """
CREATE OR REPLACE TEMPORARY TABLE report_stages (
    stage_index INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    event VARCHAR,
    path_glob VARCHAR,
    query_glob VARCHAR
)
"""


@dataclass(frozen=True)
class Population:
    """Session counts of the whole workspace."""

    sessions: int
    exited: int
    converted: int


@dataclass(frozen=True)
class SampleSummary:
    """The active sample: its rule (None when no sample was drawn), its size and its tagged sessions."""

    rule: str | None
    size: int
    tagged: int


@dataclass(frozen=True)
class Agreement:
    """How often the mapped analytics label equals the tag; rate and kappa are None when undefined."""

    compared: int
    agreed: int
    rate: float | None
    kappa: float | None


@dataclass(frozen=True)
class CrosstabRow:
    """Tagged sessions with one analytics label and one reason."""

    label: str | None
    reason: str
    sessions: int


@dataclass(frozen=True)
class GapRow:
    """One reason of the gap list; `labelled` is the count behind `labelled_share`."""

    reason: str
    tagged: int
    labelled: int
    tagged_share: float
    labelled_share: float
    gap: float
    ci_low: float
    ci_high: float
    estimated_sessions: int


@dataclass(frozen=True)
class CohortRow:
    """Tagged sessions with one cohort value (stage, channel, device or weekday) and one reason."""

    value: str | None
    reason: str
    sessions: int


@dataclass(frozen=True)
class GhostRow:
    """Sessions that entered a funnel stage, and those whose last event was the entry into it."""

    stage: str
    entered: int
    ghosts: int


@dataclass(frozen=True)
class ExitPath:
    """The last (up to) three event names of exited sessions, and how many sessions ended so."""

    path: tuple[str | None, ...]
    sessions: int


@dataclass(frozen=True)
class Pace:
    """Seconds spent tagging and seconds per tagged session; None when there is nothing to measure."""

    seconds: float | None
    per_session: float | None


@dataclass(frozen=True)
class SuggestionCount:
    """Current tags of one reason that came with a suggestion: accepted as suggested, or overridden."""

    accepted: int
    overridden: int


@dataclass(frozen=True)
class Report:
    """Every figure of the strip-down report, plus what the renderers need to word it."""

    population: Population
    sample: SampleSummary
    agreement: Agreement
    crosstab: tuple[CrosstabRow, ...]
    gap: tuple[GapRow, ...]
    by_stage: tuple[CohortRow, ...]
    by_channel: tuple[CohortRow, ...]
    by_device: tuple[CohortRow, ...]
    by_weekday: tuple[CohortRow, ...]
    ghosts: tuple[GhostRow, ...]
    exit_paths: tuple[ExitPath, ...]
    examples: dict[str, list[str]]
    pace: Pace
    suggestions: dict[str, SuggestionCount]
    auditor: str | None = None
    titles: dict[str, str] = field(default_factory=dict)
    label_map_size: int = 0
    funnel_stages: int = 0

    @property
    def tagged(self) -> int:
        """The number n of tagged sessions that every share is a fraction of."""
        return self.sample.tagged

    def title(self, reason: str) -> str:
        """Return the reason's title from the taxonomy, or its id when the taxonomy lacks it."""
        return self.titles.get(reason, reason)


def build_report(
    cursor: duckdb.DuckDBPyConnection,
    config: Config,
    auditor: str | None = None,
    *,
    with_ghosts: bool = True,
) -> Report:
    """Compute the report for the active sample; `auditor` None takes every auditor's newest tag.

    Counting ghosts reads every event of the workspace, which makes it the slowest part on a large
    export; `with_ghosts=False` skips it and leaves `ghosts` empty.
    """
    sample_id = active_sample_id(cursor)
    cursor.execute(
        load_sql("report_tagged.sql"),
        [sample_id, auditor, auditor, list(config.label_map), list(config.label_map.values())],
    )
    try:
        return _assemble(cursor, config, auditor, sample_id, with_ghosts)
    finally:
        cursor.execute("DROP TABLE IF EXISTS report_tagged")


def auditors(cursor: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the names of everyone with a row in the tag log, sorted."""
    rows = cursor.execute("SELECT DISTINCT auditor FROM tag_log ORDER BY auditor").fetchall()
    return [row[0] for row in rows]


def _assemble(
    cursor: duckdb.DuckDBPyConnection,
    config: Config,
    auditor: str | None,
    sample_id: int | None,
    with_ghosts: bool,
) -> Report:
    population = _population(cursor)
    tagged = _count(cursor, "SELECT count(*) FROM report_tagged")
    return Report(
        population=population,
        sample=_sample(cursor, sample_id, tagged),
        agreement=_agreement(cursor),
        crosstab=tuple(CrosstabRow(*row) for row in _rows(cursor, "report_crosstab.sql")),
        gap=gap_rows(_rows(cursor, "report_reason_counts.sql"), tagged, population.exited),
        by_stage=_cohort(cursor, "stage"),
        by_channel=_cohort(cursor, "channel"),
        by_device=_cohort(cursor, "device"),
        by_weekday=_cohort(cursor, "weekday"),
        ghosts=_ghosts(cursor, config) if with_ghosts else (),
        exit_paths=tuple(
            ExitPath(tuple(path), sessions)
            for path, sessions in _rows(cursor, "report_exit_paths.sql", [sample_id])
        ),
        examples={reason: list(ids) for reason, ids in _rows(cursor, "report_examples.sql")},
        pace=_pace(cursor, sample_id, auditor, tagged),
        suggestions={
            reason: SuggestionCount(accepted, overridden)
            for reason, accepted, overridden in _rows(cursor, "report_suggestions.sql")
        },
        auditor=auditor,
        titles={reason.id: reason.title for reason in config.reasons},
        label_map_size=len(config.label_map),
        funnel_stages=len(config.stages),
    )


def _rows(
    cursor: duckdb.DuckDBPyConnection, name: str, parameters: Sequence[object] = ()
) -> list[tuple[Any, ...]]:
    return cursor.execute(load_sql(name), list(parameters)).fetchall()


def _count(cursor: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = cursor.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def _population(cursor: duckdb.DuckDBPyConnection) -> Population:
    sessions, exited, converted = _rows(cursor, "report_population.sql")[0]
    return Population(int(sessions), int(exited), int(converted))


def _sample(cursor: duckdb.DuckDBPyConnection, sample_id: int | None, tagged: int) -> SampleSummary:
    rule, size = _rows(cursor, "report_sample.sql", [sample_id])[0]
    return SampleSummary(rule if isinstance(rule, str) else None, int(size), tagged)


def _agreement(cursor: duckdb.DuckDBPyConnection) -> Agreement:
    marginals = {
        category: (int(labelled), int(tagged), int(agreed))
        for category, labelled, tagged, agreed in _rows(cursor, "report_agreement.sql")
    }
    return agreement_from_marginals(marginals)


def _cohort(cursor: duckdb.DuckDBPyConnection, cohort: str) -> tuple[CohortRow, ...]:
    return tuple(CohortRow(*row) for row in _rows(cursor, "report_cohort.sql", [cohort, cohort]))


def _ghosts(cursor: duckdb.DuckDBPyConnection, config: Config) -> tuple[GhostRow, ...]:
    if not config.stages:
        return ()
    cursor.execute(_CREATE_STAGES)
    try:
        cursor.executemany(
            "INSERT INTO report_stages VALUES (?, ?, ?, ?, ?)",
            [
                [index, stage.name, stage.event, *url_globs(stage)]
                for index, stage in enumerate(config.stages)
            ],
        )
        return tuple(GhostRow(*row) for row in _rows(cursor, "report_ghosts.sql"))
    finally:
        cursor.execute("DROP TABLE IF EXISTS report_stages")


def _pace(cursor: duckdb.DuckDBPyConnection, sample_id: int | None, auditor: str | None, tagged: int) -> Pace:
    (seconds,) = _rows(cursor, "report_pace.sql", [sample_id, auditor, auditor])[0]
    if seconds is None:
        return Pace(None, None)
    seconds = float(seconds)
    return Pace(seconds, seconds / tagged if tagged else None)


def agreement_from_marginals(marginals: Mapping[str, tuple[int, int, int]]) -> Agreement:
    """Compute the agreement rate and Cohen's kappa from per-category counts.

    `marginals` maps each category to (sessions whose mapped label is it, sessions tagged with it,
    sessions where both are it). Kappa is None when no session was compared, and also when the
    expected agreement is 1 (both sides put every session in one and the same category), where
    the formula divides by zero.
    """
    compared = sum(labelled for labelled, _, _ in marginals.values())
    agreed = sum(both for _, _, both in marginals.values())
    if compared == 0:
        return Agreement(0, 0, None, None)
    observed = agreed / compared
    expected = sum(labelled * tagged for labelled, tagged, _ in marginals.values()) / compared**2
    kappa = None if expected == 1 else (observed - expected) / (1 - expected)
    return Agreement(compared, agreed, observed, kappa)


def gap_rows(counts: Sequence[tuple[Any, ...]], tagged_total: int, exited: int) -> tuple[GapRow, ...]:
    """Build the gap list from (reason, tagged, labelled) counts over `tagged_total` sessions.

    Rows are sorted by absolute gap, largest first, then by reason id. The sort compares the
    integer difference of the counts, which orders exactly like the float gap but without rounding.
    """
    rows = []
    for reason, tagged, labelled in counts:
        tagged, labelled = int(tagged), int(labelled)
        if tagged == 0 and labelled == 0:
            continue
        low, high = wilson_interval(tagged, tagged_total)
        rows.append(
            GapRow(
                reason=str(reason),
                tagged=tagged,
                labelled=labelled,
                tagged_share=tagged / tagged_total,
                labelled_share=labelled / tagged_total,
                gap=tagged / tagged_total - labelled / tagged_total,
                ci_low=low,
                ci_high=high,
                estimated_sessions=round_half_up(tagged * exited, tagged_total),
            )
        )
    rows.sort(key=lambda row: (-abs(row.tagged - row.labelled), row.reason))
    return tuple(rows)


def wilson_interval(successes: int, trials: int, z: float = WILSON_Z) -> tuple[float, float]:
    """Return the Wilson score interval of the proportion successes / trials (trials above 0)."""
    share = successes / trials
    z_squared = z * z
    denominator = 1 + z_squared / trials
    centre = (share + z_squared / (2 * trials)) / denominator
    half_width = (z / denominator) * math.sqrt(
        share * (1 - share) / trials + z_squared / (4 * trials * trials)
    )
    # At 0 or all successes a bound is exactly 0 or 1; the formula would give it with rounding noise.
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == trials else min(1.0, centre + half_width)
    return low, high


def round_half_up(numerator: int, denominator: int) -> int:
    """Return numerator / denominator rounded to the nearest integer, halves up, without floats."""
    return (2 * numerator + denominator) // (2 * denominator)
