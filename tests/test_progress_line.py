"""The progress line of the triage screen."""

from __future__ import annotations

from datetime import UTC, datetime

from widgets.progress import ProgressFigures, progress_text


def figures(timezone: str) -> ProgressFigures:
    return ProgressFigures(
        tagged=10,
        skipped=2,
        flagged=1,
        size=500,
        elapsed=600.0,
        time_box=7200.0,
        seconds_per_session=50.0,
        finish_at=datetime(2024, 1, 15, 12, 30, tzinfo=UTC),
        timezone=timezone,
    )


def test_progress_line_figures() -> None:
    text = progress_text(figures("UTC")).plain
    assert text.startswith("tagged 10/500 · 2 skipped · 1 flagged · 10:00 of 2:00:00 · 50 s/session")


def test_finish_time_names_zone() -> None:
    assert progress_text(figures("UTC")).plain.endswith("done ≈ 12:30 UTC")
    assert progress_text(figures("Europe/Berlin")).plain.endswith("done ≈ 13:30 CET")
