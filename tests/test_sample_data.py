"""The bundled sample export, its config and true causes, and the generator that makes them."""

from __future__ import annotations

import csv
import gzip
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from queries.config import parse_config
from queries.sessions import derive_sessions
from queries.workspace import Workspace
from sample_data import plans, scenes
from sample_data.generate import (
    BUNDLED_EXPORT,
    BUNDLED_TRUTH,
    DEFAULT_SESSIONS,
    EXPORT_COLUMNS,
    generate,
    truth_path,
)

BUNDLED_CONFIG = BUNDLED_EXPORT.parent / "stripdown.toml"
REASON_IDS = {
    "broken_code",
    "form_rejected_input",
    "dead_link",
    "confusing_copy",
    "hidden_control",
    "too_slow",
    "price",
    "interruption",
    "not_a_real_exit",
    "cant_tell",
}


@pytest.fixture(scope="module")
def bundled() -> duckdb.DuckDBPyConnection:
    """An in-memory database with the bundled export as `events` and its truth as `truth`."""
    connection = duckdb.connect()
    connection.execute("CREATE TABLE events AS SELECT * FROM read_csv(?)", [str(BUNDLED_EXPORT)])
    connection.execute("CREATE TABLE truth AS SELECT * FROM read_csv(?)", [str(BUNDLED_TRUTH)])
    return connection


def _generate_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sample_data.generate", *args], capture_output=True, text=True, check=False
    )


# The bundled files.


def test_bundled_export_has_expected_columns(bundled: duckdb.DuckDBPyConnection) -> None:
    columns = [row[0] for row in bundled.execute("DESCRIBE events").fetchall()]
    assert columns == list(EXPORT_COLUMNS)


def test_bundled_export_size(bundled: duckdb.DuckDBPyConnection) -> None:
    sessions, events = bundled.execute("SELECT count(DISTINCT session_id), count(*) FROM events").fetchone()
    assert sessions >= DEFAULT_SESSIONS
    assert events > 10 * sessions
    assert BUNDLED_EXPORT.stat().st_size < 5_000_000


def test_bundled_sessions_start_within_week(bundled: duckdb.DuckDBPyConnection) -> None:
    first, last = bundled.execute(
        """
        SELECT min(started), max(started)
        FROM (SELECT min(timestamp) AS started FROM events GROUP BY session_id)
        """
    ).fetchone()
    week_start = datetime.fromisoformat("2025-05-12T00:00:00+02:00")
    week_end = datetime.fromisoformat("2025-05-19T00:00:00+02:00")
    assert week_start <= first < week_start + timedelta(hours=6)
    assert week_end - timedelta(hours=6) < last < week_end


def test_bundled_timestamps_carry_offset() -> None:
    with gzip.open(BUNDLED_EXPORT, "rt", encoding="utf-8") as lines:
        next(lines)
        row = next(lines)
    assert "+02:00," in row


def test_bundled_rows_in_time_order() -> None:
    with gzip.open(BUNDLED_EXPORT, "rt", encoding="utf-8", newline="") as lines:
        times = [datetime.fromisoformat(row["timestamp"]) for row in csv.DictReader(lines)]
    assert len(times) > 10_000
    assert times == sorted(times)


def test_event_ids_unique(bundled: duckdb.DuckDBPyConnection) -> None:
    distinct, total = bundled.execute("SELECT count(DISTINCT event_id), count(*) FROM events").fetchone()
    assert distinct == total


def test_bundled_export_has_variety(bundled: duckdb.DuckDBPyConnection) -> None:
    def distinct(column: str) -> set[str]:
        rows = bundled.execute(f"SELECT DISTINCT {column} FROM events WHERE {column} IS NOT NULL").fetchall()
        return {str(row[0]) for row in rows}

    assert distinct("channel") == {"organic", "paid search", "email", "social", "direct", "referral"}
    assert distinct("device_type") == {"desktop", "mobile", "tablet"}
    assert {"page_view", "click", "form_submit", "js_error", "api_request", "purchase"} <= distinct(
        "event_name"
    )
    assert {"200", "404", "422", "500"} <= distinct("http_status")


def test_messages_look_like_markup(bundled: duckdb.DuckDBPyConnection) -> None:
    messages = {row[0] for row in bundled.execute("SELECT DISTINCT error_message FROM events").fetchall()}
    assert any("[object Object]" in str(message) for message in messages)
    assert any("Unexpected token '['" in str(message) for message in messages)


def test_analytics_label_often_wrong(bundled: duckdb.DuckDBPyConnection) -> None:
    config = parse_config(BUNDLED_CONFIG.read_text(encoding="utf-8"))
    bundled.execute("CREATE OR REPLACE TEMP TABLE label_map (label VARCHAR, reason VARCHAR)")
    bundled.executemany("INSERT INTO label_map VALUES (?, ?)", list(config.label_map.items()))
    mapped, agreeing = bundled.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE m.reason = t.cause)
        FROM (SELECT DISTINCT session_id, exit_reason FROM events) AS e
        JOIN truth AS t USING (session_id)
        JOIN label_map AS m ON m.label = e.exit_reason
        """
    ).fetchone()
    assert mapped > 500
    assert 0.15 < agreeing / mapped < 0.6


# The true causes.


def test_truth_uses_default_reasons(bundled: duckdb.DuckDBPyConnection) -> None:
    causes = {row[0] for row in bundled.execute("SELECT DISTINCT cause FROM truth").fetchall()}
    assert causes == REASON_IDS


def test_truth_names_exported_sessions(bundled: duckdb.DuckDBPyConnection) -> None:
    missing = bundled.execute(
        "SELECT count(*) FROM truth WHERE session_id NOT IN (SELECT session_id FROM events)"
    ).fetchone()
    assert missing == (0,)


def test_truth_covers_every_exited_session(workspace: Workspace) -> None:
    config = parse_config(BUNDLED_CONFIG.read_text(encoding="utf-8"))
    cursor = workspace.cursor()
    with workspace.transaction():
        _load_bundled_events(cursor)
        counts = derive_sessions(cursor, config)
    cursor.execute("CREATE TEMP TABLE truth AS SELECT * FROM read_csv(?)", [str(BUNDLED_TRUTH)])
    exited_without_truth = cursor.execute(
        "SELECT count(*) FROM sessions WHERE exited AND session_id NOT IN (SELECT session_id FROM truth)"
    ).fetchone()
    truth_not_exited = cursor.execute(
        "SELECT count(*) FROM truth WHERE session_id NOT IN (SELECT session_id FROM sessions WHERE exited)"
    ).fetchone()
    assert counts.exited > 1000
    assert counts.converted > 100
    assert exited_without_truth == (0,)
    assert truth_not_exited == (0,)


def _load_bundled_events(cursor: duckdb.DuckDBPyConnection) -> None:
    """Fill `events` straight from the export, the way an import maps its columns."""
    cursor.execute(
        """
        INSERT INTO events (event_id, session_id, user_id, ts, event, url, target, status, message,
                            channel, device, label, user_agent, duration_ms, source_file, import_id,
                            row_number, content_hash)
        SELECT event_id, session_id, user_id, timestamp, event_name, page_url, element, http_status,
               error_message, channel, device_type, exit_reason, user_agent, load_time_ms, 'sample', 1,
               row_number() OVER (), hash(event_id)
        FROM read_csv(?)
        """,
        [str(BUNDLED_EXPORT)],
    )


# Evidence: each cause leaves its trace in most of its sessions, but not in every one.

EVIDENCE_SQL = """
WITH timeline AS (
    SELECT
        *,
        epoch(timestamp) - lag(epoch(timestamp)) OVER w AS gap,
        lag(element) OVER w AS previous_element,
        lag(event_name) OVER w AS previous_event
    FROM events
    WINDOW w AS (PARTITION BY session_id ORDER BY timestamp)
),
facts AS (
    SELECT
        session_id,
        bool_or(http_status >= 500 OR (event_name = 'js_error' AND error_message NOT IN
            ('Script error.', 'ResizeObserver loop completed with undelivered notifications.',
             'Non-Error promise rejection captured with value: undefined'))) AS error,
        max(submits) >= 2 AS form_retry,
        bool_or(http_status = 404) AS not_found,
        bool_or(load_time_ms > 3000) AS slow,
        bool_or(gap >= 600) AS idle,
        count(*) FILTER (WHERE event_name = 'click' AND previous_event = 'click'
                         AND element = previous_element AND gap <= 1) >= 2 AS rage_click,
        count(*) FILTER (WHERE event_name = 'scroll' AND previous_event = 'scroll') >= 2 AS scroll_hunt,
        bool_or(regexp_matches(user_agent, '(?i)bot|crawl|headless|python-requests|externalhit')) AS bot,
        bool_or(page_url LIKE '/help/%' OR page_url = previous_page) AS reread,
        bool_or(event_name IN ('apply_coupon', 'remove_from_cart', 'page_view')
                AND page_url LIKE '/products/%' AND previous_page = '/cart'
                OR event_name IN ('apply_coupon', 'remove_from_cart')
                OR element LIKE '%shipping-method%') AS price_hint
    FROM (
        SELECT
            *,
            count(*) FILTER (WHERE event_name = 'form_submit' AND error_message IS NOT NULL)
                OVER (PARTITION BY session_id, element) AS submits,
            lag(page_url, 2) OVER (PARTITION BY session_id ORDER BY timestamp) AS previous_page
        FROM timeline
    )
    GROUP BY session_id
),
converted_users AS (
    SELECT DISTINCT user_id FROM events WHERE event_name = 'purchase' AND user_id IS NOT NULL
),
per_session AS (
    SELECT t.cause, f.*, e.user_id IN (SELECT user_id FROM converted_users) AS converted_elsewhere
    FROM truth AS t
    JOIN facts AS f USING (session_id)
    JOIN (SELECT DISTINCT session_id, user_id FROM events) AS e USING (session_id)
)
SELECT avg(({evidence})::INTEGER) FROM per_session WHERE cause = ?
"""

EVIDENCE = [
    ("broken_code", "error", 0.75),
    ("form_rejected_input", "form_retry", 0.75),
    ("dead_link", "not_found", 0.9),
    ("too_slow", "slow", 0.75),
    ("interruption", "idle", 0.8),
    ("hidden_control", "rage_click OR scroll_hunt", 0.8),
    ("not_a_real_exit", "bot OR converted_elsewhere", 0.8),
    ("price", "price_hint", 0.5),
]


@pytest.mark.parametrize(("cause", "evidence", "share"), EVIDENCE)
def test_cause_leaves_evidence(
    bundled: duckdb.DuckDBPyConnection, cause: str, evidence: str, share: float
) -> None:
    (found,) = bundled.execute(EVIDENCE_SQL.format(evidence=evidence), [cause]).fetchone()
    assert found >= share


def test_some_errors_never_reached_analytics(bundled: duckdb.DuckDBPyConnection) -> None:
    (found,) = bundled.execute(EVIDENCE_SQL.format(evidence="error"), ["broken_code"]).fetchone()
    assert found < 0.95


def test_cant_tell_shows_little(bundled: duckdb.DuckDBPyConnection) -> None:
    (found,) = bundled.execute(
        EVIDENCE_SQL.format(evidence="error OR form_retry OR not_found OR idle OR rage_click OR bot"),
        ["cant_tell"],
    ).fetchone()
    assert found < 0.1


# The config.


def test_config_parses_with_label_column() -> None:
    config = parse_config(BUNDLED_CONFIG.read_text(encoding="utf-8"))
    assert config.label_column == "exit_reason"
    assert [stage.name for stage in config.stages] == [
        "product",
        "cart",
        "shipping",
        "payment",
        "confirmation",
    ]
    assert set(config.label_map.values()) <= REASON_IDS


def test_config_stages_match_events(bundled: duckdb.DuckDBPyConnection) -> None:
    config = parse_config(BUNDLED_CONFIG.read_text(encoding="utf-8"))
    for stage in config.stages:
        assert stage.url is not None
        (matches,) = bundled.execute(
            "SELECT count(*) FROM events WHERE page_url GLOB ?", [stage.url]
        ).fetchone()
        assert matches > 100, stage.name


def test_config_labels_occur_in_export(bundled: duckdb.DuckDBPyConnection) -> None:
    config = parse_config(BUNDLED_CONFIG.read_text(encoding="utf-8"))
    labels = {row[0] for row in bundled.execute("SELECT DISTINCT exit_reason FROM events").fetchall()}
    assert set(config.label_map) <= labels


# The generator.


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a.csv.gz", tmp_path / "a.truth.csv", sessions=120, seed=5)
    second = generate(tmp_path / "b.csv.gz", tmp_path / "b.truth.csv", sessions=120, seed=5)
    assert first.export.read_bytes() == second.export.read_bytes()
    assert first.truth.read_bytes() == second.truth.read_bytes()


def test_same_seed_same_parquet(tmp_path: Path) -> None:
    first = generate(tmp_path / "a.parquet", tmp_path / "a.csv", sessions=80, seed=5, file_format="parquet")
    second = generate(tmp_path / "b.parquet", tmp_path / "b.csv", sessions=80, seed=5, file_format="parquet")
    assert first.export.read_bytes() == second.export.read_bytes()


def test_other_seed_other_export(tmp_path: Path) -> None:
    first = generate(tmp_path / "a.csv", tmp_path / "a.truth.csv", sessions=60, seed=5)
    second = generate(tmp_path / "b.csv", tmp_path / "b.truth.csv", sessions=60, seed=6)
    assert first.export.read_bytes() != second.export.read_bytes()


def test_bundled_files_are_current(tmp_path: Path) -> None:
    result = generate(tmp_path / "export.csv.gz", tmp_path / "truth.csv")
    regenerated = gzip.decompress(result.export.read_bytes())
    assert regenerated == gzip.decompress(BUNDLED_EXPORT.read_bytes()), (
        "the bundled export is stale: run python3 -m sample_data.generate"
    )
    assert result.truth.read_bytes() == BUNDLED_TRUTH.read_bytes()


def test_events_option_stops_near_count(tmp_path: Path) -> None:
    result = generate(tmp_path / "e.csv", tmp_path / "e.truth.csv", events=5000, seed=3)
    (rows,) = duckdb.execute("SELECT count(*) FROM read_csv(?)", [str(result.export)]).fetchone()
    assert rows == result.events
    assert 5000 <= rows < 5200


def test_replayed_pool_stays_consistent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plans, "POOL_SESSIONS", 50)
    result = generate(tmp_path / "r.csv", tmp_path / "r.truth.csv", sessions=130, seed=8)
    connection = duckdb.connect()
    connection.execute("CREATE TABLE events AS SELECT * FROM read_csv(?)", [str(result.export)])
    connection.execute("CREATE TABLE truth AS SELECT * FROM read_csv(?)", [str(result.truth)])
    sessions, event_ids, rows = connection.execute(
        "SELECT count(DISTINCT session_id), count(DISTINCT event_id), count(*) FROM events"
    ).fetchone()
    exited = connection.execute(
        """
        SELECT session_id FROM events GROUP BY session_id
        HAVING bool_or(page_url GLOB '/products/*') AND NOT bool_or(page_url GLOB '/order/confirmation*')
        ORDER BY session_id
        """
    ).fetchall()
    truth = connection.execute("SELECT session_id FROM truth ORDER BY session_id").fetchall()
    assert result.sessions in (130, 131)
    assert sessions == result.sessions
    assert event_ids == rows
    assert exited == truth


def test_plans_use_only_playable_scenes() -> None:
    playable = scenes.playable_items()
    planned = {item for plan in plans.draw_plans(11, sessions=3000) for item in plan.items}
    assert planned - playable == set()


def test_truth_path_beside_export() -> None:
    assert truth_path(Path("/data/big.csv.gz")) == Path("/data/big.true_causes.csv")
    assert truth_path(Path("/data/big.parquet")) == Path("/data/big.true_causes.csv")


def test_cli_writes_parquet(tmp_path: Path) -> None:
    export = tmp_path / "out" / "small.parquet"
    completed = _generate_cli("--sessions", "40", "--seed", "9", "--format", "parquet", "-o", str(export))
    assert completed.returncode == 0, completed.stderr
    assert "40 sessions" in completed.stdout
    rows = duckdb.execute("SELECT typeof(timestamp), count(*) FROM read_parquet(?) GROUP BY 1", [str(export)])
    (kind, count), *_ = rows.fetchall()
    assert kind == "TIMESTAMP WITH TIME ZONE"
    assert count > 100
    assert (tmp_path / "out" / "small.true_causes.csv").exists()


def test_cli_rejects_bundled_parquet() -> None:
    completed = _generate_cli("--format", "parquet")
    assert completed.returncode == 2
    assert "give -o PATH" in completed.stderr


def test_cli_rejects_zero_sessions(tmp_path: Path) -> None:
    completed = _generate_cli("--sessions", "0", "-o", str(tmp_path / "x.csv"))
    assert completed.returncode == 2
    assert "at least 1" in completed.stderr
    assert not (tmp_path / "x.csv").exists()


def test_cli_rejects_both_sizes(tmp_path: Path) -> None:
    completed = _generate_cli("--sessions", "5", "--events", "50", "-o", str(tmp_path / "x.csv"))
    assert completed.returncode == 2
    assert "not allowed with" in completed.stderr
