"""Hostile exports too large or too binary to commit, written into tmp_path by make_corpus.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.reliability_support import (
    assert_imported,
    assert_plain_failure,
    file_digest,
    import_files,
    load_corpus_generator,
    query,
    scalar,
    seed_workspace,
    table_fingerprint,
    write_funnel_config,
)

corpus = load_corpus_generator()


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


def import_generated(tmp_path: Path, name: str) -> Path:
    """Generate one corpus file, import it into a new workspace, and return the workspace."""
    export = corpus.GENERATED[name](tmp_path / name)
    workspace = tmp_path / "hostile.duckdb"
    config = write_funnel_config(tmp_path)
    assert_imported(import_files(workspace, export, options=["--config", str(config)]))
    return workspace


def assert_generated_rejected(seeded: Path, name: str) -> None:
    """Generate one corpus file and expect its import into the seeded workspace to fail cleanly."""
    export = corpus.GENERATED[name](seeded.parent / name)
    before_bytes = file_digest(seeded)
    before_tables = table_fingerprint(seeded)
    assert_plain_failure(import_files(seeded, export), name)
    assert file_digest(seeded) == before_bytes
    assert table_fingerprint(seeded) == before_tables


def test_one_megabyte_field(tmp_path: Path) -> None:
    workspace = import_generated(tmp_path, "huge_field.csv")
    assert query(workspace, "SELECT event_id, length(message) FROM events ORDER BY ts") == [
        ("big-0", 5),
        ("big-1", 1_000_000),
        ("big-2", 5),
    ]


@pytest.mark.parametrize("name", ["late_quote.csv", "late_quote.csv.gz"])
def test_quote_first_seen_after_row_20000(tmp_path: Path, name: str) -> None:
    workspace = import_generated(tmp_path, name)
    assert scalar(workspace, "SELECT count(*) FROM events") == corpus.LATE_ROW
    assert scalar(workspace, "SELECT message FROM events WHERE event_id = 'late-20000'") == (
        'says "hello", then leaves'
    )
    assert scalar(workspace, "SELECT count(*) FROM events WHERE message = 'plain'") == corpus.LATE_ROW - 1


def test_text_status_after_row_20000(tmp_path: Path) -> None:
    workspace = import_generated(tmp_path, "late_text_status.csv.gz")
    assert scalar(workspace, "SELECT count(*) FROM events") == corpus.LATE_ROW
    assert scalar(workspace, "SELECT status FROM events WHERE event_id = 'late-20000'") is None
    assert scalar(workspace, "SELECT count(*) FROM events WHERE status = 200") == corpus.LATE_ROW - 1


def test_session_of_100000_events(tmp_path: Path) -> None:
    workspace = import_generated(tmp_path, "long_session.csv")
    assert query(
        workspace,
        """
        SELECT session_id, events, strftime(started_at, '%H:%M:%S'), strftime(ended_at, '%H:%M:%S.%g'),
               furthest_stage, exited
        FROM sessions
        """,
    ) == [("long-1", 100_000, "10:00:00", "12:46:39.900", "checkout", True)]


@pytest.mark.parametrize("name", ["utf16_with_bom.csv", "utf16le_without_bom.csv"])
def test_utf16_export(tmp_path: Path, name: str) -> None:
    workspace = import_generated(tmp_path, name)
    assert query(workspace, "SELECT event_id, session_id, message FROM events ORDER BY ts") == [
        ("g1", "gz-1", "Größe café"),
        ("g2", "gz-1", "second"),
        ("g3", "gz-2", "third"),
    ]


def test_gzip_export(tmp_path: Path) -> None:
    workspace = import_generated(tmp_path, "valid.csv.gz")
    assert scalar(workspace, "SELECT count(*) FROM events") == 3
    assert scalar(workspace, "SELECT count(*) FROM sessions") == 2


def test_binary_garbage_rejected(seeded: Path) -> None:
    assert_generated_rejected(seeded, "binary_garbage.csv")


def test_truncated_gzip_rejected(seeded: Path) -> None:
    assert_generated_rejected(seeded, "truncated.csv.gz")


def test_bad_file_among_good_ones_imports_nothing(seeded: Path) -> None:
    good = corpus.write_gzip(seeded.parent / "good.csv.gz")
    bad = corpus.write_truncated_gzip(seeded.parent / "bad.csv.gz")
    before = table_fingerprint(seeded)
    assert_plain_failure(import_files(seeded, good, bad), "bad.csv.gz")
    assert table_fingerprint(seeded) == before
