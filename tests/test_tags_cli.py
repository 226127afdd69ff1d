"""The tag and tags import commands: one session at a time, or a whole file that is all or nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from queries import tags
from queries.errors import StripdownError
from queries.tag_import import import_tags
from queries.workspace import Workspace
from tests.model_workspace import build_workspace, copy_workspace, run_cli


@pytest.fixture(scope="module")
def sampled_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout workspace with the sample of its last three exits: s07, s06, s05."""
    path = build_workspace(tmp_path_factory.mktemp("checkout") / "review.duckdb")
    assert run_cli("sample", "-w", path, "--last", "3").returncode == 0
    return path


@pytest.fixture
def checkout(sampled_path: Path, tmp_path: Path) -> Path:
    return copy_workspace(sampled_path, tmp_path)


def _log(path: Path) -> list[tuple[object, ...]]:
    with Workspace.open(path, create=False) as workspace:
        return (
            workspace.cursor()
            .execute(
                "SELECT session_id, auditor, action, reason, note, sample_id, bulk_id FROM tag_log ORDER BY id"
            )
            .fetchall()
        )


def _write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_tag_by_id(checkout: Path) -> None:
    result = run_cli(
        "tag", "-w", checkout, "s07", "too_slow", "--note", "spinner for 40 s", "--auditor", "ann"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "tagged session 's07' as too_slow (Too slow) for ann\n"
    assert _log(checkout) == [("s07", "ann", "tag", "too_slow", "spinner for 40 s", 1, None)]


def test_tag_by_hotkey(checkout: Path) -> None:
    result = run_cli("tag", "-w", checkout, "s06", "3", "--auditor", "ann")
    assert result.returncode == 0, result.stderr
    assert _log(checkout) == [("s06", "ann", "tag", "dead_link", None, 1, None)]


def test_tag_outside_sample_notes_it(checkout: Path) -> None:
    result = run_cli("tag", "-w", checkout, "s01", "price", "--auditor", "ann")
    assert result.returncode == 0, result.stderr
    assert "note: session 's01' is not in the active sample" in result.stdout
    assert _log(checkout) == [("s01", "ann", "tag", "price", None, None, None)]


def test_tag_converted_session_notes_it(checkout: Path) -> None:
    result = run_cli("tag", "-w", checkout, "s02", "not_a_real_exit", "--auditor", "ann")
    assert result.returncode == 0, result.stderr
    assert "note: session 's02' did not exit the funnel" in result.stdout


@pytest.mark.parametrize(
    ("flag", "output"), [("--skip", "skipped"), ("--flag", "flagged"), ("--clear", "cleared the tag of")]
)
def test_tag_actions(checkout: Path, flag: str, output: str) -> None:
    result = run_cli("tag", "-w", checkout, "s05", flag, "--auditor", "ann")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{output} session 's05' for ann\n"
    assert _log(checkout) == [("s05", "ann", flag[2:], None, None, 1, None)]


def test_clear_ends_current_tag(checkout: Path) -> None:
    assert run_cli("tag", "-w", checkout, "s05", "1", "--auditor", "ann").returncode == 0
    assert run_cli("tag", "-w", checkout, "s05", "--clear", "--auditor", "ann").returncode == 0
    with Workspace.open(checkout, create=False) as workspace:
        state = tags.current_states(workspace.cursor(), "ann")["s05"]
    assert state.action == "clear"
    assert state.reason is None


def test_tag_unknown_session(checkout: Path) -> None:
    result = run_cli("tag", "-w", checkout, "s99", "1")
    assert result.returncode == 1
    assert result.stderr == (
        "stripdown: session 's99' is not in the workspace; check the id against the sample or the export\n"
    )
    assert _log(checkout) == []


def test_tag_unknown_reason(checkout: Path) -> None:
    result = run_cli("tag", "-w", checkout, "s07", "slow")
    assert result.returncode == 1
    assert "reason 'slow' is not in the taxonomy" in result.stderr
    assert "too_slow (6)" in result.stderr
    assert _log(checkout) == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["s07"], "give a REASON"),
        (["s07", "1", "--skip"], "--skip takes no REASON"),
        (["s07", "--clear", "--note", "x"], "drop --note"),
        (["s07", "--skip", "--flag"], "not allowed with argument"),
    ],
)
def test_tag_usage_errors(checkout: Path, arguments: list[str], message: str) -> None:
    result = run_cli("tag", "-w", checkout, *arguments)
    assert result.returncode == 2
    assert message in result.stderr
    assert _log(checkout) == []


def test_import_csv(checkout: Path, tmp_path: Path) -> None:
    tags_file = _write_csv(
        tmp_path / "tags.csv",
        'session_id,reason,note,auditor\ns07,too_slow,waited,bob\ns06,3,,\ns01,price,"a, b",\n',
    )
    result = run_cli("tags", "import", tags_file, "-w", checkout, "--auditor", "ann")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"imported 3 tags from {tags_file} (auditor: ann, bob)\n"
    assert _log(checkout) == [
        ("s07", "bob", "tag", "too_slow", "waited", 1, 1),
        ("s06", "ann", "tag", "dead_link", None, 1, 1),
        ("s01", "ann", "tag", "price", "a, b", None, 1),
    ]


def test_import_reads_export_columns(checkout: Path, tmp_path: Path) -> None:
    tags_file = _write_csv(
        tmp_path / "tags.csv",
        "Position,Session_ID,Reason_ID,Reason_Title\n1,s07,too_slow,Too slow\n2,s06,,\n",
    )
    result = run_cli("tags", "import", tags_file, "-w", checkout, "--auditor", "ann")
    assert result.returncode == 0, result.stderr
    assert "imported 1 tags" in result.stdout
    assert "left out 1 row without a reason" in result.stdout
    assert "columns not read: Position, Reason_Title" in result.stdout
    assert _log(checkout) == [("s07", "ann", "tag", "too_slow", None, 1, 1)]


def test_import_parquet(checkout: Path, tmp_path: Path) -> None:
    tags_file = tmp_path / "tags.parquet"
    duckdb.connect().execute(
        "COPY (SELECT * FROM (VALUES ('s05', '4', 'copy'), ('s07', 'broken_code', NULL)) AS t(session_id, reason, note))"
        " TO ? (FORMAT parquet)",
        [str(tags_file)],
    )
    result = run_cli("tags", "import", tags_file, "-w", checkout, "--auditor", "ann")
    assert result.returncode == 0, result.stderr
    assert _log(checkout) == [
        ("s05", "ann", "tag", "confusing_copy", "copy", 1, 1),
        ("s07", "ann", "tag", "broken_code", None, 1, 1),
    ]


def test_import_undone_as_one(checkout: Path, tmp_path: Path) -> None:
    assert run_cli("tag", "-w", checkout, "s05", "1", "--auditor", "ann").returncode == 0
    tags_file = _write_csv(tmp_path / "tags.csv", "session_id,reason\ns07,1\ns06,2\n")
    assert run_cli("tags", "import", tags_file, "-w", checkout, "--auditor", "ann").returncode == 0
    with Workspace.open(checkout, create=False) as workspace:
        undone = tags.undo_last(workspace.cursor(), "ann")
        states = tags.current_states(workspace.cursor(), "ann")
    assert undone is not None
    assert sorted(undone.session_ids) == ["s06", "s07"]
    assert sorted(states) == ["s05"]


def test_import_rejects_unknown_rows(checkout: Path, tmp_path: Path) -> None:
    tags_file = _write_csv(tmp_path / "tags.csv", "session_id,reason\ns07,1\nnope,2\ns06,sloww\n,3\ns05,4\n")
    result = run_cli("tags", "import", tags_file, "-w", checkout)
    assert result.returncode == 1
    message = result.stderr
    assert "2 rows name an unknown session: row 2 ('nope'), row 4 ('')" in message
    assert "1 row names an unknown reason: row 3 ('sloww')" in message
    assert "nothing was imported" in message
    assert message.count("\n") == 1
    assert _log(checkout) == []


def _import_error(workspace: Path, tags_file: Path) -> str:
    """Import through the query layer and return the error message it raises."""
    with Workspace.open(workspace, create=False) as opened, pytest.raises(StripdownError) as caught:
        import_tags(opened, tags_file, "ann")
    return caught.value.message


def test_import_lists_first_five(checkout: Path, tmp_path: Path) -> None:
    rows = "".join(f"ghost{index},1\n" for index in range(8))
    tags_file = _write_csv(tmp_path / "tags.csv", "session_id,reason\n" + rows)
    message = _import_error(checkout, tags_file)
    assert "8 rows name an unknown session: row 1 ('ghost0')" in message
    assert "row 5 ('ghost4') and 3 more" in message
    assert "ghost5" not in message
    assert _log(checkout) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("session,reason\ns07,1\n", "has no session_id column (its columns are session, reason)"),
        ("session_id,cause\ns07,1\n", "has no reason or reason_id column"),
        ("session_id,reason\n", "has no rows below its header"),
        ("session_id,reason\ns07,\n", "no row has a reason"),
    ],
)
def test_import_rejects_file(checkout: Path, tmp_path: Path, text: str, message: str) -> None:
    tags_file = _write_csv(tmp_path / "tags.csv", text)
    assert message in _import_error(checkout, tags_file)
    assert _log(checkout) == []


def test_import_missing_file(checkout: Path, tmp_path: Path) -> None:
    assert "absent.csv not found" in _import_error(checkout, tmp_path / "absent.csv")


def test_import_damaged_parquet(checkout: Path, tmp_path: Path) -> None:
    tags_file = tmp_path / "tags.parquet"
    tags_file.write_bytes(b"PAR1 this is not really parquet")
    result = run_cli("tags", "import", tags_file, "-w", checkout)
    assert result.returncode == 1
    assert f"cannot read {tags_file} as Parquet" in result.stderr
    assert "Traceback" not in result.stderr
    assert _log(checkout) == []


def test_import_export_round_trip(checkout: Path, tmp_path: Path) -> None:
    # The export's spreadsheet quoting is taken off again, so notes come back as written.
    assert (
        run_cli("tag", "-w", checkout, "s07", "1", "--note", "=HYPERLINK(x)", "--auditor", "ann").returncode
        == 0
    )
    exported = tmp_path / "tags.csv"
    assert run_cli("export", "-w", checkout, "-o", exported).returncode == 0
    assert "'=HYPERLINK(x)" in exported.read_text(encoding="utf-8")
    with Workspace.open(checkout, create=False) as workspace:
        summary = import_tags(workspace, exported, "bob")
    assert summary.appended == 1
    assert summary.without_reason == 2
    assert _log(checkout)[-1] == ("s07", "ann", "tag", "broken_code", "=HYPERLINK(x)", 1, 1)
