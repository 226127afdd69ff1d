"""The export command: one row per sample session in CSV, Parquet or JSON Lines, spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from queries import tags
from queries.workspace import Workspace
from tests.model_workspace import build_workspace, copy_workspace, run_cli

COLUMNS = [
    "position",
    "session_id",
    "exit_stage",
    "analytics_label",
    "label_reason",
    "status",
    "reason_id",
    "reason_title",
    "note",
    "auditor",
    "tagged_at",
    "suggested_reason",
    "channel",
    "device",
    "started_at",
    "ended_at",
]

# The sample is every exit of the checkout export, newest first. s07 is tagged, s06 skipped with
# a note, s05 flagged, s04 tagged by two auditors (bob last), s01 untagged.
EXPECTED = [
    (
        1,
        "s07",
        "cart",
        "timeout",
        None,
        "tagged",
        "too_slow",
        "Too slow",
        "spinner",
        "ann",
        None,
        "mail",
        "tablet",
    ),
    (
        2,
        "s06",
        "checkout",
        "=1+2",
        None,
        "skipped",
        None,
        None,
        "-5 € coupon?",
        "ann",
        None,
        "@mail",
        "mobile",
    ),
    (
        3,
        "s05",
        "product",
        "exited at product",
        None,
        "flagged",
        None,
        None,
        None,
        "ann",
        None,
        "seo",
        "desktop",
    ),
    (
        4,
        "s04",
        "checkout",
        "payment_error",
        "broken_code",
        "tagged",
        "price",
        "Price or value",
        None,
        "bob",
        "broken_code",
        "ads",
        "desktop",
    ),
    (5, "s01", "cart", "price_shock", "price", "untagged", None, None, None, None, None, "ads", "mobile"),
]


@pytest.fixture(scope="module")
def sampled_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout workspace with every exit in its sample and no tags."""
    path = build_workspace(tmp_path_factory.mktemp("checkout") / "review.duckdb")
    assert run_cli("sample", "-w", path).returncode == 0
    return path


@pytest.fixture
def sampled(sampled_path: Path, tmp_path: Path) -> Path:
    return copy_workspace(sampled_path, tmp_path)


@pytest.fixture(scope="module")
def tagged_path(sampled_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = copy_workspace(sampled_path, tmp_path_factory.mktemp("tagged"))
    with Workspace.open(path, create=False) as workspace:
        cursor = workspace.cursor()
        tags.append(cursor, "s07", "ann", "tag", reason="too_slow", note="spinner", sample_id=1)
        tags.append(cursor, "s06", "ann", "skip", note="-5 € coupon?", sample_id=1)
        tags.append(cursor, "s05", "ann", "flag", sample_id=1)
        tags.append(cursor, "s04", "ann", "tag", reason="broken_code", sample_id=1)
        tags.append(cursor, "s04", "bob", "tag", reason="price", suggested_reason="broken_code", sample_id=1)
    return path


def _export(workspace: Path, output: Path, *options: str) -> str:
    result = run_cli("export", "-w", workspace, "-o", output, *options)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _rows(path: Path, reader: str) -> list[tuple[object, ...]]:
    columns = ", ".join(COLUMNS[:10] + COLUMNS[11:14])
    return (
        duckdb.connect()
        .execute(f"SELECT {columns} FROM {reader}(?) ORDER BY position", [str(path)])
        .fetchall()
    )


def test_parquet_round_trip(tagged_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "tags.parquet"
    stdout = _export(tagged_path, output)
    assert stdout == (
        f"wrote 5 sessions of sample 1 to {output} (parquet): 2 tagged, 1 skipped, 1 flagged, 1 untagged\n"
    )
    assert _rows(output, "read_parquet") == EXPECTED


def test_jsonl_round_trip(tagged_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "tags.jsonl"
    _export(tagged_path, output)
    lines = output.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    assert list(json.loads(lines[0])) == COLUMNS
    assert _rows(output, "read_json") == EXPECTED


def test_csv_round_trip(tagged_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "tags.csv"
    _export(tagged_path, output)
    with output.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == COLUMNS
    expected = [[_csv_cell(value) for value in row] for row in EXPECTED]
    expected[1][3] = "'=1+2"
    expected[1][8] = "'-5 € coupon?"
    expected[1][11] = "'@mail"
    assert [row[:10] + row[11:14] for row in rows[1:]] == expected


def _csv_cell(value: object) -> str:
    return "" if value is None else str(value)


def test_times_are_utc(tagged_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "tags.parquet"
    _export(tagged_path, output)
    row = (
        duckdb.connect()
        .execute(
            "SELECT started_at, ended_at, tagged_at FROM read_parquet(?) WHERE session_id = 's07'",
            [str(output)],
        )
        .fetchone()
    )
    assert row is not None
    assert row[0] == datetime(2024, 5, 5, 20, 0, tzinfo=UTC)
    assert row[1] == datetime(2024, 5, 5, 20, 2, tzinfo=UTC)
    assert row[2] is not None


def test_format_option_wins(tagged_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "tags.out"
    stdout = _export(tagged_path, output, "--format", "jsonl")
    assert "(jsonl)" in stdout
    assert json.loads(output.read_text(encoding="utf-8").splitlines()[0])["session_id"] == "s07"


def test_unknown_suffix_writes_csv(tagged_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "tags.txt"
    assert "(csv)" in _export(tagged_path, output)
    assert output.read_text(encoding="utf-8").startswith("position,session_id,")


def test_one_auditor(tagged_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "ann.parquet"
    _export(tagged_path, output, "--auditor", "ann")
    row = (
        duckdb.connect()
        .execute("SELECT reason_id, auditor FROM read_parquet(?) WHERE session_id = 's04'", [str(output)])
        .fetchone()
    )
    assert row == ("broken_code", "ann")


def _exported_row(output: Path, columns: str) -> tuple[object, ...] | None:
    sql = f"SELECT {columns} FROM read_parquet(?) WHERE session_id = 's07'"
    return duckdb.connect().execute(sql, [str(output)]).fetchone()


def test_clear_drops_reason_and_note(sampled: Path, tmp_path: Path) -> None:
    with Workspace.open(sampled, create=False) as workspace:
        tags.append(
            workspace.cursor(), "s07", "ann", "tag", reason="broken_code", note="first look", sample_id=1
        )
        tags.append(workspace.cursor(), "s07", "ann", "clear", sample_id=1)
    output = tmp_path / "tags.parquet"
    _export(sampled, output)
    assert _exported_row(output, "status, reason_id, note, auditor") == ("untagged", None, None, None)


def test_note_edit_keeps_tag(sampled: Path, tmp_path: Path) -> None:
    with Workspace.open(sampled, create=False) as workspace:
        tags.append(workspace.cursor(), "s07", "ann", "tag", reason="too_slow", note="old", sample_id=1)
        tags.append(workspace.cursor(), "s07", "ann", "note", note="new", sample_id=1)
    output = tmp_path / "tags.parquet"
    _export(sampled, output)
    assert _exported_row(output, "status, reason_id, note") == ("tagged", "too_slow", "new")


def test_signal_suggestion_exported(sampled: Path, tmp_path: Path) -> None:
    with Workspace.open(sampled, create=False) as workspace:
        # A lower priority number is a stronger signal.
        workspace.cursor().executemany(
            "INSERT INTO signals VALUES (1, 's07', ?, ?, ?, [], 'test signal')",
            [["slow", "too_slow", 5], ["error", "broken_code", 2]],
        )
    output = tmp_path / "tags.parquet"
    _export(sampled, output)
    assert _exported_row(output, "suggested_reason") == ("broken_code",)


FORMULA_CASES = [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
    ("+1", "'+1"),
    ("-1", "'-1"),
    ("@cmd", "'@cmd"),
    ("\tindented", "'\tindented"),
    ("\rreturn", "'\rreturn"),
    ("a=b", "a=b"),
    (" =x", " =x"),
    ("'quoted", "'quoted"),
    ("plain", "plain"),
]


def test_formula_cells_quoted(sampled: Path, tmp_path: Path) -> None:
    path = sampled
    session_ids = ["s07", "s06", "s05", "s04", "s01"]
    # Session i carries case 2i in its note and case 2i + 1 as its auditor's name.
    with Workspace.open(path, create=False) as workspace:
        for index, session_id in enumerate(session_ids):
            note, auditor = FORMULA_CASES[2 * index][0], FORMULA_CASES[2 * index + 1][0]
            tags.append(
                workspace.cursor(), session_id, auditor, "tag", reason="cant_tell", note=note, sample_id=1
            )
    output = tmp_path / "tags.csv"
    _export(path, output)
    with output.open(newline="", encoding="utf-8") as file:
        rows = {row["session_id"]: row for row in csv.DictReader(file)}
    for index, session_id in enumerate(session_ids):
        assert rows[session_id]["note"] == FORMULA_CASES[2 * index][1]
        assert rows[session_id]["auditor"] == FORMULA_CASES[2 * index + 1][1]


def test_formula_rule_leaves_parquet(tagged_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "tags.parquet"
    _export(tagged_path, output)
    labels = duckdb.connect().execute("SELECT analytics_label FROM read_parquet(?)", [str(output)]).fetchall()
    assert ("=1+2",) in labels


def test_existing_file_replaced(tagged_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "tags.csv"
    output.write_text("old content that is longer than nothing\n" * 100, encoding="utf-8")
    _export(tagged_path, output)
    assert output.read_text(encoding="utf-8").startswith("position,")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["tags.csv"]


def test_failed_export_keeps_file(tmp_path: Path) -> None:
    path = tmp_path / "review.duckdb"
    Workspace.open(path).close()
    output = tmp_path / "tags.csv"
    output.write_text("keep me\n", encoding="utf-8")
    result = run_cli("export", "-w", path, "-o", output)
    assert result.returncode == 1
    assert "no audit sample yet" in result.stderr
    assert output.read_text(encoding="utf-8") == "keep me\n"
    assert sorted(item.name for item in tmp_path.iterdir()) == ["review.duckdb", "tags.csv"]


@pytest.mark.parametrize(
    ("target", "message"),
    [("folder", "is a folder"), ("missing/tags.csv", "does not exist")],
)
def test_bad_target(tagged_path: Path, tmp_path: Path, target: str, message: str) -> None:
    (tmp_path / "folder").mkdir()
    result = run_cli("export", "-w", tagged_path, "-o", tmp_path / target)
    assert result.returncode == 1
    assert message in result.stderr


def test_bad_format_option(tagged_path: Path, tmp_path: Path) -> None:
    result = run_cli("export", "-w", tagged_path, "-o", tmp_path / "x.csv", "--format", "xlsx")
    assert result.returncode == 2
    assert "invalid choice: 'xlsx'" in result.stderr
    assert not (tmp_path / "x.csv").exists()
