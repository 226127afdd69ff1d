"""Workspaces in use, damaged, foreign, newer, read-only or on a full disk: a clear line, nothing lost."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from queries.workspace import SCHEMA_VERSION
from tests.reliability_support import (
    assert_plain_failure,
    cli_env,
    file_digest,
    import_files,
    load_corpus_generator,
    query,
    run_cli,
    scalar,
    seed_workspace,
    table_fingerprint,
)

corpus = load_corpus_generator()

# Every command that opens a workspace, as the arguments after `stripdown`. All of them open it
# through queries.workspace, so the damage cases below try a few each and the lock case tries all.
COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "import": lambda workspace, folder: ["import", str(folder / "more.csv"), "-w", str(workspace)],
    "sample": lambda workspace, folder: ["sample", "-w", str(workspace)],
    "tag": lambda workspace, folder: ["tag", "-w", str(workspace), "seed-1", "broken_code"],
    "audit": lambda workspace, folder: ["audit", "-w", str(workspace)],
    "report": lambda workspace, folder: ["report", "-w", str(workspace)],
    "export": lambda workspace, folder: ["export", "-w", str(workspace), "-o", str(folder / "out.csv")],
}

MORE_EXPORT = (
    "event_id,session_id,ts,event,url\n"
    "m1,more-1,2024-03-06T09:00:00Z,page_view,/cart\n"
    "m2,more-1,2024-03-06T09:01:00Z,page_view,/checkout\n"
)


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with two sessions, a sample and one tag, built once and copied by each test."""
    folder = tmp_path_factory.mktemp("seeded")
    workspace = folder / "seeded.duckdb"
    seed_workspace(workspace, folder)
    return workspace


@pytest.fixture
def seeded(seeded_template: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded workspace, with a second export beside it for `import`."""
    copy = tmp_path / "review.duckdb"
    shutil.copyfile(seeded_template, copy)
    (tmp_path / "more.csv").write_text(MORE_EXPORT, encoding="utf-8")
    return copy


def run_command(name: str, workspace: Path) -> subprocess.CompletedProcess[str]:
    """Run one of COMMANDS against `workspace`."""
    return run_cli(*COMMANDS[name](workspace, workspace.parent))


def assert_left_alone(workspace: Path, digest: str) -> None:
    """Assert the workspace file has its old bytes and no command wrote an export beside it."""
    assert file_digest(workspace) == digest
    assert not (workspace.parent / "out.csv").exists()


@pytest.fixture
def held(seeded: Path) -> Iterator[subprocess.Popen[str]]:
    """Another stripdown process holding the seeded workspace open until the test ends."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys
                from queries.workspace import Workspace
                workspace = Workspace.open({str(seeded)!r}, create=False)
                print("ready", flush=True)
                sys.stdin.read()
                workspace.close()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "ready"
    try:
        yield holder
    finally:
        holder.communicate("", timeout=60)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_workspace_in_use(
    seeded_template: Path, seeded: Path, held: subprocess.Popen[str], command: str
) -> None:
    result = run_command(command, seeded)
    line = assert_plain_failure(result, str(seeded), "in use by another stripdown process")
    assert f"PID {held.pid}" in line
    held.communicate("", timeout=60)
    assert table_fingerprint(seeded) == table_fingerprint(seeded_template)
    assert not (seeded.parent / "out.csv").exists()


@pytest.mark.parametrize("command", ["import", "audit", "export"])
def test_newer_schema_version(seeded: Path, command: str) -> None:
    connection = duckdb.connect(str(seeded))
    connection.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    connection.close()
    digest = file_digest(seeded)
    assert_plain_failure(run_command(command, seeded), str(seeded), "newer stripdown", "upgrade")
    assert_left_alone(seeded, digest)


TRUNCATIONS = [("import", 0.5), ("audit", 0.5), ("export", 0.5), ("report", 0.01), ("tag", 0.99)]


def bytes_in_use(workspace: Path) -> int:
    """Return the size of the blocks DuckDB reports in use; cutting off only free blocks loses nothing."""
    return int(scalar(workspace, "SELECT block_size * used_blocks FROM pragma_database_size()"))


@pytest.mark.parametrize(("command", "keep"), TRUNCATIONS)
def test_truncated_workspace(seeded: Path, command: str, keep: float) -> None:
    cut = int(bytes_in_use(seeded) * keep)
    with seeded.open("r+b") as handle:
        handle.truncate(cut)
    digest = file_digest(seeded)
    assert_plain_failure(run_command(command, seeded), str(seeded), "damaged or truncated")
    assert_left_alone(seeded, digest)


@pytest.mark.parametrize("command", ["import", "report", "tag"])
def test_duckdb_file_that_is_not_a_workspace(tmp_path: Path, command: str) -> None:
    foreign = tmp_path / "review.duckdb"
    connection = duckdb.connect(str(foreign))
    connection.execute("CREATE TABLE customers (id INTEGER, name VARCHAR)")
    connection.execute("INSERT INTO customers VALUES (1, 'Ada')")
    connection.close()
    (tmp_path / "more.csv").write_text(MORE_EXPORT, encoding="utf-8")
    digest = file_digest(foreign)
    assert_plain_failure(run_command(command, foreign), str(foreign), "not a stripdown workspace")
    assert_left_alone(foreign, digest)


@pytest.mark.parametrize("command", ["sample", "audit", "export"])
def test_file_that_is_not_duckdb(tmp_path: Path, command: str) -> None:
    notes = tmp_path / "review.duckdb"
    notes.write_text("my notes about the checkout funnel\n" * 500, encoding="utf-8")
    (tmp_path / "more.csv").write_text(MORE_EXPORT, encoding="utf-8")
    digest = file_digest(notes)
    assert_plain_failure(run_command(command, notes), str(notes), "not a stripdown workspace")
    assert_left_alone(notes, digest)


def mount_tmpfs(folder: Path, options: str) -> None:
    """Mount a tmpfs on `folder`, or skip the test when this machine does not allow it."""
    folder.mkdir(exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); needs root in a private mount")


def unmount(folder: Path) -> None:
    """Unmount a tmpfs mounted by `mount_tmpfs`."""
    subprocess.run(["umount", str(folder)], check=True, capture_output=True)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """An empty folder on a read-only file system."""
    folder = tmp_path / "read-only"
    mount_tmpfs(folder, "ro,size=1m")
    try:
        yield folder
    finally:
        unmount(folder)


def test_new_workspace_in_read_only_folder(read_only_folder: Path, tmp_path: Path) -> None:
    export = tmp_path / "more.csv"
    export.write_text(MORE_EXPORT, encoding="utf-8")
    workspace = read_only_folder / "review.duckdb"
    assert_plain_failure(import_files(workspace, export), str(workspace), "not writable")
    assert list(read_only_folder.iterdir()) == []


@pytest.fixture
def workspace_on_read_only_mount(seeded_template: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the seeded workspace on a file system remounted read-only."""
    folder = tmp_path / "share"
    mount_tmpfs(folder, "size=4m")
    try:
        workspace = folder / "review.duckdb"
        shutil.copyfile(seeded_template, workspace)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)
        yield workspace
    finally:
        unmount(folder)


@pytest.mark.parametrize("command", ["import", "sample", "tag"])
def test_writing_command_on_read_only_mount(workspace_on_read_only_mount: Path, command: str) -> None:
    workspace = workspace_on_read_only_mount
    (workspace.parent.parent / "more.csv").write_text(MORE_EXPORT, encoding="utf-8")
    digest = file_digest(workspace)
    args = COMMANDS[command](workspace, workspace.parent.parent)
    assert_plain_failure(run_cli(*args), str(workspace), "read-only")
    assert file_digest(workspace) == digest


def test_report_on_read_only_mount(workspace_on_read_only_mount: Path) -> None:
    result = run_cli("report", "-w", workspace_on_read_only_mount)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert "broken code" in result.stdout.lower()


@pytest.fixture
def small_disk(seeded_template: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the seeded workspace on a 4 MB file system with little room left."""
    folder = tmp_path / "small"
    mount_tmpfs(folder, "size=4m")
    try:
        workspace = folder / "review.duckdb"
        shutil.copyfile(seeded_template, workspace)
        yield workspace
    finally:
        unmount(folder)


def test_full_disk_during_import(small_disk: Path, tmp_path: Path) -> None:
    export = corpus.write_large_export(tmp_path / "large.csv", sessions=8_000, events_per_session=20)
    assert export.stat().st_size > 5 * shutil.disk_usage(small_disk.parent).free
    before = table_fingerprint(small_disk)
    result = import_files(small_disk, export)
    assert_plain_failure(result, str(small_disk), "space")
    assert table_fingerprint(small_disk) == before
    assert query(small_disk, "SELECT session_id, reason, note FROM tag_state") == [
        ("seed-2", "broken_code", "kept")
    ]
    report = run_cli("report", "-w", small_disk)
    assert report.returncode == 0, report.stderr
    assert "broken code" in report.stdout.lower()


def wait_until_writing(child: subprocess.Popen[bytes], workspace: Path, deadline: float) -> bool:
    """Poll until the workspace file grows or gains a write-ahead log; False if the child ended first."""
    size = workspace.stat().st_size
    wal = workspace.with_name(workspace.name + ".wal")
    while child.poll() is None and time.monotonic() < deadline:
        if workspace.stat().st_size != size or wal.exists():
            return True
        time.sleep(0.01)
    return False


def test_import_killed_while_writing(seeded: Path, tmp_path: Path) -> None:
    export = corpus.write_large_export(tmp_path / "large.csv", sessions=10_000, events_per_session=20)
    before = table_fingerprint(seeded)
    child = subprocess.Popen(
        [sys.executable, "-m", "app", "import", str(export), "-w", str(seeded)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=cli_env(),
    )
    try:
        assert wait_until_writing(child, seeded, time.monotonic() + 300), "the import never wrote"
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert table_fingerprint(seeded) == before
    again = import_files(seeded, seeded.parent / "more.csv")
    assert again.returncode == 0, again.stderr
    assert query(seeded, "SELECT count(*) FROM events") == [(6,)]
