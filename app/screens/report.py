"""The report screen: the strip-down report's headline, gap list and bar chart for this auditor.

The report is computed in a thread worker with its own cursor and posted as a message; the handler
alone changes widgets. It is recomputed whenever the screen becomes current again and every
`REFRESH_SECONDS` while it is open, so tags from other screens or processes show up. The screen
shows no ghosts, so it skips counting them, which reads every event of the workspace.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, ClassVar

import duckdb
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static
from textual.worker import get_current_worker

from queries.errors import StripdownError
from queries.report import Report, build_report
from queries.report_render import (
    agreement_sentence,
    headline,
    interval,
    label_share_cells,
    label_shares_known,
    percent_precise,
    summary_lines,
)
from widgets.chart import ChartRow, ShareChart

if TYPE_CHECKING:
    from app.app import StripdownApp

log = logging.getLogger(__name__)

REFRESH_SECONDS = 5.0

GAP_COLUMNS = ("Reason", "Tagged", "Share (95%)", "Label", "Gap", "Est. exits")


class ReportComputed(Message):
    """A fresh report was computed."""

    def __init__(self, report: Report) -> None:
        super().__init__()
        self.report = report


class ReportFailed(Message):
    """Computing the report failed; `message` gives the reason."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class ReportScreen(Screen[None]):
    """The strip-down report of the active sample, for the app's auditor; escape or r closes it."""

    CSS_PATH = "report.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,r", "close", "close", id="report.close")]

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None
        self._computing = False

    @property
    def stripdown(self) -> StripdownApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Label(Text("Strip-down report"), id="report-title")
        with VerticalScroll(id="report-body"):
            yield Static(Text("Computing the report…"), id="report-headline")
            yield Static(Text(""), id="report-summary")
            yield Label(Text("Tagged share vs label share"), classes="report-heading")
            yield ShareChart(id="report-chart")
            yield Label(Text("Gap list"), classes="report-heading")
            yield DataTable(cursor_type="none", show_cursor=False, zebra_stripes=True, id="report-gap")
            yield Static(Text(""), id="report-agreement")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#report-gap", DataTable)
        for column in GAP_COLUMNS:
            table.add_column(column, key=column)
        self.set_interval(REFRESH_SECONDS, self._refresh_if_idle)

    def on_screen_resume(self) -> None:
        self._computing = True
        self.recompute()

    def _refresh_if_idle(self) -> None:
        # On a workspace where one report takes longer than the interval, ticks must not pile up.
        if not self._computing:
            self._computing = True
            self.recompute()

    def action_close(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="report")
    def recompute(self) -> None:
        """Compute the report off the event loop and post it."""
        app = self.stripdown
        try:
            report = build_report(app.workspace.cursor(), app.config, app.auditor, with_ghosts=False)
        except (duckdb.Error, StripdownError) as error:
            log.exception("computing the report of %s failed", app.workspace.path)
            self.post_message(ReportFailed(getattr(error, "message", str(error))))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(ReportComputed(report))

    def on_report_computed(self, message: ReportComputed) -> None:
        self._computing = False
        report = message.report
        self.report = report
        self.query_one("#report-headline", Static).update(Text(self._headline(report)))
        self.query_one("#report-summary", Static).update(Text("\n".join(summary_lines(report))))
        self.query_one(ShareChart).show(
            [
                ChartRow(
                    report.title(row.reason),
                    row.tagged_share,
                    row.labelled_share if label_shares_known(report) else None,
                    row.ci_low,
                    row.ci_high,
                )
                for row in report.gap
            ]
        )
        self._show_gap(report)
        self.query_one("#report-agreement", Static).update(Text(agreement_sentence(report)))

    def on_report_failed(self, message: ReportFailed) -> None:
        self._computing = False
        text = f"Cannot compute the report: {message.message}"
        self.query_one("#report-headline", Static).update(Text(text, style="bold red"))
        self.notify(text, severity="error", markup=False)

    def _headline(self, report: Report) -> str:
        if report.sample.rule is not None and report.tagged == 0:
            return (
                f"No session of the audit sample ({report.sample.size} sessions) has been tagged by "
                f"{report.auditor} yet, so there are no shares to compare. Tag sessions on the triage "
                "screen; escape goes back to it."
            )
        return headline(report)

    def _show_gap(self, report: Report) -> None:
        table = self.query_one("#report-gap", DataTable)
        table.clear()
        for row in report.gap:
            table.add_row(
                Text(report.title(row.reason)),
                Text(str(row.tagged), justify="right"),
                Text(
                    f"{percent_precise(row.tagged_share)} ({interval(row.ci_low, row.ci_high)})",
                    justify="right",
                ),
                *(Text(cell, justify="right") for cell in label_share_cells(report, row)),
                Text(f"{row.estimated_sessions:,}", justify="right"),
                key=row.reason,
            )
