"""Hostile exports from tests/data/hostile: each one imports with the right values, or fails cleanly.

A clean failure is exit status 1 with one plain line on stderr naming the file, no traceback, and the
workspace it was imported into left byte for byte as it was.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.reliability_support import (
    HOSTILE,
    assert_imported,
    assert_plain_failure,
    file_digest,
    import_files,
    query,
    run_cli,
    scalar,
    seed_workspace,
    table_fingerprint,
    write_funnel_config,
)

MARKUP = [
    "[/]",
    "[bold]loud[/bold]",
    "[@click=app.quit]x[/]",
    "[link=https://example.invalid]here[/link]",
    "[red",
    "\\[escaped]",
]
CONTROL = [
    "\x1b[31mred\x1b[0m",
    "\x1b]0;title\x07bell",
    "back\x08space",
    "tab\there",
    "vt\x0bff\x0c",
    "\x1b[2J\x1b[Hclear",
    "cr\rreturn",
    "del\x7f",
]
FORMULAS = [
    '=HYPERLINK("http://example.invalid","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\tleading tab",
    "\rleading return",
]
TEXT_FIELDS = ("user_id", "event", "target", "message", "channel", "device", "label", "user_agent")


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with two sessions, a sample and one tag, built once and copied by each test."""
    folder = tmp_path_factory.mktemp("seeded")
    workspace = folder / "seeded.duckdb"
    seed_workspace(workspace, folder)
    return workspace


@pytest.fixture
def seeded(seeded_template: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded workspace."""
    copy = tmp_path / "review.duckdb"
    shutil.copyfile(seeded_template, copy)
    return copy


def import_corpus(tmp_path: Path, name: str, *options: str) -> Path:
    """Import one corpus file into a new workspace with the corpus funnel; return the workspace."""
    workspace = tmp_path / "hostile.duckdb"
    config = write_funnel_config(tmp_path)
    result = import_files(workspace, HOSTILE / name, options=["--config", str(config), *options])
    assert_imported(result)
    return workspace


def assert_rejected(seeded: Path, name: str, *fragments: str) -> str:
    """Import a corpus file into the seeded workspace; expect a clean failure and no change."""
    before_bytes = file_digest(seeded)
    before_tables = table_fingerprint(seeded)
    result = import_files(seeded, HOSTILE / name)
    line = assert_plain_failure(result, name, *fragments)
    assert file_digest(seeded) == before_bytes
    assert table_fingerprint(seeded) == before_tables
    assert not seeded.with_name(seeded.name + ".wal").exists()
    return line


def column(workspace: Path, name: str, order_by: str = "ts, event_id") -> list[Any]:
    """Return one events column in time order."""
    return [row[0] for row in query(workspace, f"SELECT {name} FROM events ORDER BY {order_by}")]


def utc_times(workspace: Path) -> list[str]:
    """Return every event time as UTC text, in event id order."""
    return column(workspace, "strftime(ts, '%Y-%m-%d %H:%M:%S.%g')", order_by="event_id")


def properties(workspace: Path, event_id: str) -> dict[str, Any]:
    """Return the parsed `properties` of one event."""
    text = scalar(workspace, "SELECT properties::VARCHAR FROM events WHERE event_id = ?", [event_id])
    assert text is not None, f"event {event_id} has no properties"
    value = json.loads(text)
    assert isinstance(value, dict)
    return value


def test_markup_in_every_csv_field(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "markup_in_every_field.csv")
    assert scalar(workspace, "SELECT count(*) FROM events") == len(MARKUP)
    assert column(workspace, "session_id") == MARKUP
    for field in TEXT_FIELDS:
        assert column(workspace, field) == MARKUP, field
    assert column(workspace, "url") == [f"/cart?{text}" for text in MARKUP]
    assert sorted(row[0] for row in query(workspace, "SELECT session_id FROM sessions")) == sorted(MARKUP)


def test_markup_in_every_json_field(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "markup_in_every_field.jsonl")
    assert column(workspace, "session_id") == [f"s-{text}" for text in MARKUP]
    for field in TEXT_FIELDS:
        assert column(workspace, field) == MARKUP, field
    assert column(workspace, "url") == [f"/checkout/{text}" for text in MARKUP]
    for index, text in enumerate(MARKUP):
        assert json.dumps(text) in json.dumps(properties(workspace, f"j{index}")), text


def test_ansi_and_control_characters_kept_exactly(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "ansi_and_control_chars.csv")
    assert column(workspace, "session_id") == CONTROL
    for field in TEXT_FIELDS:
        assert column(workspace, field) == CONTROL, field
    assert column(workspace, "url") == [f"/p/{text}" for text in CONTROL]


def test_utf8_byte_order_mark(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "utf8_bom.csv")
    assert column(workspace, "event_id") == ["b0", "b1", "b2"]
    assert column(workspace, "message") == ["Größe 0", "Größe 1", "Größe 2"]


def test_latin1_text_decoded(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "latin1.csv")
    assert column(workspace, "message") == ["Café crème ½ price"] * 3
    assert column(workspace, "url") == ["/café"] * 3


def test_quoted_newlines_stay_in_field(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "quoted_newlines.csv")
    assert column(workspace, "message") == [
        "first line\nsecond line",
        'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad',
        "\n\nblank lines\n\n",
    ]
    assert column(workspace, "status") == [200, 500, 200]


def test_json_column_with_doubled_quotes(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "json_in_column.csv")
    expected = {
        "p1": '{"sku": "A-1", "qty": 2, "tags": ["x", "y"]}',
        "p2": '{"quote": "he said \\"hi\\"", "comma": "a,b"}',
        "p3": "not json, just text",
    }
    for event_id, text in expected.items():
        payload = properties(workspace, event_id)["payload"]
        if isinstance(payload, str):
            assert payload == text, event_id
        else:
            assert payload == json.loads(text), event_id


def test_header_starting_with_hash(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "hash_header.csv")
    assert scalar(workspace, "SELECT count(*) FROM events") == 3
    assert column(workspace, "session_id") == ["hash-1", "hash-1", "hash-2"]
    assert column(workspace, "url") == ["/cart", "/checkout", "/cart"]


def test_mixed_timezone_offsets(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "mixed_offsets.csv")
    assert utc_times(workspace) == [
        "2024-03-05 10:00:00.000",
        "2024-03-05 10:01:00.000",
        "2024-03-05 10:02:00.000",
        "2024-03-05 10:03:00.000",
        "2024-03-05 10:04:00.000",
    ]


def test_epoch_seconds_and_millis_mixed(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "epoch_seconds_and_millis.csv")
    assert utc_times(workspace) == [
        "2024-03-05 10:00:00.000",
        "2024-03-05 10:01:00.000",
        "2024-03-05 10:02:00.000",
        "2024-03-05 10:03:00.500",
    ]


def test_timestamps_out_of_order(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "out_of_order.csv")
    sessions = query(
        workspace,
        """
        SELECT session_id, strftime(started_at, '%H:%M'), strftime(ended_at, '%H:%M'), events,
               furthest_stage, converted, landing_url, exit_url
        FROM sessions ORDER BY session_id
        """,
    )
    assert sessions == [
        ("order-1", "10:00", "10:03", 4, "paid", True, "/", "/checkout/pay"),
        ("order-2", "09:00", "09:30", 2, "cart", False, "/", "/cart"),
    ]


def test_long_numeric_ids_stay_exact(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "long_numeric_ids.csv")
    assert column(workspace, "event_id") == [
        "123456789012345678901234567890",
        "123456789012345678901234567891",
        "18446744073709551617",
    ]
    assert column(workspace, "session_id") == ["9007199254740993", "9007199254740993", "18446744073709551615"]
    assert column(workspace, "user_id") == ["000123", "000123", "1e5"]
    assert sorted(row[0] for row in query(workspace, "SELECT session_id FROM sessions")) == [
        "18446744073709551615",
        "9007199254740993",
    ]


def test_same_event_id_different_content(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "same_event_id_different_content.csv")
    assert query(workspace, "SELECT event_id, status FROM events ORDER BY ts") == [
        ("dup-1", 200),
        ("dup-2", 200),
        ("dup-2", 500),
    ]
    assert query(workspace, "SELECT rows_read, events_kept, duplicates, collisions FROM imports") == [
        (4, 3, 1, 1)
    ]


def test_session_id_minus_one_means_none(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "session_id_minus_one.csv")
    assert scalar(workspace, "SELECT count(*) FROM events WHERE session_id = '-1'") == 0
    sessions = query(
        workspace,
        """
        SELECT user_id, strftime(started_at, '%H:%M'), strftime(ended_at, '%H:%M'), events
        FROM sessions ORDER BY user_id, started_at
        """,
    )
    assert sessions == [
        ("alice", "10:00", "10:05", 2),
        ("alice", "11:00", "11:10", 2),
        ("bob", "10:00", "10:20", 2),
    ]


def test_empty_file_rejected(seeded: Path) -> None:
    assert_rejected(seeded, "empty.csv")


def test_header_only_rejected(seeded: Path) -> None:
    assert_rejected(seeded, "header_only.csv")


def test_deeply_nested_json_properties(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "deeply_nested.jsonl")
    assert scalar(workspace, "SELECT count(*) FROM events") == 3
    text = json.dumps(properties(workspace, "n2"))
    assert text.count("level") == 64
    assert '"leaf": "bottom"' in text


def test_sessions_crossing_midnight(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "crossing_midnight.csv")
    sessions = query(
        workspace,
        """
        SELECT user_id, strftime(started_at, '%Y-%m-%d %H:%M:%S'), strftime(ended_at, '%Y-%m-%d %H:%M:%S'),
               events
        FROM sessions ORDER BY started_at
        """,
    )
    assert sessions == [
        ("owl", "2024-03-05 23:50:00", "2024-03-06 00:10:00", 2),
        ("lark", "2024-12-31 23:45:00", "2025-01-01 00:05:00", 3),
    ]


def test_bot_only_file(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "bots_only.csv")
    assert scalar(workspace, "SELECT count(*) FROM events") == 10
    assert scalar(workspace, "SELECT count(*) FROM sessions") == 5
    agents = {row[0] for row in query(workspace, "SELECT user_agent FROM events")}
    assert "python-requests/2.31.0" in agents
    assert "Googlebot/2.1 (+http://www.google.com/bot.html)" in agents


def test_crlf_line_endings(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "crlf_line_endings.csv")
    assert column(workspace, "message") == ["plain", "two\r\nlines"]
    assert column(workspace, "url") == ["/cart", "/checkout"]


def test_semicolon_delimiter(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "semicolon_delimited.csv")
    assert column(workspace, "message") == ["a, b and c", "x"]
    assert column(workspace, "session_id") == ["semi-1", "semi-1"]


def test_tab_separated_with_stray_quotes(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "tab_separated.tsv")
    assert column(workspace, "message") == ['has, commas; and "quotes"', "plain"]


def test_unicode_text_kept_exactly(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "unicode_text.csv")
    assert column(workspace, "message") == [
        "emoji 🛒💳🙈",
        "rtl \u202eevil.exe\u202c",
        "zwj 👩\u200d👩\u200d👧",
        "combining e\u0301\u0301\u0301",
        "cjk 購物車",
        "nbsp\u00a0and\u2028line sep",
    ]


def test_formula_like_values_kept_exactly(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "formula_values.csv")
    assert column(workspace, "message") == FORMULAS
    assert column(workspace, "session_id") == FORMULAS


def test_formula_like_values_quoted_in_csv_export(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "formula_values.csv")
    sampled = run_cli("sample", "-w", workspace)
    assert sampled.returncode == 0, sampled.stderr
    output = tmp_path / "tags.csv"
    exported = run_cli("export", "-w", workspace, "--format", "csv", "-o", output)
    assert exported.returncode == 0, exported.stderr
    with output.open(newline="", encoding="utf-8") as handle:
        session_ids = sorted(row["session_id"] for row in csv.DictReader(handle))
    assert session_ids == sorted(f"'{value}" for value in FORMULAS)


def test_unparseable_timestamp_names_value(seeded: Path) -> None:
    assert_rejected(seeded, "bad_timestamp_row.csv", "yesterday at noon")


def test_missing_timestamp_column_rejected(seeded: Path) -> None:
    assert_rejected(seeded, "no_timestamp_column.csv", "timestamp")


def test_blank_lines_skipped(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "blank_lines.csv")
    assert column(workspace, "event_id") == ["k1", "k2"]


def test_broken_json_line_rejected(seeded: Path) -> None:
    assert_rejected(seeded, "broken_json_line.jsonl")


def test_json_lines_that_are_not_objects_rejected(seeded: Path) -> None:
    assert_rejected(seeded, "json_not_objects.jsonl")


def test_ragged_rows_rejected(seeded: Path) -> None:
    assert_rejected(seeded, "ragged_rows.csv")


def test_naive_timestamps_with_zone_option(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "naive_timestamps.csv", "--tz", "Europe/Berlin")
    assert utc_times(workspace) == [
        "2024-03-31 00:30:00.000",
        "2024-03-31 01:30:00.000",
        "2024-07-01 10:00:00.000",
    ]


def test_many_columns_kept_in_properties(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "many_columns.csv")
    kept = properties(workspace, "wide2")
    assert kept["custom_dimension_0"] == "v2_0"
    assert kept["custom_dimension_299"] == "v2_299"
    assert len([key for key in kept if key.startswith("custom_dimension_")]) == 300


def test_human_header_names_mapped(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "human_header_names.csv")
    assert query(workspace, "SELECT session_id, event, url, status FROM events ORDER BY ts") == [
        ("human-1", "page_view", "/cart", 200),
        ("human-1", "error", "/checkout", 503),
    ]


def test_sql_like_text_and_quoted_column_name(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "sql_like_text.csv")
    assert column(workspace, "session_id") == ["x'); DROP TABLE events; --"] * 2
    assert column(workspace, "message") == ["' OR 1=1 --", "$(rm -rf ~)"]
    assert properties(workspace, "i1")['weird"col'] == 'a"b'


def test_plain_text_named_gzip_rejected(seeded: Path) -> None:
    assert_rejected(seeded, "plain_text_named.csv.gz")


def test_empty_values_become_null(tmp_path: Path) -> None:
    workspace = import_corpus(tmp_path, "null_like_values.csv")
    assert column(workspace, "user_id")[:2] == [None, None]
    assert column(workspace, "status") == [None, None, 404]


def test_rejected_file_leaves_no_new_workspace(tmp_path: Path) -> None:
    workspace = tmp_path / "new.duckdb"
    result = import_files(workspace, HOSTILE / "bad_timestamp_row.csv")
    assert_plain_failure(result, "bad_timestamp_row.csv")
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_corpus_has_a_test_per_file() -> None:
    committed = sorted(path.name for path in HOSTILE.iterdir() if path.is_file() and path.suffix != ".py")
    source = Path(__file__).read_text(encoding="utf-8")
    untested = [name for name in committed if f'"{name}"' not in source]
    assert len(committed) >= 30
    assert untested == []
