"""The report's JSON, Markdown and HTML forms, including hostile export values and a real browser."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from queries.report import Report, build_report
from queries.report_html import render_html
from queries.report_render import headline_row, render_json, render_markdown
from queries.workspace import Workspace
from tests.data.report.workspace import build_small_workspace

TOP_LEVEL_KEYS = [
    "population",
    "sample",
    "agreement",
    "crosstab",
    "gap",
    "by_stage",
    "by_channel",
    "by_device",
    "by_weekday",
    "ghosts",
    "exit_paths",
    "examples",
    "pace",
    "suggestions",
]
GAP_KEYS = [
    "reason",
    "tagged",
    "tagged_share",
    "labelled_share",
    "gap",
    "ci_low",
    "ci_high",
    "estimated_sessions",
]

HOSTILE_LABEL = "a|b *bold* [link](javascript:alert(1)) <script>alert(2)</script> & `code` [/]"
HOSTILE_EVENT = "<img src=x onerror=alert(3)>|[@click=app.quit]"


@pytest.fixture(scope="module")
def small_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("render") / "small.duckdb"
    build_small_workspace(path).close()
    return path


@pytest.fixture
def small(small_path: Path, workspace_path: Path) -> Iterator[Workspace]:
    shutil.copyfile(small_path, workspace_path)
    with Workspace.open(workspace_path, create=False) as workspace:
        yield workspace


@pytest.fixture
def report(small: Workspace) -> Report:
    return build_report(small.cursor(), small.config)


@pytest.fixture
def hostile_report(small: Workspace) -> Report:
    """The small workspace with markup, HTML and pipes in a label, a channel and an event name."""
    cursor = small.cursor()
    cursor.execute(
        "UPDATE sessions SET label = ?, channel = ? WHERE session_id = 's06'", [HOSTILE_LABEL, HOSTILE_LABEL]
    )
    cursor.execute("UPDATE events SET event = ? WHERE session_id = 's06'", [HOSTILE_EVENT])
    return build_report(cursor, small.config)


def test_json_has_exactly_the_keys(report: Report) -> None:
    data = json.loads(render_json(report))
    assert list(data) == TOP_LEVEL_KEYS
    assert list(data["gap"][0]) == GAP_KEYS
    assert list(data["agreement"]) == ["compared", "agreed", "rate", "kappa"]
    assert list(data["pace"]) == ["seconds", "per_session"]
    assert data["suggestions"]["broken_code"] == {"accepted": 1, "overridden": 1}


def test_json_floats_are_unrounded(report: Report) -> None:
    data = json.loads(render_json(report))
    assert data["gap"][0]["tagged_share"] == 4 / 7
    assert data["gap"][0]["ci_low"] == report.gap[0].ci_low
    assert data["agreement"]["rate"] == 2 / 6
    assert data["pace"]["per_session"] == 240 / 7
    assert data["exit_paths"][0] == {"path": ["view_product"], "sessions": 2}
    assert data["by_channel"][-1] == {"value": None, "reason": "confusing_copy", "sessions": 1}


def test_json_without_tags_has_nulls(small: Workspace) -> None:
    small.cursor().execute("DELETE FROM tag_log")
    data = json.loads(render_json(build_report(small.cursor(), small.config)))
    assert list(data) == TOP_LEVEL_KEYS
    assert data["agreement"] == {"compared": 0, "agreed": 0, "rate": None, "kappa": None}
    assert data["pace"] == {"seconds": None, "per_session": None}
    assert data["gap"] == []
    assert data["sample"]["tagged"] == 0


def test_markdown_headline_and_gap_table(report: Report) -> None:
    text = render_markdown(report)
    assert (
        "Of 7 exited sessions audited, 57% (25-84%) left because of broken code; "
        "the dashboard attributes 29% to it." in text
    )
    assert "| Broken code | 4 | 57.1% (25-84%) | 28.6% | +28.6 pts | 7 |" in text
    assert "| Real-world interruption | 0 | 0.0% (0-35%) | 28.6% | -28.6 pts | 0 |" in text
    assert "Cohen's kappa is 0.14." in text
    assert "| landing | 14 | 2 | 14.3% |" in text
    assert "| view\\_product → add\\_to\\_cart | 2 |" in text


def test_headline_names_a_tagged_reason(small: Workspace) -> None:
    # bob tagged one session too_slow; its label maps to broken_code. Both gaps are one session wide
    # and broken_code sorts first, but no auditor tagged it, so the headline names too_slow.
    text = render_markdown(build_report(small.cursor(), small.config, auditor="bob"))
    assert (
        "Of 1 exited session audited, 100% (21-100%) left because of too slow; "
        "the dashboard attributes 0% to it." in text
    )


def test_headline_prefers_under_reported_reason(report: Report) -> None:
    # Move price (tagged 1, labelled 2) to the top: the headline still names the reason with the
    # largest gap above 0, which is broken_code (4 tagged, 2 labelled).
    price = next(row for row in report.gap if row.reason == "price")
    reordered = replace(report, gap=(price, *(row for row in report.gap if row is not price)))
    assert headline_row(reordered).reason == "broken_code"
    # With no gap above 0, the first row with a tagged session is named.
    only_over_reported = replace(report, gap=tuple(row for row in report.gap if row.tagged <= row.labelled))
    assert [row.reason for row in only_over_reported.gap] == ["interruption", "price"]
    assert headline_row(only_over_reported).reason == "price"


def test_markdown_sections_in_order(report: Report) -> None:
    headings = re.findall(r"^#+ (.+)$", render_markdown(report), flags=re.MULTILINE)
    assert headings == [
        "Strip-down report",
        "Gap list",
        "Analytics label vs exit reason",
        "Agreement",
        "Suggestions",
        "By exit stage",
        "By channel",
        "By device",
        "By weekday (UTC, from the session's last event)",
        "Ghosts",
        "Exit paths",
        "Example sessions",
    ]


def test_markdown_escapes_export_values(hostile_report: Report) -> None:
    text = render_markdown(hostile_report)
    # Unescaped pipes delimit cells, so every row of a table must have as many as its header.
    crosstab = text.split("## Analytics label vs exit reason")[1].split("## Agreement")[0]
    rows = [line for line in crosstab.splitlines() if line.startswith("|")]
    cells = {len(re.findall(r"(?<!\\)\|", line)) for line in rows}
    assert cells == {6}
    channels = text.split("## By channel")[1].split("## By device")[0]
    rows = [line for line in channels.splitlines() if line.startswith("|")]
    assert {len(re.findall(r"(?<!\\)\|", line)) for line in rows} == {4}
    assert "a\\|b \\*bold\\* \\[link\\](javascript:alert(1)) \\<script\\>" in text
    assert "<script>" not in text
    assert "\\<img src=x onerror=alert(3)\\>\\|\\[@click=app.quit\\]" in text


def test_markdown_without_sample_says_so(workspace: Workspace) -> None:
    text = render_markdown(build_report(workspace.cursor(), workspace.config))
    assert "No audit sample has been drawn yet" in text
    assert "## Gap list" not in text
    assert "Workspace: 0 sessions, 0 exited the funnel, 0 converted." in text


def test_markdown_without_tags_says_so(small: Workspace) -> None:
    small.cursor().execute("DELETE FROM tag_log")
    text = render_markdown(build_report(small.cursor(), small.config))
    assert "No session of the audit sample (10 sessions) has been tagged yet" in text
    assert "## Gap list" not in text
    assert "## Ghosts" in text
    assert "## Exit paths" in text


def test_markdown_without_label_map(small: Workspace) -> None:
    config = small.config
    unmapped = build_report(small.cursor(), type(config)(**{**config.__dict__, "label_map": {}}))
    text = render_markdown(unmapped)
    assert "the dashboard's share is unknown" in text
    assert "the config has no label map" in text
    assert "label shares and gaps are shown as –" in text
    gap_rows = [line for line in text.splitlines() if line.startswith("| Broken code |")]
    assert gap_rows
    assert "| – | – |" in gap_rows[0]
    assert " pts |" not in text.split("## Gap list")[1].split("## ")[0]
    page = render_html(unmapped)
    assert "label share unknown: no analytics label maps to a reason" in page
    assert ": label share 0.0%" not in page


def test_html_escapes_export_values(hostile_report: Report) -> None:
    page = render_html(hostile_report)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()


def test_html_is_self_contained(report: Report) -> None:
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in page
    assert page.count("<svg") == 1
    # The only URL is the SVG namespace name, which is never fetched.
    assert re.findall(r"https?://[^\s\"'<>]+", page) == ["http://www.w3.org/2000/svg"]
    for external in ("<link", "@import", "url(", "@font-face", "<script", "<iframe"):
        assert external not in page
    # One bar per share and one interval per reason: five reasons in the gap list.
    assert len(re.findall(r'fill="#2f6fbf"><title>', page)) == 5
    assert len(re.findall(r'fill="#e0a526"><title>', page)) == 5


def _png_size(path: Path) -> tuple[int, int]:
    """Return (width, height) from a PNG's IHDR chunk, after checking the signature."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _screenshot(chromium: str, page: Path, shot: Path, profile: Path) -> None:
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1000,1400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_html_renders_in_headless_chromium(report: Report, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed; install it to check that the HTML report renders")
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    _screenshot(chromium, page, tmp_path / "report.png", tmp_path / "profile")
    _screenshot(chromium, blank, tmp_path / "blank.png", tmp_path / "profile")
    assert _png_size(tmp_path / "report.png") == (1000, 1400)
    # A blank page compresses to a few kilobytes; text, tables and the chart make the PNG far larger.
    assert (tmp_path / "report.png").stat().st_size > 10 * (tmp_path / "blank.png").stat().st_size
