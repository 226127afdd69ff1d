"""Measured values, the machine they were measured on, and the Markdown page that reports them."""

from __future__ import annotations

import os
import platform
import statistics
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

# bench/run.py rewrites only the part of the page between these lines; text around them is kept.
RESULTS_START = "<!-- results: written by bench/run.py; edit outside these markers -->"
RESULTS_END = "<!-- end of results -->"

LIBRARIES = ("textual", "duckdb", "pyarrow", "rapidfuzz", "pandas", "visidata")


@dataclass
class Measure:
    """One measure of one run: its values per repetition, its baseline and its target."""

    name: str
    unit: str
    values: list[float]
    baseline_name: str = ""
    baseline_values: list[float] = field(default_factory=list)
    ratio: float | None = None
    ratio_name: str = ""
    target: str = ""
    passed: bool | None = None
    note: str = ""


@dataclass
class KeyLatency:
    """Keypress-to-frame times of one kind of key over every repetition, in milliseconds."""

    kind: str
    frame_ms: list[float]
    loaded_ms: list[float]
    baseline_ms: list[float]

    @property
    def passed(self) -> bool:
        """Whether p50 <= 25 ms and p95 <= 50 ms, the targets of a key press."""
        return percentile(self.frame_ms, 50) <= 25.0 and percentile(self.frame_ms, 95) <= 50.0


@dataclass
class Machine:
    """The hardware, software and load of the machine during a run."""

    cores: int
    memory_gib: float
    cpu_model: str
    system: str
    python: str
    libraries: dict[str, str]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)


def percentile(values: list[float], percent: float) -> float:
    """Return the `percent` percentile with linear interpolation between the closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * percent / 100
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def median(values: list[float]) -> float:
    """Return the median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


def describe_machine() -> Machine:
    """Read the core count, memory, CPU model, versions and current load of this machine."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return Machine(
        cores=os.cpu_count() or 0,
        memory_gib=_memory_bytes() / 2**30,
        cpu_model=_cpu_model(),
        system=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        libraries=versions,
        load_before=os.getloadavg(),
    )


def _memory_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def format_value(value: float | None, unit: str) -> str:
    """Format a value in its unit with a precision that suits it."""
    if value is None or value != value:
        return "–"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    if unit == "events/s":
        return f"{value / 1000:,.0f}k events/s"
    return f"{value:.3g} {unit}"


def render_results(
    machine: Machine,
    command: str,
    events: int,
    sessions: int,
    measures: list[Measure],
    keys: list[KeyLatency],
    notes: list[str],
) -> str:
    """Return the Markdown of one run: machine, command, the measures and the key latencies."""
    lines = [
        f"Command: `{command}`",
        "",
        f"Export: {events:,} events in {sessions:,} sessions, made by `python3 -m sample_data.generate`.",
        "",
        *_machine_lines(machine),
        "",
        "| measure | median | min | max | baseline (median) | ratio | target | result |",
        "|---|---:|---:|---:|---|---:|---|---|",
    ]
    lines += [_measure_row(measure) for measure in measures]
    if keys:
        lines += [
            "",
            "Keypress to frame, over every key of every repetition (the frame budget of a 60 Hz screen "
            "is 16.7 ms):",
            "",
            "| key | presses | p50 | p95 | max | to the loaded session: p50 / p95 | bare Textual app: p50 / p95 "
            "| target | result |",
            "|---|---:|---:|---:|---:|---|---|---|---|",
        ]
        lines += [_key_row(latency) for latency in keys]
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    return "\n".join(lines) + "\n"


def _machine_lines(machine: Machine) -> list[str]:
    libraries = ", ".join(f"{name} {version}" for name, version in machine.libraries.items())
    before = ", ".join(f"{load:.2f}" for load in machine.load_before)
    after = ", ".join(f"{load:.2f}" for load in machine.load_after)
    return [
        f"Machine: {machine.cores} cores ({machine.cpu_model}), {machine.memory_gib:.1f} GiB memory, "
        f"{machine.system}, Python {machine.python}; {libraries}.",
        "",
        f"Load average (1, 5, 15 min): {before} at the start and {after} at the end of the run.",
    ]


def _measure_row(measure: Measure) -> str:
    unit = measure.unit
    baseline = ""
    if measure.baseline_name:
        baseline = f"{measure.baseline_name}: {format_value(median(measure.baseline_values), unit)}"
    ratio = f"{measure.ratio:.2f} {measure.ratio_name}" if measure.ratio is not None else ""
    result = {True: "pass", False: "**miss**", None: ""}[measure.passed]
    name = f"{measure.name} ({measure.note})" if measure.note else measure.name
    cells = [
        name,
        format_value(median(measure.values), unit),
        format_value(min(measure.values, default=None), unit),
        format_value(max(measure.values, default=None), unit),
        baseline,
        ratio,
        measure.target,
        result,
    ]
    return "| " + " | ".join(cells) + " |"


def _key_row(latency: KeyLatency) -> str:
    def pair(values: list[float]) -> str:
        if not values:
            return "–"
        return f"{percentile(values, 50):.1f} / {percentile(values, 95):.1f} ms"

    cells = [
        latency.kind,
        str(len(latency.frame_ms)),
        format_value(percentile(latency.frame_ms, 50), "ms"),
        format_value(percentile(latency.frame_ms, 95), "ms"),
        format_value(max(latency.frame_ms, default=None), "ms"),
        pair(latency.loaded_ms),
        pair(latency.baseline_ms),
        "p50 ≤ 25 ms, p95 ≤ 50 ms",
        "pass" if latency.passed else "**miss**",
    ]
    return "| " + " | ".join(cells) + " |"


def write_page(path: Path, results: str, title: str) -> None:
    """Put `results` between the markers of the page at `path`, creating the page if needed."""
    block = f"{RESULTS_START}\n{results}{RESULTS_END}\n"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        start = text.find(RESULTS_START)
        end = text.find(RESULTS_END)
        if start >= 0 and end > start:
            path.write_text(text[:start] + block + text[end + len(RESULTS_END) + 1 :], encoding="utf-8")
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\n{block}", encoding="utf-8")
