"""The report's figures on a hand-made workspace, each worked out by hand from tests/data/report/small.sql.

Tagged sessions of the active sample (s01-s10), newest state of any auditor:
    s01 broken_code     label payment_error -> broken_code
    s02 broken_code     label price_shock   -> price
    s03 broken_code     label abandoned     -> interruption
    s04 price           label price_shock   -> price          (a later note edit keeps the tag)
    s05 too_slow        label payment_error -> broken_code    (bob's tag replaces alice's interruption)
    s06 broken_code     label "exited at cart", not in the label map
    s09 confusing_copy  label abandoned     -> interruption
Not tagged: s07 (skipped), s08 (cleared), s10 (tag undone). s11 is tagged by bob but outside the sample.
So n = 7, and 12 sessions exited in the whole workspace.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from queries import tags
from queries.config import parse_config
from queries.report import (
    WILSON_Z,
    Agreement,
    CohortRow,
    CrosstabRow,
    ExitPath,
    GhostRow,
    Pace,
    Population,
    SampleSummary,
    SuggestionCount,
    build_report,
    round_half_up,
    wilson_interval,
)
from queries.workspace import SCHEMA_VERSION, Workspace
from tests.data.report.workspace import CONFIG_TEXT, build_small_workspace

Z2 = WILSON_Z**2


@pytest.fixture(scope="module")
def small_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "small.duckdb"
    build_small_workspace(path).close()
    return path


@pytest.fixture
def small(small_template: Path, workspace_path: Path) -> Iterator[Workspace]:
    """A fresh copy of the hand-made workspace, so a test may add tags to it."""
    shutil.copyfile(small_template, workspace_path)
    workspace = Workspace.open(workspace_path, create=False)
    yield workspace
    workspace.close()


def test_population_and_sample(small: Workspace) -> None:
    report = build_report(small.cursor(), small.config)
    # 15 sessions: s01-s12 exited, c01 and c02 converted, n01 never entered the funnel.
    assert report.population == Population(sessions=15, exited=12, converted=2)
    assert report.sample == SampleSummary(rule="last 10 exited sessions", size=10, tagged=7)


def test_crosstab_counts_label_and_reason(small: Workspace) -> None:
    report = build_report(small.cursor(), small.config)
    assert report.crosstab == (
        CrosstabRow("abandoned", "broken_code", 1),
        CrosstabRow("abandoned", "confusing_copy", 1),
        CrosstabRow("exited at cart", "broken_code", 1),
        CrosstabRow("payment_error", "broken_code", 1),
        CrosstabRow("payment_error", "too_slow", 1),
        CrosstabRow("price_shock", "broken_code", 1),
        CrosstabRow("price_shock", "price", 1),
    )


def test_agreement_and_kappa_by_hand(small: Workspace) -> None:
    agreement = build_report(small.cursor(), small.config).agreement
    # Compared: the 6 tagged sessions whose label is in the map (all but s06).
    # Agreed: s01 (broken_code = broken_code) and s04 (price = price).
    assert agreement.compared == 6
    assert agreement.agreed == 2
    assert agreement.rate == pytest.approx(2 / 6)
    # Mapped labels: broken_code 2 (s01, s05), price 2 (s02, s04), interruption 2 (s03, s09).
    # Tags:          broken_code 3 (s01-s03), price 1, too_slow 1, confusing_copy 1.
    # Expected agreement = (2*3 + 2*1 + 2*0) / 6^2 = 8/36 = 2/9.
    # kappa = (1/3 - 2/9) / (1 - 2/9) = (1/9) / (7/9) = 1/7.
    assert agreement.kappa == pytest.approx(1 / 7)


def test_gap_list_order_and_shares(small: Workspace) -> None:
    gap = build_report(small.cursor(), small.config).gap
    # tagged / labelled counts: broken_code 4/2, interruption 0/2, confusing_copy 1/0,
    # price 1/2, too_slow 1/0. Sorted by |gap| (2, 2, 1, 1, 1 sessions), ties by reason id.
    assert [row.reason for row in gap] == [
        "broken_code",
        "interruption",
        "confusing_copy",
        "price",
        "too_slow",
    ]
    assert [(row.tagged, row.labelled) for row in gap] == [(4, 2), (0, 2), (1, 0), (1, 2), (1, 0)]
    broken = gap[0]
    assert broken.tagged_share == 4 / 7
    assert broken.labelled_share == 2 / 7
    assert broken.gap == pytest.approx(2 / 7)
    assert gap[1].gap == pytest.approx(-2 / 7)
    assert gap[3].gap == pytest.approx(-1 / 7)


def test_gap_wilson_interval_by_hand(small: Workspace) -> None:
    broken = build_report(small.cursor(), small.config).gap[0]
    # Wilson interval of 4/7 with z = 1.959964, z^2 = 3.841459:
    # centre = (4/7 + z^2/14) / (1 + z^2/7) = (0.571429 + 0.274390) / 1.548780 = 0.546119
    # half   = z / 1.548780 * sqrt((4/7)(3/7)/7 + z^2/196) = 1.265491 * sqrt(0.034985 + 0.019599)
    #        = 1.265491 * 0.233633 = 0.295661
    assert broken.ci_low == pytest.approx(0.546119 - 0.295661, abs=2e-6)
    assert broken.ci_high == pytest.approx(0.546119 + 0.295661, abs=2e-6)
    # With no tagged session the interval starts at 0 and ends at z^2 / (n + z^2).
    interruption = build_report(small.cursor(), small.config).gap[1]
    assert interruption.ci_low == 0.0
    assert interruption.ci_high == pytest.approx(Z2 / (7 + Z2))


def test_gap_estimated_sessions(small: Workspace) -> None:
    gap = build_report(small.cursor(), small.config).gap
    # round(tagged/7 * 12 exited): 48/7 = 6.86 -> 7; 0 -> 0; 12/7 = 1.71 -> 2.
    assert [row.estimated_sessions for row in gap] == [7, 0, 2, 2, 2]


def test_cohorts_by_stage_channel_device(small: Workspace) -> None:
    report = build_report(small.cursor(), small.config)
    # Exit stages in funnel order: s03 landing; s02, s06 cart; s01, s04, s05, s09 checkout.
    assert report.by_stage == (
        CohortRow("landing", "broken_code", 1),
        CohortRow("cart", "broken_code", 2),
        CohortRow("checkout", "broken_code", 1),
        CohortRow("checkout", "confusing_copy", 1),
        CohortRow("checkout", "price", 1),
        CohortRow("checkout", "too_slow", 1),
    )
    # s09 has no channel; a missing value sorts last.
    assert report.by_channel == (
        CohortRow("ads", "broken_code", 2),
        CohortRow("ads", "price", 1),
        CohortRow("email", "broken_code", 2),
        CohortRow("email", "too_slow", 1),
        CohortRow(None, "confusing_copy", 1),
    )
    assert report.by_device == (
        CohortRow("desktop", "broken_code", 1),
        CohortRow("desktop", "confusing_copy", 1),
        CohortRow("desktop", "price", 1),
        CohortRow("desktop", "too_slow", 1),
        CohortRow("mobile", "broken_code", 3),
    )


def test_weekday_cohort_in_utc_monday_first(small: Workspace) -> None:
    cursor = small.cursor()
    # s02 and s06 end on Sunday 23:30 UTC, which is already Monday in Berlin: the report must count Sunday.
    cursor.execute("SET TimeZone = 'Europe/Berlin'")
    report = build_report(cursor, small.config)
    assert report.by_weekday == (
        CohortRow("Monday", "broken_code", 1),
        CohortRow("Monday", "price", 1),
        CohortRow("Tuesday", "broken_code", 1),
        CohortRow("Tuesday", "confusing_copy", 1),
        CohortRow("Wednesday", "too_slow", 1),
        CohortRow("Sunday", "broken_code", 2),
    )


def test_ghosts_per_stage_whole_workspace(small: Workspace) -> None:
    ghosts = build_report(small.cursor(), small.config).ghosts
    # landing: every session but n01 views a product (14); s03 and s10 do nothing after it.
    # cart: 11 add to cart; s02, s08 and s11 end on that first add_to_cart (s06 adds twice).
    # checkout: 7 reach /checkout*; s04 and s09 end on the page that entered it (s05 moves on).
    # purchase: c01 ends on the purchase, c02 views a thank-you page after it.
    assert ghosts == (
        GhostRow("landing", 14, 2),
        GhostRow("cart", 11, 3),
        GhostRow("checkout", 7, 2),
        GhostRow("purchase", 2, 1),
    )


def test_ghosts_can_be_skipped(small: Workspace) -> None:
    report = build_report(small.cursor(), small.config, with_ghosts=False)
    assert report.ghosts == ()
    assert report.tagged == 7


def test_exit_paths_of_the_sample(small: Workspace) -> None:
    paths = build_report(small.cursor(), small.config).exit_paths
    assert paths == (
        ExitPath(("view_product",), 2),
        ExitPath(("view_product", "add_to_cart"), 2),
        ExitPath(("view_product", "add_to_cart", "page_view"), 2),
        ExitPath(("add_to_cart", "page_view", "error"), 1),
        ExitPath(("add_to_cart", "page_view", "page_view"), 1),
        ExitPath(("view_product", "add_to_cart", "add_to_cart"), 1),
        ExitPath(("view_product", "search", "view_product"), 1),
    )


def test_exit_paths_keep_the_top_ten(workspace: Workspace) -> None:
    cursor = workspace.cursor()
    # Twelve exited sessions, each ending on a different event; x00 and x01 end alike.
    cursor.execute(
        """
        INSERT INTO events (event_id, session_id, ts, event, source_file, import_id, row_number, content_hash)
        SELECT 'e' || i, 'x' || lpad(i::VARCHAR, 2, '0'), TIMESTAMPTZ '2024-03-04 10:00:00+00',
               'step_' || lpad(greatest(i, 1)::VARCHAR, 2, '0'), 'x.csv', 1, i, i
        FROM range(12) AS r(i)
        """
    )
    cursor.execute(
        """
        INSERT INTO sessions (session_id, started_at, ended_at, events, entered, converted, exited)
        SELECT DISTINCT session_id, ts, ts, 1, true, false, true FROM events
        """
    )
    cursor.execute(
        "INSERT INTO samples SELECT 1, 'all', now(), 12, row_number() OVER (), session_id FROM sessions"
    )
    paths = build_report(cursor, workspace.config).exit_paths
    assert len(paths) == 10
    assert paths[0] == ExitPath(("step_01",), 2)
    assert paths[-1] == ExitPath(("step_10",), 1)


def test_examples_in_sample_order(small: Workspace) -> None:
    examples = build_report(small.cursor(), small.config).examples
    assert examples == {
        "broken_code": ["s01", "s02", "s03", "s06"],
        "confusing_copy": ["s09"],
        "price": ["s04"],
        "too_slow": ["s05"],
    }


def test_pace_sums_each_auditors_span(small: Workspace) -> None:
    pace = build_report(small.cursor(), small.config).pace
    # alice tags from 10:00:00 to 10:04:00 (the undone tag at 10:03:30 still took time): 240 s.
    # bob has one tag on the sample (s11 is outside it): 0 s. Per session: 240 / 7.
    assert pace == Pace(240.0, 240 / 7)


def test_suggestions_accepted_and_overridden(small: Workspace) -> None:
    suggestions = build_report(small.cursor(), small.config).suggestions
    # s01 accepted broken_code; s02 overrode price with broken_code; s04 took the suggested price
    # without an explicit flag; bob overrode broken_code with too_slow on s05.
    assert suggestions == {
        "broken_code": SuggestionCount(accepted=1, overridden=1),
        "price": SuggestionCount(accepted=1, overridden=0),
        "too_slow": SuggestionCount(accepted=0, overridden=1),
    }


def test_one_auditor_uses_own_tags(small: Workspace) -> None:
    report = build_report(small.cursor(), small.config, auditor="alice")
    assert report.tagged == 7
    # alice's s05 tag is interruption, which its label (payment_error) does not map to.
    assert CrosstabRow("payment_error", "interruption", 1) in report.crosstab
    # Tags: broken_code 3, price 1, interruption 1, confusing_copy 1; mapped labels as before.
    # Expected agreement = (2*3 + 2*1 + 2*1) / 36 = 5/18; kappa = (6/18 - 5/18) / (13/18) = 1/13.
    assert report.agreement == Agreement(6, 2, pytest.approx(1 / 3), pytest.approx(1 / 13))
    bob = build_report(small.cursor(), small.config, auditor="bob")
    assert bob.sample.tagged == 1
    assert bob.pace == Pace(0.0, 0.0)


def test_tag_after_report_changes_figures(small: Workspace) -> None:
    cursor = small.cursor()
    tags.append(cursor, "s10", "carol", "tag", reason="dead_link")
    report = build_report(cursor, small.config)
    assert report.tagged == 8
    assert report.examples["dead_link"] == ["s10"]
    # The report leaves no temporary table behind on the cursor.
    assert cursor.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone() == (0,)


def test_no_sample_yet(workspace: Workspace) -> None:
    report = build_report(workspace.cursor(), workspace.config)
    assert report.population == Population(0, 0, 0)
    assert report.sample == SampleSummary(None, 0, 0)
    assert report.agreement == Agreement(0, 0, None, None)
    assert report.gap == ()
    assert report.exit_paths == ()
    assert report.examples == {}
    assert report.pace == Pace(None, None)


def test_sample_without_tags(small: Workspace) -> None:
    cursor = small.cursor()
    cursor.execute("DELETE FROM tag_log")
    report = build_report(cursor, small.config)
    assert report.sample == SampleSummary("last 10 exited sessions", 10, 0)
    assert report.agreement == Agreement(0, 0, None, None)
    assert report.gap == ()
    assert report.crosstab == ()
    assert report.by_stage == ()
    assert report.pace == Pace(None, None)
    assert report.suggestions == {}
    # Ghosts and exit paths need no tags.
    assert len(report.exit_paths) == 7
    assert report.ghosts[0] == GhostRow("landing", 14, 2)


def test_single_reason_everywhere(small: Workspace) -> None:
    cursor = small.cursor()
    cursor.execute("DELETE FROM tag_log")
    # Every one of the ten sample sessions is tagged broken_code, and every label maps to broken_code.
    for number in range(1, 11):
        tags.append(cursor, f"s{number:02d}", "alice", "tag", reason="broken_code")
    config_text = CONFIG_TEXT.replace('"price"', '"broken_code"').replace('"interruption"', '"broken_code"')
    report = build_report(cursor, parse_config(config_text))
    assert report.tagged == 10
    (row,) = report.gap
    # s06 and s10 carry "exited at ..." labels, outside the map: 8 sessions are compared.
    assert (row.reason, row.tagged, row.tagged_share) == ("broken_code", 10, 1.0)
    assert row.labelled_share == 8 / 10
    assert row.gap == pytest.approx(2 / 10)
    assert (report.agreement.compared, report.agreement.agreed, report.agreement.rate) == (8, 8, 1.0)
    # Both sides put every session in one category: expected agreement is 1 and kappa is undefined.
    assert report.agreement.kappa is None
    # Wilson interval of 10/10: from n / (n + z^2) to 1.
    assert row.ci_low == pytest.approx(10 / (10 + Z2))
    assert row.ci_high == 1.0
    assert row.estimated_sessions == 12
    assert report.examples == {"broken_code": ["s01", "s02", "s03", "s04", "s05"]}


def test_no_label_map(small: Workspace) -> None:
    config = parse_config(CONFIG_TEXT.split("[label.map]")[0])
    report = build_report(small.cursor(), config)
    assert report.agreement == Agreement(0, 0, None, None)
    assert all(row.labelled_share == 0.0 for row in report.gap)
    assert report.gap[0].reason == "broken_code"


def test_reason_outside_taxonomy_keeps_id(small: Workspace) -> None:
    tags.append(small.cursor(), "s10", "alice", "tag", reason="retired_reason")
    report = build_report(small.cursor(), small.config)
    assert report.title("retired_reason") == "retired_reason"
    assert report.title("broken_code") == "Broken code"


def test_wilson_interval_formula() -> None:
    # 1 of 2 with z = 1.959964: centre = (0.5 + z^2/4) / (1 + z^2/2) = 0.5 by symmetry,
    # half = z / (1 + z^2/2) * sqrt(0.125 + z^2/16).
    low, high = wilson_interval(1, 2)
    half = WILSON_Z / (1 + Z2 / 2) * math.sqrt(0.125 + Z2 / 16)
    assert low == pytest.approx(0.5 - half)
    assert high == pytest.approx(0.5 + half)
    assert low == pytest.approx(0.094531, abs=1e-6)


def test_round_half_up() -> None:
    assert round_half_up(5, 2) == 3
    assert round_half_up(7, 2) == 4
    assert round_half_up(1, 3) == 0
    assert round_half_up(2, 3) == 1
    assert round_half_up(0, 7) == 0


def test_ghosts_without_sessions_list_every_stage(small: Workspace) -> None:
    small.cursor().execute("DELETE FROM sessions")
    ghosts = build_report(small.cursor(), small.config).ghosts
    assert ghosts == (
        GhostRow("landing", 0, 0),
        GhostRow("cart", 0, 0),
        GhostRow("checkout", 0, 0),
        GhostRow("purchase", 0, 0),
    )


def test_schema_1_workspace_migrates_and_keeps_ghosts(small: Workspace) -> None:
    path = small.path
    cursor = small.cursor()
    cursor.execute("ALTER TABLE sessions DROP COLUMN entered_stages")
    cursor.execute("ALTER TABLE sessions DROP COLUMN ghost_stages")
    cursor.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    tags_before = cursor.execute("SELECT * FROM tag_log ORDER BY id").fetchall()
    small.close()

    with Workspace.open(path, create=False) as migrated:
        cursor = migrated.cursor()
        version = cursor.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert version == (str(SCHEMA_VERSION),)
        assert cursor.execute("SELECT * FROM tag_log ORDER BY id").fetchall() == tags_before
        ghosts = build_report(cursor, migrated.config).ghosts
    assert ghosts == (
        GhostRow("landing", 14, 2),
        GhostRow("cart", 11, 3),
        GhostRow("checkout", 7, 2),
        GhostRow("purchase", 2, 1),
    )
