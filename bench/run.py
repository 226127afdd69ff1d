"""Benchmark stripdown against baselines measured in the same run, and write docs/benchmarks.md.

    python3 bench/run.py [--events 1000000|10000000] [--quick] [--repeat N] [--cache DIR] [-o FILE]

The export comes from the sample_data generator and is cached outside the repository (under the
user's cache folder, or --cache). Every program is timed as a child process, the baselines too, so
that start-up costs count the same on both sides. `--quick` runs 10,000 events once and writes to a
temporary file unless -o is given; the test suite runs it so the benchmark keeps working.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import measures
import platformdirs
from measures import ROOT, BenchError, child_env, run_child, stripdown
from results import Measure, describe_machine, median, render_results, write_page

DEFAULT_EVENTS = 1_000_000
QUICK_EVENTS = 10_000
DEFAULT_REPEAT = 3
DEFAULT_KEYS = 200
QUICK_KEYS = 20
TAG_WRITES = 200
PAGE = ROOT / "docs" / "benchmarks.md"
PAGE_TITLE = "Benchmarks"


def build_parser() -> argparse.ArgumentParser:
    """Build the command line."""
    parser = argparse.ArgumentParser(
        prog="python3 bench/run.py",
        description="Measure import, first screen, key latency, tag writes, report and memory against "
        "baselines run on the same machine in the same run, and write the results as Markdown.",
    )
    parser.add_argument(
        "--events",
        type=int,
        default=None,
        help=f"events in the generated export (default {DEFAULT_EVENTS:,})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_EVENTS:,} events, one repetition, {QUICK_KEYS} key presses; "
        "results go to a temporary file unless -o is given",
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help=f"runs of every measure (default {DEFAULT_REPEAT})"
    )
    parser.add_argument(
        "--keys", type=int, default=None, help=f"key presses per review session (default {DEFAULT_KEYS})"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="folder for generated exports (default: the user's cache folder)",
    )
    parser.add_argument(
        "--visidata-timeout",
        type=float,
        default=900.0,
        help="seconds VisiData may take to load (default 900)",
    )
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help=f"Markdown file to write (default {PAGE})"
    )
    return parser


def generator_fingerprint() -> str:
    """Return a short hash of the generator's sources, so a changed generator makes new exports."""
    digest = hashlib.sha256()
    folder = ROOT / "sample_data"
    for path in sorted([*folder.glob("*.py"), *folder.glob("*.sql")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def cached_export(cache: Path, events: int, file_format: str, fingerprint: str) -> Path:
    """Return the generated export of about `events` events, generating it when it is not cached."""
    suffix = "parquet" if file_format == "parquet" else "csv"
    export = cache / f"checkout-{events}-{fingerprint}.{suffix}"
    if export.exists():
        return export
    cache.mkdir(parents=True, exist_ok=True)
    # Generate into a scratch folder and move the file in, so an interrupted run leaves no half file.
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        partial = Path(scratch) / export.name
        command = [sys.executable, "-m", "sample_data.generate", "--events", str(events)]
        command += ["--format", file_format, "-o", str(partial)]
        print(f"generating {export.name}", file=sys.stderr)
        subprocess.run(command, check=True, env=child_env(), stdout=subprocess.DEVNULL)
        partial.rename(export)
    return export


def export_counts(export: Path) -> tuple[int, int]:
    """Return the events and sessions of a generated Parquet export."""
    with duckdb.connect() as connection:
        row = connection.execute(
            "SELECT count(*), count(DISTINCT session_id) FROM read_parquet(?)", [str(export)]
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def step(name: str) -> float:
    """Print the step being run and return its start time."""
    print(f"[{time.strftime('%H:%M:%S')}] {name}", file=sys.stderr, flush=True)
    return time.perf_counter()


def run_measures(
    csv: Path, parquet: Path, events: int, workdir: Path, repeat: int, presses: int, visidata_timeout: float
) -> tuple[list[Measure], list, list[str]]:
    """Run every measure in order; the CSV workspace carries on from one measure to the next."""
    workspace = workdir / "review.duckdb"
    step("import CSV")
    csv_import, import_memory = measures.measure_import(csv, "CSV", events, workdir, repeat, workspace)
    step("import Parquet")
    parquet_import, _ = measures.measure_import(parquet, "Parquet", events, workdir, repeat, None)
    step("draw the sample")
    run_child(stripdown("sample", "-w", str(workspace)))
    step("first open")
    first_open = measures.measure_first_open(workspace)
    step("reopen")
    reopen = measures.measure_reopen(workspace, repeat)
    step("keys")
    keys, review_memory = measures.measure_keys(workspace, repeat, presses)
    step("report")
    reports = measures.measure_report(workspace, workdir, repeat)
    step("tag write")
    tag_write = measures.measure_tag_write(workspace, TAG_WRITES)
    step("other tools")
    import_seconds = events / median(csv_import.values)
    others, notes = measures.measure_other_tools(
        csv, import_seconds, median(import_memory), repeat, visidata_timeout
    )
    found = [csv_import, parquet_import, first_open, reopen, tag_write, *reports]
    found += measures.memory_measures(import_memory, review_memory)
    return [*found, *others], keys, notes


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write its page."""
    args = build_parser().parse_args(argv)
    events = args.events or (QUICK_EVENTS if args.quick else DEFAULT_EVENTS)
    repeat = args.repeat or (1 if args.quick else DEFAULT_REPEAT)
    presses = args.keys or (QUICK_KEYS if args.quick else DEFAULT_KEYS)
    cache = args.cache or platformdirs.user_cache_path("stripdown") / "bench"
    output = args.output
    if output is None:
        output = Path(tempfile.mkdtemp(prefix="stripdown-bench-")) / "benchmarks.md" if args.quick else PAGE
    command = "python3 bench/run.py " + shlex.join(argv if argv is not None else sys.argv[1:])

    machine = describe_machine()
    step(f"exports of {events:,} events in {cache}")
    # One fingerprint for both files, so they come from the same generator even if it changes meanwhile.
    fingerprint = generator_fingerprint()
    csv = cached_export(cache, events, "csv", fingerprint)
    parquet = cached_export(cache, events, "parquet", fingerprint)
    event_count, session_count = export_counts(parquet)
    workdir = Path(tempfile.mkdtemp(prefix="work-", dir=cache))
    try:
        found, keys, notes = run_measures(
            csv, parquet, event_count, workdir, repeat, presses, args.visidata_timeout
        )
    except BenchError as error:
        print(f"bench/run.py: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    machine.load_after = os.getloadavg()

    results = render_results(machine, command.strip(), event_count, session_count, found, keys, notes)
    write_page(output, results, PAGE_TITLE)
    print(results)
    print(f"wrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
