"""Helpers for the hostile-input and reliability tests: run the CLI, read and fingerprint a workspace."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb

from queries import tags
from queries.workspace import Workspace

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"

# A funnel that the corpus files' URLs walk through: /cart, then /checkout, then /checkout/pay.
FUNNEL_TOML = """\
[funnel]
stages = [
    { name = "cart", url = "/cart*" },
    { name = "checkout", url = "/checkout*" },
    { name = "paid", url = "/checkout/pay*" },
]
"""

# Generous: a command that hangs should fail the test, not the whole run.
CLI_TIMEOUT = 120

# The tables a failed command must leave exactly as they were.
TABLES = ("meta", "config", "imports", "events", "sessions", "samples", "signals", "tag_log")

SEED_EXPORT = (
    "event_id,session_id,user_id,ts,event,url,status,message\n"
    "a1,seed-1,u1,2024-03-04T09:00:00Z,page_view,/cart,200,\n"
    "a2,seed-1,u1,2024-03-04T09:01:00Z,page_view,/checkout,200,\n"
    "a3,seed-2,u2,2024-03-04T09:30:00Z,page_view,/cart,200,\n"
    "a4,seed-2,u2,2024-03-04T09:31:00Z,error,/cart,500,card declined\n"
)


def load_corpus_generator() -> ModuleType:
    """Import tests/data/hostile/make_corpus.py, which is a script rather than a package module."""
    spec = importlib.util.spec_from_file_location("make_corpus", HOSTILE / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cli_env() -> dict[str, str]:
    """Return the environment for a CLI subprocess: no colour, so stderr is plain text."""
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("FORCE_COLOR", None)
    env["COLUMNS"] = "200"
    return env


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `stripdown ARGS...` as a subprocess and return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env=cli_env(),
        timeout=CLI_TIMEOUT,
    )


def import_files(
    workspace: Path, *exports: str | Path, options: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """Run `stripdown import EXPORTS... -w WORKSPACE OPTIONS...`."""
    return run_cli("import", *exports, "-w", workspace, *options)


def assert_imported(result: subprocess.CompletedProcess[str]) -> None:
    """Assert that an import exited 0 without a traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr}"


def assert_plain_failure(result: subprocess.CompletedProcess[str], *fragments: str, status: int = 1) -> str:
    """Assert one plain `stripdown:` line on stderr containing every fragment; return that line."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == status, f"exit {result.returncode}: {result.stderr}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {result.stderr!r}"
    line = lines[0]
    assert line.startswith("stripdown: "), line
    for fragment in fragments:
        assert fragment.lower() in line.lower(), f"{fragment!r} not in {line!r}"
    return line


def query(workspace: Path, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one read-only query on a closed workspace file and return all rows."""
    connection = duckdb.connect(str(workspace), read_only=True)
    try:
        connection.execute("SET TimeZone = 'UTC'")
        return connection.execute(sql, list(parameters)).fetchall()
    finally:
        connection.close()


def scalar(workspace: Path, sql: str, parameters: Sequence[Any] = ()) -> Any:
    """Run a query that returns one value."""
    rows = query(workspace, sql, parameters)
    assert len(rows) == 1, rows
    return rows[0][0]


def table_fingerprint(workspace: Path) -> dict[str, tuple[int, str]]:
    """Return each table's row count and a hash of its sorted rows."""
    connection = duckdb.connect(str(workspace), read_only=True)
    try:
        fingerprint = {}
        for table in TABLES:
            rows = connection.execute(f"SELECT * FROM {table}").fetchall()
            digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
            fingerprint[table] = (len(rows), digest)
        return fingerprint
    finally:
        connection.close()


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def seed_workspace(workspace: Path, folder: Path) -> None:
    """Import a small export into a new workspace with the corpus funnel, sample it, tag one session."""
    export = folder / "seed_export.csv"
    export.write_text(SEED_EXPORT, encoding="utf-8")
    config = write_funnel_config(folder)
    assert_imported(import_files(workspace, export, options=["--config", str(config)]))
    sampled = run_cli("sample", "-w", workspace)
    assert sampled.returncode == 0, sampled.stderr
    with Workspace.open(workspace, create=False) as opened:
        tags.append(opened.cursor(), "seed-2", "tester", "tag", reason="broken_code", note="kept")


def write_funnel_config(folder: Path) -> Path:
    """Write the corpus funnel config into `folder` and return its path."""
    config = folder / "stripdown.toml"
    config.write_text(FUNNEL_TOML, encoding="utf-8")
    return config
