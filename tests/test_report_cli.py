"""`stripdown report` run as a user runs it: a subprocess on a real workspace file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.data.report.workspace import build_small_workspace

ROOT = Path(__file__).resolve().parent.parent


def stripdown(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def small_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "small.duckdb"
    build_small_workspace(path).close()
    return path


def test_markdown_to_stdout_by_default(small_path: Path) -> None:
    result = stripdown("report", "-w", small_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Strip-down report\n")
    assert "Of 7 exited sessions audited, 57% (25-84%) left because of broken code" in result.stdout
    assert result.stderr == ""


def test_json_for_one_auditor(small_path: Path) -> None:
    result = stripdown("report", "-w", small_path, "--format", "json", "--auditor", "alice")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["sample"] == {"rule": "last 10 exited sessions", "size": 10, "tagged": 7}
    assert {"label": "payment_error", "reason": "interruption", "sessions": 1} in data["crosstab"]


def test_output_file_format_from_suffix(small_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    result = stripdown("report", "-w", small_path, "-o", output)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {output} (html): 7 of 10 sessions of the audit sample tagged\n"
    assert output.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert list(tmp_path.iterdir()) == [output]


def test_format_option_beats_suffix(small_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "report.txt"
    result = stripdown("report", "-w", small_path, "-o", output, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(output.read_text(encoding="utf-8"))["population"]["sessions"] == 15


def test_report_leaves_workspace_unchanged(small_path: Path) -> None:
    before = small_path.read_bytes()
    assert stripdown("report", "-w", small_path, "--format", "json").returncode == 0
    assert small_path.read_bytes() == before


def test_unknown_auditor_is_rejected(small_path: Path) -> None:
    result = stripdown("report", "-w", small_path, "--auditor", "carol")
    assert result.returncode == 1
    assert result.stderr == (
        "stripdown: auditor 'carol' has no rows in the tag log; the auditors are alice, bob "
        "(or drop --auditor to count every auditor)\n"
    )
    assert result.stdout == ""


def test_missing_workspace_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "missing.duckdb"
    result = stripdown("report", "-w", missing)
    assert result.returncode == 1
    assert "not found" in result.stderr
    assert "Traceback" not in result.stderr
    assert not missing.exists()


def test_output_folder_missing(small_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "no" / "such" / "report.md"
    result = stripdown("report", "-w", small_path, "-o", output)
    assert result.returncode == 1
    assert result.stderr == (
        f"stripdown: cannot write the report to {output}: folder {output.parent} does not exist; "
        "create it first\n"
    )


def test_output_is_a_folder(small_path: Path, tmp_path: Path) -> None:
    result = stripdown("report", "-w", small_path, "-o", tmp_path)
    assert result.returncode == 1
    assert "it is a folder" in result.stderr


def test_output_over_workspace_is_rejected(small_path: Path) -> None:
    before = small_path.read_bytes()
    result = stripdown("report", "-w", small_path, "-o", small_path)
    assert result.returncode == 1
    assert "that is the workspace file" in result.stderr
    assert small_path.read_bytes() == before


def test_unknown_format_is_a_usage_error(small_path: Path) -> None:
    result = stripdown("report", "-w", small_path, "--format", "pdf")
    assert result.returncode == 2
    assert "invalid choice: 'pdf'" in result.stderr


def test_empty_workspace_report(tmp_path: Path) -> None:
    workspace = tmp_path / "empty.duckdb"
    from queries.workspace import Workspace

    Workspace.open(workspace).close()
    result = stripdown("report", "-w", workspace)
    assert result.returncode == 0, result.stderr
    assert "No audit sample has been drawn yet" in result.stdout


@pytest.mark.parametrize(("command", "what"), [("report", "the report"), ("export", "the export")])
def test_output_over_other_workspace_is_rejected(
    small_path: Path, tmp_path: Path, command: str, what: str
) -> None:
    other = tmp_path / "other.duckdb"
    shutil.copyfile(small_path, other)
    before = other.read_bytes()
    result = stripdown(
        command, "-w", small_path, "-o", other, "--format", "json" if command == "report" else "csv"
    )
    assert result.returncode == 1
    assert f"cannot write {what} to {other}: it is a DuckDB file" in result.stderr
    assert "Traceback" not in result.stderr
    assert other.read_bytes() == before


def test_export_over_its_workspace_is_rejected(small_path: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "own.duckdb"
    shutil.copyfile(small_path, workspace)
    before = workspace.read_bytes()
    result = stripdown("export", "-w", workspace, "-o", workspace)
    assert result.returncode == 1
    assert "cannot write the export to" in result.stderr
    assert "that is the workspace file" in result.stderr
    assert workspace.read_bytes() == before
