"""Crash safety of tagging: kill the app with SIGKILL and find every tag whose keypress completed.

A child process runs the real app under Pilot, presses keys, and after each keypress prints the
newest tag-log row it can read back. The parent kills it at a random point, reopens the workspace,
and looks for every row the child printed. A second test drives `stripdown audit` in a real
pseudo-terminal.
"""

from __future__ import annotations

import json
import os
import pty
import random
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from queries import tags
from queries.workspace import Workspace
from tests.reliability_support import (
    assert_imported,
    assert_plain_failure,
    cli_env,
    import_files,
    load_corpus_generator,
    query,
    run_cli,
    write_funnel_config,
)

corpus = load_corpus_generator()

AUDITOR = "crash-test"

# Reason hotkeys, skip, flag and undo: each press appends one tag-log row.
KEYS = ["1", "4", "s", "8", "u", "2", "f", "3", "1", "9", "u", "5", "6", "7", "0", "2"]

DRIVER = """
import asyncio
import json
import sys

from app.app import StripdownApp
from queries.workspace import Workspace

NEWEST = "SELECT id, session_id, action, reason FROM tag_log WHERE auditor = ? ORDER BY id DESC LIMIT 1"


async def drive(path: str, auditor: str, keys: list[str]) -> None:
    workspace = Workspace.open(path, create=False)
    app = StripdownApp(workspace, auditor)
    async with app.run_test(size=(140, 45)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.rows, "the audit sample did not load"
        print("ready", flush=True)
        for key in keys:
            print("pressing " + key, flush=True)
            await pilot.press(key)
            row = workspace.cursor().execute(NEWEST, [auditor]).fetchone()
            print("done " + json.dumps(list(row)), flush=True)


asyncio.run(drive(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])))
"""


@pytest.fixture(scope="module")
def sampled_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with 40 exited sessions in its active sample."""
    folder = tmp_path_factory.mktemp("sampled")
    export = corpus.write_large_export(folder / "export.csv", sessions=40, events_per_session=12)
    workspace = folder / "sampled.duckdb"
    config = write_funnel_config(folder)
    assert_imported(import_files(workspace, export, options=["--config", str(config)]))
    sampled = run_cli("sample", "-w", workspace, "--last", "40")
    assert sampled.returncode == 0, sampled.stderr
    return workspace


@pytest.fixture
def sampled(sampled_template: Path, tmp_path: Path) -> Path:
    """A private copy of the sampled workspace."""
    copy = tmp_path / "review.duckdb"
    shutil.copyfile(sampled_template, copy)
    return copy


def run_until_killed(workspace: Path, kill_at: str, kill_after: int) -> tuple[list[list[object]], str]:
    """Run the driver and SIGKILL it on the `kill_after`-th line starting with `kill_at`.

    Returns the rows the driver reported as completed before the kill, and its stderr.
    """
    driver = workspace.parent / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    errors = workspace.parent / "driver.err"
    completed: list[list[object]] = []
    with errors.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, str(driver), str(workspace), AUDITOR, json.dumps(KEYS)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=cli_env(),
        )
        assert child.stdout is not None
        seen = 0
        for line in child.stdout:
            if line.startswith("done "):
                completed.append(json.loads(line[5:]))
            if line.startswith(kill_at):
                seen += 1
                if seen == kill_after:
                    child.send_signal(signal.SIGKILL)
                    break
        child.wait(timeout=60)
    return completed, errors.read_text()


@pytest.mark.parametrize(("kill_at", "seed"), [("pressing ", 1), ("done ", 2), ("pressing ", 3)])
def test_sigkill_keeps_completed_tags(sampled: Path, kill_at: str, seed: int) -> None:
    # Killing on a "pressing" line lands while that key is handled; on a "done" line, between keys.
    kill_after = random.Random(seed).randint(1, len(KEYS) - 1)
    completed, stderr = run_until_killed(sampled, kill_at, kill_after)
    assert "Traceback" not in stderr, stderr
    expected = kill_after if kill_at == "done " else kill_after - 1
    assert len(completed) == expected, stderr

    with Workspace.open(sampled, create=False) as workspace:
        cursor = workspace.cursor()
        saved_rows = {
            tuple(row)
            for row in cursor.execute(
                "SELECT id, session_id, action, reason FROM tag_log WHERE auditor = ?", [AUDITOR]
            ).fetchall()
        }
        states = tags.current_states(cursor, AUDITOR)
    missing = [row for row in completed if tuple(row) not in saved_rows]
    assert missing == []
    assert len(saved_rows) in (len(completed), len(completed) + 1)
    assert all(state.session_id.startswith("bulk-") for state in states.values())


class TerminalSession:
    """`stripdown audit` running in a pseudo-terminal, with its screen output collected."""

    def __init__(self, workspace: Path) -> None:
        self.master, slave = pty.openpty()
        env = cli_env()
        env["TERM"] = "xterm-256color"
        env["COLUMNS"], env["LINES"] = "140", "45"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "audit", "-w", str(workspace), "--auditor", AUDITOR],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.output = bytearray()
        self.closed = False
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                chunk = b""
            with self.changed:
                if not chunk:
                    self.closed = True
                    self.changed.notify_all()
                    return
                self.output.extend(chunk)
                self.changed.notify_all()

    def wait_for(self, text: str, timeout: float = 60) -> None:
        """Wait until `text` has appeared on the screen output."""
        with self.changed:
            found = self.changed.wait_for(lambda: text.encode() in self.output or self.closed, timeout)
        assert found and text.encode() in self.output, (
            f"{text!r} never appeared: {bytes(self.output[-400:])!r}"
        )

    def press(self, keys: str) -> None:
        """Type `keys` into the terminal."""
        os.write(self.master, keys.encode())

    def close(self) -> None:
        """Kill the app if it still runs and release the terminal."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=60)
        self.reader.join(timeout=60)
        os.close(self.master)


@pytest.fixture
def terminal(sampled: Path) -> Iterator[TerminalSession]:
    """`stripdown audit` on the sampled workspace, in a pseudo-terminal."""
    session = TerminalSession(sampled)
    try:
        yield session
    finally:
        session.close()


def test_terminal_audit_saves_tags_and_locks(sampled: Path, terminal: TerminalSession) -> None:
    terminal.wait_for("bulk-")
    second = run_cli("audit", "-w", sampled, "--auditor", "someone-else")
    assert_plain_failure(second, str(sampled), "in use by another stripdown process")
    export = corpus.write_gzip(sampled.parent / "more.csv.gz")
    importing = run_cli("import", export, "-w", sampled)
    assert_plain_failure(importing, str(sampled), "in use by another stripdown process")

    terminal.press("1")
    terminal.press("4")
    terminal.press("8")
    terminal.press("q")
    assert terminal.process.wait(timeout=60) == 0
    rows = query(sampled, "SELECT action, reason FROM tag_log WHERE auditor = ? ORDER BY id", [AUDITOR])
    assert rows == [("tag", "broken_code"), ("tag", "confusing_copy"), ("tag", "interruption")]


def test_terminal_sigkill_keeps_workspace_usable(sampled: Path, terminal: TerminalSession) -> None:
    terminal.wait_for("bulk-")
    terminal.press("1234")
    terminal.process.send_signal(signal.SIGKILL)
    terminal.process.wait(timeout=60)
    with Workspace.open(sampled, create=False) as workspace:
        rows = (
            workspace.cursor()
            .execute("SELECT reason FROM tag_log WHERE auditor = ? ORDER BY id", [AUDITOR])
            .fetchall()
        )
    reasons = [row[0] for row in rows]
    assert reasons == ["broken_code", "form_rejected_input", "dead_link", "confusing_copy"][: len(reasons)]
