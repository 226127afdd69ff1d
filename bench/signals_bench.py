"""Measure evidence signals and look-alike grouping on the bundled sample export.

Prints how long the signals and the grouping take for the default 500-session sample, how often the
suggestion equals the generator's true cause (per cause), and how many sessions the groups cover.

    python3 bench/signals_bench.py [--size 500] [--runs 5] [--all] [--data FOLDER]

`--all` also measures suggestion agreement on every exited session. `--data` reads
checkout_events.csv.gz, stripdown.toml and true_causes.csv from another folder, such as one
generated with `python3 -m sample_data.generate -o FOLDER/checkout_events.csv.gz`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queries.config import Config, load_config  # noqa: E402
from queries.sample import SampleRule, draw_sample  # noqa: E402
from queries.sessions import derive_sessions  # noqa: E402
from queries.signals import compute_signals, suggestions  # noqa: E402
from queries.similar import Group, build_index, sample_signatures  # noqa: E402
from queries.workspace import Workspace  # noqa: E402

SAMPLE_DATA = ROOT / "sample_data"
EXPORT_NAME = "checkout_events.csv.gz"
CONFIG_NAME = "stripdown.toml"
TRUE_CAUSES_NAME = "true_causes.csv"

# NOTE: used only while queries.importing has no import_exports; it maps the bundled export's
# columns by hand, the way the importer's automatic mapping is expected to.
_LOAD_EVENTS = """
INSERT INTO events (event_id, session_id, user_id, ts, event, url, target, status, message, channel,
                    device, label, user_agent, duration_ms, source_file, import_id, row_number,
                    content_hash)
SELECT event_id, session_id, user_id, "timestamp", event_name, page_url, element, http_status,
       error_message, channel, device_type, exit_reason, user_agent, load_time_ms, ?, 1,
       row_number() OVER (), 0
FROM read_csv(?, header = true, types = {'timestamp': 'TIMESTAMPTZ', 'http_status': 'INTEGER',
                                         'load_time_ms': 'DOUBLE'})
ORDER BY session_id, "timestamp"
"""


@dataclass(frozen=True)
class Data:
    """The export, its config and the generator's true causes."""

    folder: Path

    @property
    def export(self) -> Path:
        return self.folder / EXPORT_NAME

    @property
    def config(self) -> Path:
        return self.folder / CONFIG_NAME

    @property
    def causes(self) -> Path:
        return self.folder / TRUE_CAUSES_NAME


def load_export(workspace: Workspace, config: Config, data: Data) -> None:
    """Load the export and derive its sessions."""
    try:
        from queries.importing import ImportOptions, import_exports
    except ImportError:
        with workspace.transaction() as cursor:
            workspace.save_config(config, cursor)
            cursor.execute(_LOAD_EVENTS, [str(data.export), str(data.export)])
            derive_sessions(cursor, config)
        return
    import_exports(workspace, [data.export], ImportOptions(config=config))


def timed(action: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """Return the median wall time and CPU time of `runs` calls in milliseconds, and the last result.

    CPU time counts every thread of this process, DuckDB's included, and is less sensitive than wall
    time to other programs competing for the cores.
    """
    wall: list[float] = []
    cpu: list[float] = []
    result: object = None
    for _ in range(runs):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        result = action()
        wall.append((time.perf_counter() - wall_start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    return statistics.median(wall), statistics.median(cpu), result


def agreement(
    cursor: duckdb.DuckDBPyConnection, sample_id: int, causes_file: Path
) -> list[tuple[str, int, int, int]]:
    """Return (cause, sessions, with a suggestion, suggestion equal to the cause) per true cause."""
    suggested = suggestions(cursor, sample_id)
    causes = dict(
        cursor.execute(
            "SELECT session_id, cause FROM read_csv(?, header = true) "
            "WHERE session_id IN (SELECT session_id FROM samples WHERE sample_id = ?)",
            [str(causes_file), sample_id],
        ).fetchall()
    )
    table: dict[str, list[int]] = {}
    for session_id, cause in causes.items():
        row = table.setdefault(cause, [0, 0, 0])
        row[0] += 1
        row[1] += session_id in suggested
        row[2] += suggested.get(session_id) == cause
    return sorted((cause, *counts) for cause, counts in table.items())  # type: ignore[misc]


def group_purity(cursor: duckdb.DuckDBPyConnection, groups: list[Group], causes_file: Path) -> float:
    """Return the share of grouped sessions whose true cause is their group's most common cause."""
    causes = dict(
        cursor.execute(
            "SELECT session_id, cause FROM read_csv(?, header = true)", [str(causes_file)]
        ).fetchall()
    )
    agreeing = 0
    for group in groups:
        members = [causes.get(session_id) for session_id in (group.anchor, *group.members)]
        agreeing += Counter(members).most_common(1)[0][1]
    grouped = sum(group.size for group in groups)
    return agreeing / grouped if grouped else 0.0


def print_agreement(rows: list[tuple[str, int, int, int]]) -> None:
    print("| true cause | sessions | with a suggestion | suggestion = cause |")
    print("|---|---:|---:|---:|")
    for cause, sessions, suggested, equal in rows:
        print(f"| {cause} | {sessions} | {suggested} | {equal} ({equal / sessions:.0%}) |")
    sessions = sum(row[1] for row in rows)
    suggested = sum(row[2] for row in rows)
    equal = sum(row[3] for row in rows)
    print(f"| all | {sessions} | {suggested} | {equal} ({equal / sessions:.0%}) |")
    if suggested:
        print(f"\nsuggestion = cause when there is a suggestion: {equal / suggested:.0%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=500, help="sample size (default 500)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default 5)")
    parser.add_argument("--all", action="store_true", help="also measure agreement on every exited session")
    parser.add_argument(
        "--data", type=Path, default=SAMPLE_DATA, help="folder with the export, config and true causes"
    )
    args = parser.parse_args()

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, load average {load}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    )
    data = Data(args.data)
    config = load_config(data.config)
    with tempfile.TemporaryDirectory() as folder, Workspace.open(Path(folder) / "bench.duckdb") as workspace:
        load_export(workspace, config, data)
        sample = draw_sample(workspace, SampleRule(size=args.size), config)
        cursor = workspace.cursor()
        print(f"sample {sample.sample_id}: {sample.size} of {sample.drawn_from} exited sessions")

        signals_wall, signals_cpu, stored = timed(
            lambda: compute_signals(cursor, sample.sample_id, config), args.runs
        )
        print(
            f"compute_signals: {signals_wall:.0f} ms wall, {signals_cpu:.0f} ms CPU "
            f"(median of {args.runs}; {stored} signal rows)"
        )

        threshold = config.signals.similarity
        read_wall, read_cpu, signatures = timed(
            lambda: sample_signatures(cursor, sample.sample_id), args.runs
        )
        index_wall, index_cpu, index = timed(
            lambda: build_index(cursor, sample.sample_id, threshold), args.runs
        )
        group_wall, group_cpu, groups = timed(lambda: index.groups(), args.runs)  # type: ignore[attr-defined]
        print(
            f"grouping: read signatures {read_wall:.0f} ms wall / {read_cpu:.0f} ms CPU, "
            f"read and score {index_wall:.0f} / {index_cpu:.0f} ms, "
            f"form groups {group_wall:.0f} / {group_cpu:.0f} ms (median of {args.runs})"
        )
        covered = sum(group.size for group in groups)  # type: ignore[attr-defined]
        largest = max((group.size for group in groups), default=0)  # type: ignore[attr-defined]
        print(
            f"groups at similarity {threshold:g}: {len(groups)} groups of 2 or more "  # type: ignore[arg-type]
            f"cover {covered} of {len(signatures)} sessions ({covered / len(signatures):.0%}); "  # type: ignore[arg-type]
            f"the largest has {largest}"
        )
        purity = group_purity(cursor, groups, data.causes)  # type: ignore[arg-type]
        print(f"grouped sessions sharing their group's most common true cause: {purity:.0%}\n")
        print_agreement(agreement(cursor, sample.sample_id, data.causes))

        if args.all:
            everyone = draw_sample(workspace, SampleRule(size=sample.drawn_from), config)
            compute_signals(cursor, everyone.sample_id, config)
            print(f"\nevery exited session ({everyone.size}):")
            print_agreement(agreement(cursor, everyone.sample_id, data.causes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
