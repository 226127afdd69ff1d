"""Run `stripdown audit` and `stripdown` as a user does: real processes, a real terminal (a pty)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import duckdb
import pytest

from queries.tags import current_states
from queries.workspace import Workspace
from tests.data.app.workspaces import build_workspace

ROOT = Path(__file__).resolve().parent.parent
# Escape sequences a terminal program writes: CSI (colours, cursor moves) and OSC (titles).
ANSI = re.compile(
    r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>]"
)
# How long a terminal test waits for the screen to show an expected text before it fails.
SCREEN_TIMEOUT = 60.0


class Terminal:
    """A child process on an 80x24 pseudo-terminal, with the text it has drawn so far."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.chdir(ROOT)
            os.execvpe(args[0], args, {**os.environ, "TERM": "xterm-256color", **(env or {})})
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.output = ""

    def wait_for(self, text: str) -> None:
        """Read the child's output until `text` has been drawn; fail after SCREEN_TIMEOUT."""
        deadline = time.monotonic() + SCREEN_TIMEOUT
        while text not in ANSI.sub("", self.output):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"{text!r} never appeared; last output: {ANSI.sub('', self.output)[-800:]!r}"
                )
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk:
                    ending = ANSI.sub("", self.output)[-800:]
                    raise AssertionError(f"the program ended before {text!r} appeared: {ending!r}")
                self.output += chunk.decode("utf-8", errors="replace")

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def kill(self) -> int:
        os.kill(self.pid, signal.SIGKILL)
        return self.wait()

    def exit_status(self) -> int | None:
        """Wait for the child to end; return its exit status, or None when a signal ended it."""
        status = self.wait()
        return os.WEXITSTATUS(status) if os.WIFEXITED(status) else None

    def wait(self) -> int:
        """Read the rest of the output, so the child never blocks on a full terminal, and reap it."""
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            self.output += chunk.decode("utf-8", errors="replace")
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return status


def importer_available() -> bool:
    try:
        from queries.importing import import_exports  # noqa: F401
    except ImportError:
        return False
    return True


def stripdown(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture
def triage_path(tmp_path: Path) -> Path:
    return build_workspace(tmp_path / "triage.duckdb", "triage.sql")


def test_sigkill_keeps_three_tags(triage_path: Path) -> None:
    terminal = Terminal([sys.executable, "-m", "app", "audit", "-w", str(triage_path), "--auditor", "ana"])
    terminal.wait_for("tagged 0/6")
    terminal.wait_for("started 20")
    for count, key in enumerate("125", start=1):
        terminal.send(key)
        terminal.wait_for(f"tagged {count}/6")
    status = terminal.kill()
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) == signal.SIGKILL

    with Workspace.open(triage_path, create=False) as workspace:
        states = current_states(workspace.cursor(), "ana")
    assert {session: state.reason for session, state in states.items()} == {
        "s-001": "broken_code",
        "s-002": "form_rejected_input",
        "s-003": "hidden_control",
    }


def test_audit_quits_cleanly(triage_path: Path) -> None:
    terminal = Terminal([sys.executable, "-m", "app", "audit", "-w", str(triage_path), "--auditor", "ana"])
    terminal.wait_for("session s-001")
    terminal.send("q")
    assert terminal.exit_status() == 0


def test_audit_missing_workspace(tmp_path: Path) -> None:
    result = stripdown("audit", "-w", str(tmp_path / "none.duckdb"))
    assert result.returncode == 1
    assert result.stderr.startswith("stripdown: workspace ")
    assert "not found" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_audit_without_sample(tmp_path: Path) -> None:
    export = tmp_path / "events.csv"
    export.write_text("session_id,ts,event\ns1,2024-03-05T10:00:00Z,page_view\n", encoding="utf-8")
    workspace = tmp_path / "review.duckdb"
    assert stripdown("import", str(export), "-w", str(workspace)).returncode == 0
    result = stripdown("audit", "-w", str(workspace))
    assert result.returncode == 1
    assert f"workspace {workspace} has no audit sample yet" in result.stderr
    assert f"stripdown sample -w {workspace}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_audit_locked_workspace(triage_path: Path) -> None:
    holder = duckdb.connect(str(triage_path))
    try:
        result = stripdown("audit", "-w", str(triage_path), "--auditor", "ana")
    finally:
        holder.close()
    assert result.returncode == 1
    assert "is in use by another stripdown process" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_audit_empty_auditor(triage_path: Path) -> None:
    result = stripdown("audit", "-w", str(triage_path), "--auditor", " ")
    assert result.returncode == 2
    assert "--auditor is empty" in result.stderr


def test_audit_help_names_options() -> None:
    result = stripdown("audit", "--help")
    assert result.returncode == 0
    assert "--auditor" in result.stdout
    assert "-w WS" in result.stdout


@pytest.mark.skipif(not importer_available(), reason="the importer is not part of this checkout yet")
def test_first_run_builds_then_reopens(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    workspace_path = tmp_path / "data" / "stripdown" / "bundled-sample.duckdb"

    terminal = Terminal([sys.executable, "-m", "app"], env)
    terminal.wait_for("first run: importing the bundled sample")
    terminal.wait_for("tagged 0/500")
    terminal.wait_for("started 20")
    terminal.send("1")
    terminal.wait_for("tagged 1/500")
    terminal.send("q")
    assert terminal.exit_status() == 0
    assert workspace_path.exists()

    terminal = Terminal([sys.executable, "-m", "app"], env)
    terminal.wait_for("tagged 1/500")
    terminal.wait_for("started 20")
    terminal.send("q")
    assert terminal.exit_status() == 0
    assert "first run" not in ANSI.sub("", terminal.output)


def test_misspelt_command_gets_suggestion() -> None:
    result = stripdown("improt", "events.csv")
    assert result.returncode == 2
    assert "unknown command 'improt'; did you mean import?" in result.stderr


def test_unknown_option_shows_subcommand_usage(tmp_path: Path) -> None:
    result = stripdown("sample", "-w", str(tmp_path / "review.duckdb"), "--radnom", "5")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: stripdown sample")
    assert "unrecognized arguments: --radnom 5" in result.stderr
    assert not (tmp_path / "review.duckdb").exists()
