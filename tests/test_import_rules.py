"""Column mapping, time parsing, sessionization and duplicate rules of `stripdown import`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from queries import tags
from queries.importing import ImportOptions, import_exports
from queries.importing.mapping import map_columns, normalise
from queries.workspace import Workspace
from tests.reliability_support import assert_imported, import_files, query, scalar

DATA = Path(__file__).resolve().parent / "data" / "import"


def imported(tmp_path: Path, *exports: Path, options: tuple[str, ...] = ()) -> tuple[Path, str]:
    """Import `exports` into the workspace in `tmp_path`; return it and the printed summary."""
    workspace = tmp_path / "review.duckdb"
    result = import_files(workspace, *exports, options=options)
    assert_imported(result)
    return workspace, result.stdout


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("Session ID", "session_id"),
        ("sessionId", "session_id"),
        ("user_session", "session_id"),
        ("domain_sessionid", "session_id"),
        ("session_ids", "session_id"),
        ("Event Time", "ts"),
        ("@timestamp", "ts"),
        ("HTTP-Status", "status"),
        ("pageURL", "url"),
    ],
)
def test_fuzzy_name_finds_field(column: str, field: str) -> None:
    mapping = map_columns([column, "other"])
    assert mapping.column(field) == column
    assert mapping.unmapped == ("other",)


@pytest.mark.parametrize("column", ["events", "actions", "user_ip", "sessionidx_total"])
def test_near_names_stay_unmapped(column: str) -> None:
    assert map_columns([column]).fields == {}


def test_normalise_splits_camel_case() -> None:
    assert normalise(" firstActionTimestamp ") == "first_action_timestamp"
    assert normalise("HTTPStatus") == "http_status"


def test_camel_case_export_mapped_and_printed(tmp_path: Path) -> None:
    workspace, summary = imported(tmp_path, DATA / "camel_case_names.csv")
    rows = query(
        workspace, "SELECT event_id, session_id, status, message, device, duration_ms FROM events ORDER BY ts"
    )
    assert rows == [
        ("c1", "s-1", 200, None, "mobile", 812.0),
        ("c2", "s-1", 500, "card service down", "mobile", 2300.0),
    ]
    assert scalar(workspace, "SELECT properties->>'country' FROM events WHERE event_id = 'c1'") == "DE"
    assert 'ts <- "eventTimestamp" (by name)' in summary
    assert 'session_id <- "sessionId" (by name)' in summary


def test_user_session_export(tmp_path: Path) -> None:
    workspace, _ = imported(tmp_path, DATA / "user_session_names.csv")
    rows = query(
        workspace,
        "SELECT session_id, user_id, event, target, strftime(ts, '%H:%M:%S') FROM events ORDER BY ts",
    )
    assert rows == [
        ("72d76fde-8bb3-4e00-8c23-a032dfed738c", "541312140", "view", "44600062", "00:00:00"),
        ("9333dfbd-b87a-4708-9857-6336556b0fcc", "554748717", "cart", "3900821", "00:00:01"),
    ]


def test_explicit_map_wins(tmp_path: Path) -> None:
    options = ("--map", "session_id=visit", "--map", "ts=when", "--map", "event=what", "--map", "url=where")
    workspace, summary = imported(tmp_path, DATA / "odd_names.csv", options=options)
    assert query(workspace, "SELECT session_id, event, url FROM events ORDER BY ts") == [
        ("v-1", "page_view", "/cart"),
        ("v-1", "page_view", "/checkout"),
    ]
    assert 'ts <- "when" (--map)' in summary


def test_config_map_and_label_column(tmp_path: Path) -> None:
    config = tmp_path / "stripdown.toml"
    config.write_text(
        '[import.map]\nts = "when"\nsession_id = "visit"\n\n[label]\ncolumn = "what"\n', encoding="utf-8"
    )
    workspace, summary = imported(tmp_path, DATA / "odd_names.csv", options=("--config", str(config)))
    assert scalar(workspace, "SELECT count(DISTINCT label) FROM events WHERE label = 'page_view'") == 1
    assert 'ts <- "when" ([import.map])' in summary
    assert 'label <- "what" ([label] column)' in summary


def test_map_to_missing_column_fails(tmp_path: Path) -> None:
    result = import_files(tmp_path / "review.duckdb", DATA / "odd_names.csv", options=["--map", "ts=stamp"])
    assert result.returncode == 1
    assert '--map maps ts to column "stamp"' in result.stderr
    assert not (tmp_path / "review.duckdb").exists()


def test_epoch_units_by_magnitude(tmp_path: Path) -> None:
    workspace, _ = imported(tmp_path, DATA / "epoch_units.csv")
    rows = query(workspace, "SELECT event, strftime(ts, '%Y-%m-%d %H:%M:%S.%f') FROM events ORDER BY ts")
    assert rows == [
        ("seconds", "2024-03-05 10:00:00.000000"),
        ("milliseconds", "2024-03-05 10:01:00.123000"),
        ("microseconds", "2024-03-05 10:02:00.123456"),
        ("nanoseconds", "2024-03-05 10:03:00.123456"),
        ("fractional seconds", "2024-03-05 10:04:00.500000"),
    ]


def test_time_zone_for_naive_times(tmp_path: Path) -> None:
    export = tmp_path / "naive.csv"
    export.write_text(
        "session_id,ts,event\nz-1,2024-01-15 12:00:00,winter\nz-1,2024-07-15 12:00:00,summer\n"
        "z-1,2024-07-15T12:30:00+00:00,with offset\n",
        encoding="utf-8",
    )
    workspace, _ = imported(tmp_path, export, options=("--tz", "America/New_York"))
    assert query(workspace, "SELECT event, strftime(ts, '%H:%M') FROM events ORDER BY ts") == [
        ("winter", "17:00"),
        ("with offset", "12:30"),
        ("summer", "16:00"),
    ]


def test_session_cut_exactly_at_gap(tmp_path: Path) -> None:
    # ann: 10:00, then 10:30 (a gap of exactly 30 minutes stays), then 11:00:01 (30m01s: a new session).
    workspace, summary = imported(tmp_path, DATA / "gap_boundary.csv")
    sessions = query(workspace, "SELECT session_id, events FROM sessions ORDER BY session_id")
    assert sessions == [
        ("ann@2024-03-05T10:00:00.000Z", 2),
        ("ann@2024-03-05T11:00:01.000Z", 1),
        ("bob@2024-03-05T10:00:00.000Z", 1),
    ]
    assert "4 rows had no session id" in summary


def test_session_gap_option(tmp_path: Path) -> None:
    workspace, _ = imported(tmp_path, DATA / "gap_boundary.csv", options=("--session-gap", "1799s"))
    assert scalar(workspace, "SELECT count(*) FROM sessions WHERE user_id = 'ann'") == 3


def test_derived_ids_are_stable(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first, _ = imported(tmp_path / "one", DATA / "gap_boundary.csv")
    second, _ = imported(tmp_path / "two", DATA / "gap_boundary.csv")
    ids = "SELECT event_id, session_id FROM events ORDER BY event_id"
    assert query(first, ids) == query(second, ids)


def test_identical_rows_without_ids_all_kept(tmp_path: Path) -> None:
    workspace, _ = imported(tmp_path, DATA / "repeated_rows.csv")
    ids = [row[0] for row in query(workspace, "SELECT event_id FROM events ORDER BY row_number")]
    assert len(ids) == 4
    assert ids[1] == ids[0] + "-2"
    assert ids[2] == ids[0] + "-3"
    assert ids[0].startswith("sd-")


def test_same_rows_in_another_file_add_nothing(tmp_path: Path) -> None:
    workspace, _ = imported(tmp_path, DATA / "repeated_rows.csv")
    copy = tmp_path / "repeated_rows_again.csv"
    copy.write_text((DATA / "repeated_rows.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = import_files(workspace, copy)
    assert_imported(result)
    assert scalar(workspace, "SELECT count(*) FROM events") == 4
    assert query(workspace, "SELECT rows_read, events_kept, duplicates FROM imports ORDER BY import_id") == [
        (4, 4, 0),
        (4, 0, 4),
    ]


def test_duplicates_and_collisions_against_stored_events(tmp_path: Path) -> None:
    workspace, _ = imported(tmp_path, DATA / "overlap_first.csv")
    result = import_files(workspace, DATA / "overlap_second.csv")
    assert_imported(result)
    # o2 is the same event again; o1 comes back with another time and name: kept, both flagged.
    assert query(workspace, "SELECT event_id, event, collision FROM events ORDER BY event_id, ts") == [
        ("o1", "page_view", True),
        ("o1", "click", True),
        ("o2", "page_view", False),
        ("o3", "page_view", False),
    ]
    assert query(
        workspace, "SELECT rows_read, events_kept, duplicates, collisions FROM imports ORDER BY import_id"
    ) == [
        (2, 2, 0, 0),
        (3, 2, 1, 1),
    ]
    assert "duplicates dropped: 1" in result.stdout
    assert "id collisions kept: 1" in result.stdout


def test_two_overlapping_files_in_one_import(tmp_path: Path) -> None:
    workspace, _ = imported(tmp_path, DATA / "overlap_first.csv", DATA / "overlap_second.csv")
    assert scalar(workspace, "SELECT count(*) FROM events") == 4
    assert scalar(workspace, "SELECT sum(duplicates), sum(collisions) FROM imports") == 1


def test_reimport_changes_nothing(tmp_path: Path) -> None:
    workspace, _ = imported(tmp_path, DATA / "camel_case_names.csv")
    with Workspace.open(workspace, create=False) as opened:
        tags.append(opened.cursor(), "s-1", "tester", "tag", reason="broken_code", note="kept")
    tables = "SELECT * FROM events ORDER BY event_id", "SELECT * FROM tag_log", "SELECT * FROM sessions"
    before = [query(workspace, sql) for sql in tables]
    again = shutil.copyfile(DATA / "camel_case_names.csv", tmp_path / "same_bytes.csv")
    result = import_files(workspace, again)
    assert_imported(result)
    assert [query(workspace, sql) for sql in tables] == before
    assert scalar(workspace, "SELECT count(*) FROM imports") == 1
    assert "the same bytes were imported on" in result.stdout
    assert "nothing new to import" in result.stdout


def test_progress_steps_reported(tmp_path: Path) -> None:
    class Recorder:
        def __init__(self) -> None:
            self.steps: list[str] = []
            self.open = 0

        def begin(self, description: str) -> None:
            self.steps.append(description)
            self.open += 1

        def update(self, percent: float) -> None:
            assert 0 <= percent <= 100

        def end(self) -> None:
            self.open -= 1

    recorder = Recorder()
    with Workspace.open(tmp_path / "review.duckdb") as workspace:
        summary = import_exports(workspace, [DATA / "gap_boundary.csv"], ImportOptions(), recorder)
    assert recorder.steps == [
        "Checking gap_boundary.csv",
        "Reading gap_boundary.csv",
        "Cutting sessions",
        "Finding duplicates",
        "Deriving sessions",
    ]
    assert recorder.open == 0
    assert summary.events_kept == 4
    assert summary.sessions is not None and summary.sessions.sessions == 3
