"""The measures of bench/run.py: each runs the product and its baseline the same way, in child processes."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from child_tasks import BARE_APP_KEY, BARE_APP_READY
from pty_terminal import PtyTerminal
from results import KeyLatency, Measure, median, percentile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queries import review, tags  # noqa: E402
from queries.workspace import Workspace  # noqa: E402

CHILD_TASKS = Path(__file__).resolve().parent / "child_tasks.py"
CONFIG = ROOT / "sample_data" / "stripdown.toml"
MIB = 2**20

# Text of the facts panel that only a loaded session shows ("reading session …" replaces it before).
LOADED_MARK = b"furthest stage"
# Seconds to wait for one frame before the run is declared broken.
FRAME_TIMEOUT = 60.0


class BenchError(Exception):
    """A measured program failed, so the run cannot report a number for it."""


@dataclass(frozen=True)
class ChildRun:
    """One finished child process: wall time from creation to exit, and its peak resident memory."""

    seconds: float
    max_rss: int
    stdout: str


def child_env(**extra: str) -> dict[str, str]:
    """Return the environment of a measured child: this checkout first on the import path."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TEXTUAL")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


def stripdown(*args: str) -> list[str]:
    """Return the command line that runs a stripdown subcommand of this checkout."""
    return [sys.executable, "-m", "app", *args]


def baseline(*args: str) -> list[str]:
    """Return the command line of one task of bench/child_tasks.py."""
    return [sys.executable, str(CHILD_TASKS), *args]


def run_child(argv: Sequence[str], *, timeout: float = 3600.0, memory_limit: int | None = None) -> ChildRun:
    """Run a program to its end; raise BenchError when it fails or runs out of time."""
    limit = None
    if memory_limit is not None:

        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=child_env(), preexec_fn=limit)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        output = stdout.read().decode(errors="replace")
        errors = stderr.read().decode(errors="replace")
    if process.returncode != 0:
        reason = f"ran out of its {timeout:.0f} s" if seconds >= timeout else f"exited {process.returncode}"
        last = errors.strip().splitlines()[-3:] if errors.strip() else []
        raise BenchError(f"{' '.join(argv[1:4])} {reason}: {' / '.join(last)}")
    return ChildRun(seconds, usage.ru_maxrss * 1024, output)


def remove_workspace(path: Path) -> None:
    """Delete a workspace file and its write-ahead log."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


def drop_page_cache(path: Path) -> None:
    """Ask the kernel to drop the cached pages of one file, so the next read comes from disk."""
    for file in (path, path.with_name(path.name + ".wal")):
        if file.exists():
            descriptor = os.open(file, os.O_RDONLY)
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)


# 1 and 6: import, and the peak memory of a CSV import


def measure_import(
    export: Path, kind: str, events: int, workdir: Path, repeat: int, keep: Path | None
) -> tuple[Measure, list[float]]:
    """Time `stripdown import` of one export against a DuckDB CREATE TABLE AS in a child process.

    Returns the throughput measure and the peak memory of every import. The workspace of the last
    import is moved to `keep` when given.
    """
    workspace = workdir / f"import-{kind}.duckdb"
    table = workdir / f"baseline-{kind}.duckdb"
    ours: list[float] = []
    theirs: list[float] = []
    memory: list[float] = []
    for _ in range(repeat):
        remove_workspace(table)
        theirs.append(events / run_child(baseline("duckdb-import", str(export), str(table))).seconds)
        remove_workspace(table)
        remove_workspace(workspace)
        run = run_child(stripdown("import", str(export), "-w", str(workspace), "--config", str(CONFIG)))
        ours.append(events / run.seconds)
        memory.append(run.max_rss / MIB)
    if keep is not None:
        workspace.rename(keep)
    remove_workspace(workspace)
    ratio = median(ours) / median(theirs)
    measure = Measure(
        name=f"`stripdown import`, {kind}",
        unit="events/s",
        values=ours,
        baseline_name="DuckDB CREATE TABLE AS",
        baseline_values=theirs,
        ratio=ratio,
        ratio_name="× baseline",
        target="≥ 0.7 × baseline",
        passed=ratio >= 0.7,
    )
    return measure, memory


# 2: reopen a workspace and show the first usable triage screen


def open_in_terminal(argv: Sequence[str], marks: Sequence[bytes]) -> tuple[PtyTerminal, float]:
    """Start a program in a pty; return it and the seconds from start to the first frame with `marks`."""
    terminal = PtyTerminal(argv, env=child_env(TERM="xterm-256color", COLORTERM="truecolor"))
    terminal.start()
    try:
        shown = terminal.wait_frame(marks, 0, FRAME_TIMEOUT)
    except Exception:
        terminal.kill()
        raise
    return terminal, shown - terminal.started_at


def close_terminal(terminal: PtyTerminal, quit_keys: bytes = b"q") -> int:
    """Quit the program and return its peak memory in bytes; raise BenchError if it failed."""
    finished = terminal.finish(quit_keys)
    if finished.status != 0:
        tail = terminal.output[-300:].decode(errors="replace")
        raise BenchError(f"{' '.join(terminal.argv[1:4])} exited {finished.status}: {tail!r}")
    return finished.max_rss


def measure_first_open(workspace: Path) -> Measure:
    """Time the first open after a new sample, which computes the sample's evidence signals."""
    argv = stripdown("audit", "-w", str(workspace), "--auditor", "bench-open")
    terminal, seconds = open_in_terminal(argv, [LOADED_MARK])
    close_terminal(terminal)
    return Measure(
        name="first open after a new sample (computes its signals)",
        unit="s",
        values=[seconds],
        note="one run, not a target",
    )


def measure_reopen(workspace: Path, repeat: int) -> Measure:
    """Time process start to the first frame with a loaded session, against a bare Textual app."""
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(repeat):
        terminal, seconds = open_in_terminal(baseline("bare-app"), [BARE_APP_READY.encode()])
        close_terminal(terminal)
        theirs.append(seconds)
        argv = stripdown("audit", "-w", str(workspace), "--auditor", "bench-open")
        terminal, seconds = open_in_terminal(argv, [LOADED_MARK])
        close_terminal(terminal)
        ours.append(seconds)
    return Measure(
        name="reopen a workspace: process start to the first frame with a loaded session",
        unit="s",
        values=ours,
        baseline_name="bare Textual app, first frame",
        baseline_values=theirs,
        ratio=median(ours) / median(theirs),
        ratio_name="× baseline",
        target="≤ 0.5 s",
        passed=median(ours) <= 0.5,
    )


# 3 and 6: keypress to frame, and the peak memory of a review session


class QueueModel:
    """The triage screen's cursor rules, to know which session each key should bring up."""

    def __init__(self, session_ids: list[str]) -> None:
        self.session_ids = session_ids
        self.open = [True] * len(session_ids)
        self.index = 0
        self.tagged: list[int] = []

    @property
    def current(self) -> str:
        """The id of the session under the cursor."""
        return self.session_ids[self.index]

    def tag(self) -> None:
        """Tag the current session and move to the next open one, wrapping round."""
        self.open[self.index] = False
        self.tagged.append(self.index)
        count = len(self.open)
        for step in range(1, count):
            candidate = (self.index + step) % count
            if self.open[candidate]:
                self.index = candidate
                return

    def move(self, step: int) -> None:
        """Move the cursor by one row, stopping at either end."""
        self.index = max(0, min(self.index + step, len(self.open) - 1))

    def undo(self) -> None:
        """Reopen the last tagged session and go to it."""
        self.index = self.tagged.pop()
        self.open[self.index] = True


def sample_queue(workspace: Path, auditor: str) -> list[str]:
    """Return the session ids of the active sample in queue order; each must be untagged."""
    with Workspace.open(workspace, create=False, read_only=True) as opened:
        cursor = opened.cursor()
        sample = review.active_sample(cursor)
        if sample is None:
            raise BenchError(f"{workspace} has no audit sample")
        rows = review.load_queue(cursor, sample.sample_id, auditor)
    if any(not row.is_open for row in rows):
        raise BenchError(f"auditor {auditor} already tagged sessions of {workspace}")
    return [row.session_id for row in rows]


def reason_keys(workspace: Path) -> list[bytes]:
    """Return the one-character hotkeys of the workspace's reasons."""
    with Workspace.open(workspace, create=False, read_only=True) as opened:
        keys = [reason.key.encode() for reason in opened.config.reasons if len(reason.key) == 1]
    if not keys:
        raise BenchError(f"no reason of {workspace} has a one-character hotkey")
    return keys


def key_script(presses: int, tag_keys: list[bytes]) -> list[tuple[str, bytes]]:
    """Return the keys to press: cycles of tag, tag, next, previous, undo."""
    cycle = [("tag + advance", b""), ("tag + advance", b""), ("move", b"j"), ("move", b"k"), ("undo", b"u")]
    script = []
    for number in range(presses):
        kind, key = cycle[number % len(cycle)]
        script.append((kind, key or tag_keys[number % len(tag_keys)]))
    return script


def review_session(
    workspace: Path, auditor: str, presses: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], int]:
    """Press keys in `stripdown audit` in a pty and time each to its frame.

    Returns, per kind of key, the milliseconds to the first frame that shows the expected session and
    to the frame that shows it loaded, and the app's peak memory in bytes.
    """
    model = QueueModel(sample_queue(workspace, auditor))
    script = key_script(presses, reason_keys(workspace))
    argv = stripdown("audit", "-w", str(workspace), "--auditor", auditor)
    terminal, _ = open_in_terminal(argv, [LOADED_MARK])
    frames: dict[str, list[float]] = {}
    loaded: dict[str, list[float]] = {}
    try:
        terminal.wait_quiet(0.2, 5.0)
        for kind, key in script:
            if kind == "tag + advance":
                model.tag()
            elif kind == "undo":
                model.undo()
            else:
                model.move(1 if key == b"j" else -1)
            expected = model.current.encode()
            offset, pressed = terminal.press(key)
            shown = terminal.wait_frame([expected], offset, FRAME_TIMEOUT)
            ready = terminal.wait_frame([expected, LOADED_MARK], offset, FRAME_TIMEOUT)
            frames.setdefault(kind, []).append((shown - pressed) * 1000)
            loaded.setdefault(kind, []).append((ready - pressed) * 1000)
            # A person reads between keys; let the prefetch settle so each key starts from rest.
            terminal.wait_quiet(0.05, 1.0)
    except Exception:
        terminal.kill()
        raise
    return frames, loaded, close_terminal(terminal)


def bare_key_latency(presses: int) -> list[float]:
    """Time key presses in a bare Textual app whose one label counts them."""
    terminal, _ = open_in_terminal(baseline("bare-app"), [BARE_APP_READY.encode()])
    latencies = []
    try:
        terminal.wait_quiet(0.2, 5.0)
        for number in range(1, presses + 1):
            offset, pressed = terminal.press(b"x")
            shown = terminal.wait_frame([f"{BARE_APP_KEY} {number}".encode()], offset, FRAME_TIMEOUT)
            latencies.append((shown - pressed) * 1000)
            terminal.wait_quiet(0.05, 1.0)
    except Exception:
        terminal.kill()
        raise
    close_terminal(terminal)
    return latencies


def measure_keys(workspace: Path, repeat: int, presses: int) -> tuple[list[KeyLatency], list[float]]:
    """Run `repeat` review sessions; return key latencies per kind and each session's peak memory in MiB."""
    frames: dict[str, list[float]] = {}
    loaded: dict[str, list[float]] = {}
    bare: list[float] = []
    memory: list[float] = []
    for number in range(repeat):
        bare += bare_key_latency(presses)
        run_frames, run_loaded, max_rss = review_session(workspace, f"bench-keys-{number + 1}", presses)
        for kind, values in run_frames.items():
            frames.setdefault(kind, []).extend(values)
            loaded.setdefault(kind, []).extend(run_loaded[kind])
        memory.append(max_rss / MIB)
    latencies = [KeyLatency(kind, frames[kind], loaded[kind], []) for kind in frames]
    everything = [value for values in frames.values() for value in values]
    everything_loaded = [value for values in loaded.values() for value in values]
    latencies.append(KeyLatency("every key", everything, everything_loaded, bare))
    return latencies, memory


# 4: the tag write inside the key handler


def measure_tag_write(workspace: Path, writes: int) -> Measure:
    """Time `queries.tags.append` on the workspace file, each call committing on its own."""
    with Workspace.open(workspace, create=False) as opened:
        cursor = opened.cursor()
        session_ids = _sample_sessions(cursor, writes)
        reasons = [reason.id for reason in opened.config.reasons]
        times = []
        for number in range(writes):
            started = time.perf_counter()
            session_id = session_ids[number % len(session_ids)]
            tags.append(cursor, session_id, "bench-write", "tag", reason=reasons[number % len(reasons)])
            times.append((time.perf_counter() - started) * 1000)
    p95 = percentile(times, 95)
    return Measure(
        name=f"tag write in the key handler ({writes} appends; p95 {p95:.1f} ms)",
        unit="ms",
        values=times,
        target="≤ 5 ms (median)",
        passed=median(times) <= 5.0,
    )


def _sample_sessions(cursor: object, count: int) -> list[str]:
    rows = cursor.execute(  # type: ignore[attr-defined]
        "SELECT session_id FROM samples WHERE sample_id = (SELECT max(sample_id) FROM samples) "
        "ORDER BY position LIMIT ?",
        [count],
    ).fetchall()
    if not rows:
        raise BenchError("the workspace has no audit sample to tag")
    return [row[0] for row in rows]


# 5: the report


def measure_report(workspace: Path, workdir: Path, repeat: int) -> list[Measure]:
    """Time `stripdown report --format json` with the workspace file out of the page cache and in it."""
    output = workdir / "report.json"
    report = stripdown("report", "-w", str(workspace), "--format", "json", "-o", str(output))
    group_by = baseline("duckdb-group-by", str(workspace))
    cold, warm, cold_baseline, warm_baseline = [], [], [], []
    for _ in range(repeat):
        drop_page_cache(workspace)
        cold_baseline.append(run_child(group_by).seconds)
        drop_page_cache(workspace)
        cold.append(run_child(report).seconds)
        warm.append(run_child(report).seconds)
        warm_baseline.append(run_child(group_by).seconds)
    return [
        Measure(
            name="`stripdown report --format json`, from scratch (file dropped from the page cache)",
            unit="s",
            values=cold,
            baseline_name="DuckDB group-by over events",
            baseline_values=cold_baseline,
            ratio=median(cold) / median(cold_baseline),
            ratio_name="× baseline",
            target="≤ 1.0 s",
            passed=median(cold) <= 1.0,
        ),
        Measure(
            name="`stripdown report --format json`, again",
            unit="s",
            values=warm,
            baseline_name="DuckDB group-by over events",
            baseline_values=warm_baseline,
            ratio=median(warm) / median(warm_baseline),
            ratio_name="× baseline",
            target="≤ 0.5 s",
            passed=median(warm) <= 0.5,
        ),
    ]


# 6: memory targets


def memory_measures(import_memory: list[float], review_memory: list[float]) -> list[Measure]:
    """Turn peak memory figures into the two memory measures."""
    return [
        Measure(
            name="peak memory of `stripdown import`, CSV",
            unit="MiB",
            values=import_memory,
            target="≤ 1 GiB",
            passed=median(import_memory) <= 1024,
        ),
        Measure(
            name="peak memory of a review session (the key presses above)",
            unit="MiB",
            values=review_memory,
            target="≤ 300 MiB",
            passed=median(review_memory) <= 300,
        ),
    ]


# 7: other tools opening the same rows


def measure_other_tools(
    export: Path, import_seconds: float, import_memory: float, repeat: int, visidata_timeout: float
) -> tuple[list[Measure], list[str]]:
    """Time pandas and VisiData opening the CSV export, where installed, against `stripdown import`."""
    measures: list[Measure] = []
    notes: list[str] = []
    tools = [
        ("pandas", "pandas read_csv + the session group-by", "pandas-open", repeat, 3600.0),
        ("visidata", "VisiData loading the CSV into a sheet", "visidata-open", 1, visidata_timeout),
    ]
    for module, name, task, runs, timeout in tools:
        if not _installed(module):
            notes.append(f"{name}: not measured, because {module} is not installed.")
            continue
        seconds: list[float] = []
        memory: list[float] = []
        try:
            for _ in range(runs):
                run = run_child(baseline(task, str(export)), timeout=timeout, memory_limit=12 * 2**30)
                seconds.append(run.seconds)
                memory.append(run.max_rss / MIB)
        except BenchError as error:
            notes.append(f"{name}: no result ({error}); the limits were {timeout:.0f} s and 12 GiB.")
            continue
        measures.append(
            Measure(
                name=name,
                unit="s",
                values=seconds,
                baseline_name="`stripdown import`, CSV",
                baseline_values=[import_seconds],
                ratio=median(seconds) / import_seconds,
                ratio_name="× the import time",
                note=f"peak memory {median(memory):,.0f} MiB, {median(memory) / import_memory:.1f} × the import's",
            )
        )
    return measures, notes


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None
