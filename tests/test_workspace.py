"""The workspace file: creation, reopening, and the errors a user can meet."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from queries.config import parse_config
from queries.errors import StripdownError
from queries.workspace import SCHEMA_VERSION, Workspace, opened


def test_new_workspace_has_schema_version(workspace_path: Path) -> None:
    with Workspace.open(workspace_path) as workspace:
        assert workspace.created
    connection = duckdb.connect(str(workspace_path))
    version = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    tables = {row[0] for row in connection.execute("SHOW TABLES").fetchall()}
    connection.close()
    assert version == (str(SCHEMA_VERSION),)
    assert {"events", "sessions", "samples", "tag_log", "config", "signals", "imports"} <= tables


def test_reopen_keeps_config(workspace_path: Path) -> None:
    text = '[import]\nsession_gap = "45m"\n'
    with Workspace.open(workspace_path) as workspace:
        assert workspace.save_config(parse_config(text))
        assert not workspace.save_config(parse_config(text))
    with Workspace.open(workspace_path, create=False) as workspace:
        assert not workspace.created
        assert workspace.config.text == text
        assert workspace.config.session_gap == 2700.0


def test_missing_workspace_without_create(workspace_path: Path) -> None:
    with pytest.raises(StripdownError, match="not found; create it with: stripdown import"):
        Workspace.open(workspace_path, create=False)
    assert not workspace_path.exists()


def test_garbage_file_is_not_a_workspace(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    with pytest.raises(StripdownError, match="is not a stripdown workspace"):
        Workspace.open(path)
    assert path.read_bytes().startswith(b"these are my notes")


def test_foreign_duckdb_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    connection = duckdb.connect(str(path))
    connection.execute("CREATE TABLE customers (id INTEGER)")
    connection.close()
    with pytest.raises(StripdownError, match="DuckDB file but not a stripdown workspace"):
        Workspace.open(path)
    connection = duckdb.connect(str(path))
    tables = [row[0] for row in connection.execute("SHOW TABLES").fetchall()]
    connection.close()
    assert tables == ["customers"]


def test_newer_schema_is_rejected(workspace_path: Path) -> None:
    Workspace.open(workspace_path).close()
    connection = duckdb.connect(str(workspace_path))
    connection.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    connection.close()
    with pytest.raises(StripdownError, match="written by a newer stripdown"):
        Workspace.open(workspace_path)


def test_workspace_held_by_another_process(workspace_path: Path) -> None:
    Workspace.open(workspace_path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, duckdb
                connection = duckdb.connect({str(workspace_path)!r})
                print("ready", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(
            StripdownError, match=rf"in use by another stripdown process \(PID {holder.pid}\)"
        ):
            Workspace.open(workspace_path)
    finally:
        holder.communicate("")
    Workspace.open(workspace_path).close()


def test_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "absent" / "review.duckdb"
    with pytest.raises(StripdownError, match="does not exist; create it first"):
        Workspace.open(path)


def test_folder_given_as_workspace(tmp_path: Path) -> None:
    with pytest.raises(StripdownError, match="is a folder"):
        Workspace.open(tmp_path)


def test_failed_command_removes_new_workspace(workspace_path: Path) -> None:
    with pytest.raises(RuntimeError), opened(workspace_path, create=True):
        raise RuntimeError("import failed")
    assert not workspace_path.exists()


def test_failed_command_keeps_existing_workspace(workspace_path: Path) -> None:
    Workspace.open(workspace_path).close()
    with pytest.raises(RuntimeError), opened(workspace_path, create=True):
        raise RuntimeError("import failed")
    assert workspace_path.exists()


def memory_setting(workspace: Workspace) -> str:
    row = workspace.cursor().execute("SELECT current_setting('memory_limit')").fetchone()
    assert row is not None
    return str(row[0])


def test_set_memory_limit_uses_default(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STRIPDOWN_MEMORY_LIMIT", raising=False)
    workspace.set_memory_limit("100MB")
    assert memory_setting(workspace) in ("95.3 MiB", "100.0 MB")


def test_set_memory_limit_leaves_variable(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPDOWN_MEMORY_LIMIT", "300MB")
    workspace.set_memory_limit("100MB")
    assert memory_setting(workspace) in ("286.1 MiB", "300.0 MB")
