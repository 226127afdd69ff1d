"""Render a `Report` as JSON, Markdown or self-contained HTML.

The wording lives here once: `report_sections` turns a report into titled sections of plain
sentences and tables, and each format only escapes and lays them out. Export values (labels,
channels, devices, event names, session ids) stay unescaped until a format escapes them.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from queries.report import CohortRow, GapRow, Report

FORMATS = ("md", "html", "json")

# Shown where an export value is missing, in italics so it cannot be mistaken for the value itself.
NO_VALUE = "(none)"
# A label share or gap that cannot be known because no analytics label maps to a reason.
UNKNOWN_SHARE = "–"

_COHORT_TITLES = {
    "stage": "By exit stage",
    "channel": "By channel",
    "device": "By device",
    "weekday": "By weekday (UTC, from the session's last event)",
}


@dataclass(frozen=True)
class Table:
    """A table of plain-text cells; `numeric` marks the columns to right-align."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    numeric: tuple[bool, ...]


@dataclass(frozen=True)
class Section:
    """A titled part of the report: plain sentences, then an optional table."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    table: Table | None = None
    items: tuple[str, ...] = field(default_factory=tuple)


def render(report: Report, format: str) -> str:
    """Render the report in `format`: "md", "html" or "json"."""
    if format == "json":
        return render_json(report)
    if format == "md":
        return render_markdown(report)
    if format == "html":
        from queries.report_html import render_html

        return render_html(report)
    raise ValueError(f"unknown report format {format!r}; expected one of {', '.join(FORMATS)}")


def report_dict(report: Report) -> dict[str, Any]:
    """Return the report as the JSON object: exactly the documented top-level keys, floats unrounded."""
    return {
        "population": asdict(report.population),
        "sample": asdict(report.sample),
        "agreement": asdict(report.agreement),
        "crosstab": [asdict(row) for row in report.crosstab],
        "gap": [
            {
                "reason": row.reason,
                "tagged": row.tagged,
                "tagged_share": row.tagged_share,
                "labelled_share": row.labelled_share,
                "gap": row.gap,
                "ci_low": row.ci_low,
                "ci_high": row.ci_high,
                "estimated_sessions": row.estimated_sessions,
            }
            for row in report.gap
        ],
        "by_stage": [asdict(row) for row in report.by_stage],
        "by_channel": [asdict(row) for row in report.by_channel],
        "by_device": [asdict(row) for row in report.by_device],
        "by_weekday": [asdict(row) for row in report.by_weekday],
        "ghosts": [asdict(row) for row in report.ghosts],
        "exit_paths": [{"path": list(row.path), "sessions": row.sessions} for row in report.exit_paths],
        "examples": {reason: list(ids) for reason, ids in report.examples.items()},
        "pace": asdict(report.pace),
        "suggestions": {reason: asdict(count) for reason, count in report.suggestions.items()},
    }


def render_json(report: Report) -> str:
    """Render the report as indented JSON text ending in a newline."""
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- wording shared by every format


def percent(share: float) -> str:
    """Format a share as a whole percentage; a share above 0 but under 0.5% shows as "<1%"."""
    if 0 < share < 0.005:
        return "<1%"
    return f"{share * 100:.0f}%"


def percent_precise(share: float) -> str:
    """Format a share as a percentage with one decimal, for tables."""
    return f"{share * 100:.1f}%"


def interval(low: float, high: float) -> str:
    """Format a 95% interval of shares as "27-35%"."""
    return f"{low * 100:.0f}-{high * 100:.0f}%"


def _lower_first(title: str) -> str:
    # "Broken code" reads "broken code" mid-sentence; an acronym such as "API errors" stays.
    if len(title) > 1 and title[:2].isupper():
        return title
    return title[:1].lower() + title[1:]


def headline(report: Report) -> str:
    """Return the one-sentence summary of the report, or a plain statement of what is missing."""
    if report.sample.rule is None:
        return (
            "No audit sample has been drawn yet, so nothing has been tagged; "
            "draw one with stripdown sample, tag it with stripdown audit, then run the report again."
        )
    if report.tagged == 0:
        by_auditor = f" by {report.auditor}" if report.auditor else ""
        return (
            f"No session of the audit sample ({report.sample.size} sessions) has been tagged{by_auditor} yet, "
            "so there are no shares to compare; tag sessions with stripdown audit, "
            "then run the report again."
        )
    top = headline_row(report)
    reason = _lower_first(report.title(top.reason))
    sessions = "session" if report.tagged == 1 else "sessions"
    sentence = (
        f"Of {report.tagged} exited {sessions} audited, {percent(top.tagged_share)} "
        f"({interval(top.ci_low, top.ci_high)}) left because of {reason}; "
    )
    if report.agreement.compared == 0:
        return (
            sentence
            + "no analytics label of these sessions maps to an exit reason, so the dashboard's share is unknown."
        )
    return sentence + f"the dashboard attributes {percent(top.labelled_share)} to it."


def label_shares_known(report: Report) -> bool:
    """True when some tagged session's analytics label maps to a reason, so label shares mean something.

    Without one, every label share is 0 by definition, and a gap would only repeat the tagged share.
    """
    return report.agreement.compared > 0


def label_share_cells(report: Report, row: GapRow) -> tuple[str, str]:
    """Return the label share and gap cells of a gap row, or dashes when label shares are unknown."""
    if not label_shares_known(report):
        return UNKNOWN_SHARE, UNKNOWN_SHARE
    return percent_precise(row.labelled_share), f"{row.gap * 100:+.1f} pts"


def headline_row(report: Report) -> GapRow:
    """Pick the reason of the headline: the one the dashboard under-reports most.

    That is the first row of the gap list with a gap above 0. When the dashboard under-reports no
    reason, it is the first row with a tagged session, so the sentence never speaks of 0%.
    """
    under_reported = [row for row in report.gap if row.tagged > row.labelled]
    if under_reported:
        return max(under_reported, key=lambda row: row.tagged - row.labelled)
    return next(row for row in report.gap if row.tagged)


def format_seconds(seconds: float) -> str:
    """Format a duration in seconds as "1 h 05 min", "4 min 00 s" or "12.5 s"."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s"


def summary_lines(report: Report) -> tuple[str, ...]:
    """Return the workspace, sample and pace facts under the headline."""
    population = report.population
    lines = [
        f"Workspace: {population.sessions:,} sessions, {population.exited:,} exited the funnel, "
        f"{population.converted:,} converted."
    ]
    if report.funnel_stages == 0:
        lines.append("No funnel is configured, so every session counts as entering and none as converting.")
    tag_source = f"tags by {report.auditor}" if report.auditor else "each session's newest tag of any auditor"
    if report.sample.rule is not None:
        lines.append(
            f"Audit sample: {report.sample.rule}; {report.sample.size:,} sessions, "
            f"{report.tagged:,} tagged ({tag_source})."
        )
    if report.pace.seconds is not None:
        pace = f"Time spent tagging: {format_seconds(report.pace.seconds)}"
        if report.pace.per_session is not None:
            pace += f", {format_seconds(report.pace.per_session)} per tagged session"
        lines.append(pace + ".")
    return tuple(lines)


def agreement_sentence(report: Report) -> str:
    """Describe how often the mapped analytics label equals the tag, with Cohen's kappa."""
    agreement = report.agreement
    if report.tagged == 0:
        return "Agreement needs tagged sessions; none are tagged yet."
    if agreement.compared == 0:
        if report.label_map_size == 0:
            return (
                "Agreement cannot be measured: the config has no label map. Add a [label.map] table "
                "to stripdown.toml that maps analytics labels to reason ids."
            )
        return (
            "Agreement cannot be measured: no tagged session has an analytics label that is in "
            "the label map. Check the labels in the crosstab against [label.map] in stripdown.toml."
        )
    assert agreement.rate is not None
    sentence = (
        f"Of {agreement.compared} tagged sessions whose analytics label is in the label map, "
        f"the label's reason matches the tag in {agreement.agreed} ({percent_precise(agreement.rate)})."
    )
    if agreement.kappa is None:
        return sentence + (
            " Cohen's kappa is undefined because the labels and the tags all name one and the same reason."
        )
    return sentence + f" Cohen's kappa is {agreement.kappa:.2f}."


def report_sections(report: Report) -> list[Section]:
    """Build the report's sections in reading order, worded once for every text format."""
    sections = [
        Section("headline", "Strip-down report", (headline(report),), items=summary_lines(report)),
    ]
    if report.tagged:
        sections += [
            _gap_section(report),
            _crosstab_section(report),
            Section("agreement", "Agreement", (agreement_sentence(report),)),
        ]
        if report.suggestions:
            sections.append(_suggestions_section(report))
        sections += [
            _cohort_section(report, "stage", report.by_stage),
            _cohort_section(report, "channel", report.by_channel),
            _cohort_section(report, "device", report.by_device),
            _cohort_section(report, "weekday", report.by_weekday),
        ]
    sections.append(_ghosts_section(report))
    sections.append(_exit_paths_section(report))
    if report.examples:
        sections.append(_examples_section(report))
    return sections


def _gap_section(report: Report) -> Section:
    rows = tuple(
        (
            report.title(row.reason),
            str(row.tagged),
            f"{percent_precise(row.tagged_share)} ({interval(row.ci_low, row.ci_high)})",
            *label_share_cells(report, row),
            f"{row.estimated_sessions:,}",
        )
        for row in report.gap
    )
    unknown = (
        ()
        if label_shares_known(report)
        else (
            "No analytics label of the tagged sessions maps to an exit reason, so the label shares and "
            "gaps are shown as –. Map the labels to reason ids in [label.map] of stripdown.toml.",
        )
    )
    return Section(
        "gap",
        "Gap list",
        (
            "Reasons ranked by how far the tagged share differs from the share the analytics labels "
            "claim for the same sessions. The interval is the 95% Wilson interval of the tagged share; "
            "the estimate applies the tagged share to every exited session of the workspace.",
            *unknown,
        ),
        Table(
            ("Reason", "Tagged", "Tagged share (95% interval)", "Label share", "Gap", "Estimated exits"),
            rows,
            (False, True, True, True, True, True),
        ),
    )


def _crosstab_section(report: Report) -> Section:
    reasons = sorted({row.reason for row in report.crosstab})
    labels = list(dict.fromkeys(row.label for row in report.crosstab))
    counts = {(row.label, row.reason): row.sessions for row in report.crosstab}
    rows = tuple((label, *(str(counts.get((label, reason), 0)) for reason in reasons)) for label in labels)
    return Section(
        "crosstab",
        "Analytics label vs exit reason",
        ("Tagged sessions per analytics label (rows) and tagged reason (columns).",),
        Table(
            ("Analytics label", *(report.title(reason) for reason in reasons)),
            rows,
            (False, *(True for _ in reasons)),
        ),
    )


def _suggestions_section(report: Report) -> Section:
    rows = tuple(
        (report.title(reason), str(count.accepted), str(count.overridden))
        for reason, count in sorted(report.suggestions.items())
    )
    return Section(
        "suggestions",
        "Suggestions",
        ("Current tags that came with a suggested reason, by the reason finally tagged.",),
        Table(("Tagged reason", "Suggestion accepted", "Suggestion overridden"), rows, (False, True, True)),
    )


def _cohort_section(report: Report, cohort: str, cohort_rows: tuple[CohortRow, ...]) -> Section:
    rows = tuple((row.value, report.title(row.reason), str(row.sessions)) for row in cohort_rows)
    return Section(
        f"by_{cohort}",
        _COHORT_TITLES[cohort],
        (),
        Table((cohort.capitalize(), "Reason", "Sessions"), rows, (False, False, True)),
    )


def _ghosts_section(report: Report) -> Section:
    if not report.ghosts:
        return Section(
            "ghosts",
            "Ghosts",
            ("No funnel is configured, so there are no stages to count ghosts in.",),
        )
    rows = tuple(
        (
            row.stage,
            f"{row.entered:,}",
            f"{row.ghosts:,}",
            percent_precise(row.ghosts / row.entered) if row.entered else "–",
        )
        for row in report.ghosts
    )
    return Section(
        "ghosts",
        "Ghosts",
        (
            "Per funnel stage, over the whole workspace: the sessions that entered it, and the ghosts "
            "among them, whose last event is the one that entered the stage.",
        ),
        Table(("Stage", "Entered", "Ghosts", "Ghost share"), rows, (False, True, True, True)),
    )


def _exit_paths_section(report: Report) -> Section:
    if not report.exit_paths:
        return Section("exit_paths", "Exit paths", ("The audit sample has no exited sessions to trace.",))
    rows = tuple((path_text(row.path), f"{row.sessions:,}") for row in report.exit_paths)
    return Section(
        "exit_paths",
        "Exit paths",
        ("The most common last three events of the exited sessions of the audit sample.",),
        Table(("Last events before the exit", "Sessions"), rows, (False, True)),
    )


def _examples_section(report: Report) -> Section:
    rows = tuple((report.title(reason), ", ".join(ids)) for reason, ids in sorted(report.examples.items()))
    return Section(
        "examples",
        "Example sessions",
        ("Up to five tagged sessions per reason, in sample order.",),
        Table(("Reason", "Session ids"), rows, (False, False)),
    )


def path_text(path: tuple[str | None, ...]) -> str:
    """Join the event names of an exit path with arrows."""
    return " → ".join(NO_VALUE if name is None else name for name in path)


# ---------------------------------------------------------------- Markdown

# Characters with a meaning in CommonMark or GitHub-flavoured Markdown tables, escaped with a
# backslash so an export value pastes as the text it is.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")


def markdown_text(value: str | None) -> str:
    """Escape a value for Markdown: special characters get a backslash and line breaks a space."""
    if value is None:
        return f"*{NO_VALUE}*"
    flat = " ".join(value.splitlines()) if value else value
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def render_markdown(report: Report) -> str:
    """Render the report as Markdown that pastes cleanly into a wiki or a chat."""
    blocks: list[str] = []
    for index, section in enumerate(report_sections(report)):
        blocks.append(("# " if index == 0 else "## ") + section.title)
        blocks += [markdown_text(paragraph) for paragraph in section.paragraphs]
        if section.items:
            blocks.append("\n".join(f"- {markdown_text(item)}" for item in section.items))
        if section.table is not None:
            blocks.append(_markdown_table(section.table))
    return "\n\n".join(blocks) + "\n"


def _markdown_table(table: Table) -> str:
    lines = [
        "| " + " | ".join(markdown_text(header) for header in table.headers) + " |",
        "|" + "|".join("---:" if numeric else "---" for numeric in table.numeric) + "|",
    ]
    lines += ["| " + " | ".join(markdown_text(cell) for cell in row) + " |" for row in table.rows]
    return "\n".join(lines)
