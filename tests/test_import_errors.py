"""Bad input to `stripdown import`: exit status, one plain line naming the culprit, nothing written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.reliability_support import assert_plain_failure, file_digest, import_files

DATA = Path(__file__).resolve().parent / "data" / "import"
GOOD = DATA / "camel_case_names.csv"


def rejected(
    tmp_path: Path, export: Path, *fragments: str, options: tuple[str, ...] = (), status: int = 1
) -> str:
    """Import into a new workspace; expect a clean failure and no workspace file left behind."""
    workspace = tmp_path / "review.duckdb"
    line = assert_plain_failure(import_files(workspace, export, options=options), *fragments, status=status)
    assert not workspace.exists()
    assert not workspace.with_name("review.duckdb.wal").exists()
    return line


def test_missing_file(tmp_path: Path) -> None:
    rejected(tmp_path, tmp_path / "nowhere.csv", "nowhere.csv", "not found")


def test_empty_file(tmp_path: Path) -> None:
    export = tmp_path / "empty.csv"
    export.write_bytes(b"")
    rejected(tmp_path, export, "empty.csv", "is empty")


def test_header_only(tmp_path: Path) -> None:
    export = tmp_path / "header.csv"
    export.write_text("session_id,ts,event\n", encoding="utf-8")
    rejected(tmp_path, export, "header.csv", "no data rows")


def test_no_timestamp_column(tmp_path: Path) -> None:
    export = tmp_path / "timeless.csv"
    export.write_text("session_id,event\ns1,page_view\n", encoding="utf-8")
    rejected(tmp_path, export, "timeless.csv", "no timestamp column", "--map ts=COLUMN")


def test_unparseable_timestamp_names_row_and_value(tmp_path: Path) -> None:
    export = tmp_path / "bad_time.csv"
    export.write_text(
        "session_id,ts,event\ns1,2024-03-05T10:00:00Z,a\ns1,2024-03-05T10:01:00Z,b\ns1,05.03.2024 10:02,c\n",
        encoding="utf-8",
    )
    rejected(tmp_path, export, "bad_time.csv row 3", "'05.03.2024 10:02'", 'column "ts"')


def test_empty_timestamp_names_row(tmp_path: Path) -> None:
    export = tmp_path / "blank_time.csv"
    export.write_text("session_id,ts,event\ns1,2024-03-05T10:00:00Z,a\ns1,,b\n", encoding="utf-8")
    rejected(tmp_path, export, "blank_time.csv row 2", "no time")


def test_bad_access_log_line(tmp_path: Path) -> None:
    rejected(tmp_path, DATA / "bad_access_line.log", "bad_access_line.log line 2", "not a common or combined")


def test_unknown_binary_format(tmp_path: Path) -> None:
    export = tmp_path / "blob.dat"
    export.write_bytes(bytes(range(256)) * 64)
    rejected(tmp_path, export, "blob.dat", "cannot tell the format")


def test_xml_not_supported(tmp_path: Path) -> None:
    export = tmp_path / "visits.xml"
    export.write_text('<?xml version="1.0"?>\n<result><row/></result>\n', encoding="utf-8")
    rejected(tmp_path, export, "visits.xml", "XML is not supported; export CSV")


def test_no_session_or_user_column(tmp_path: Path) -> None:
    export = tmp_path / "anonymous.csv"
    export.write_text("ts,event\n2024-03-05T10:00:00Z,page_view\n", encoding="utf-8")
    rejected(tmp_path, export, "anonymous.csv", "--map session_id=COLUMN")


def test_unknown_time_zone(tmp_path: Path) -> None:
    rejected(tmp_path, GOOD, "Mars/Olympus", options=("--tz", "Mars/Olympus"))


def test_bad_map_is_a_usage_error(tmp_path: Path) -> None:
    rejected(tmp_path, GOOD, "unknown field 'when'", options=("--map", "when=ts"), status=2)
    rejected(tmp_path, GOOD, "write FIELD=COLUMN", options=("--map", "ts"), status=2)


def test_bad_session_gap(tmp_path: Path) -> None:
    rejected(tmp_path, GOOD, "--session-gap", options=("--session-gap", "soon"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_folder_not_writable(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        line = assert_plain_failure(import_files(folder / "review.duckdb", GOOD), "not writable")
        assert str(folder) in line
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_folder_missing(tmp_path: Path) -> None:
    workspace = tmp_path / "no" / "such" / "review.duckdb"
    assert_plain_failure(import_files(workspace, GOOD), "does not exist")


def test_bad_file_leaves_workspace_untouched(tmp_path: Path) -> None:
    workspace = tmp_path / "review.duckdb"
    shutil.copyfile(GOOD, tmp_path / "good.csv")
    assert import_files(workspace, tmp_path / "good.csv").returncode == 0
    digest = file_digest(workspace)
    bad = tmp_path / "bad.csv"
    bad.write_text("session_id,ts\ns9,2024-03-05T10:00:00Z\ns9,tomorrow\n", encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text("session_id,ts\ns8,2024-03-05T10:00:00Z\n", encoding="utf-8")
    assert_plain_failure(import_files(workspace, other, bad), "bad.csv row 2", "'tomorrow'")
    assert file_digest(workspace) == digest


def test_memory_limit_that_is_not_a_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPDOWN_MEMORY_LIMIT", "lots")
    rejected(tmp_path, GOOD, "STRIPDOWN_MEMORY_LIMIT='lots'", "512MB", status=2)


def test_memory_limit_too_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPDOWN_MEMORY_LIMIT", "1MB")
    rejected(tmp_path, GOOD, "out of memory", "limit of 1MB", "STRIPDOWN_MEMORY_LIMIT=2GB")


def test_memory_limit_is_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from queries.workspace import Workspace

    monkeypatch.setenv("STRIPDOWN_MEMORY_LIMIT", "300MB")
    with Workspace.open(tmp_path / "review.duckdb", create=True) as workspace:
        limit = workspace.cursor().execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit is not None
    assert limit[0] in ("286.1 MiB", "300.0 MB")
