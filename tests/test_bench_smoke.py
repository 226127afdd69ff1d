"""Run the benchmark at its smallest size, so it keeps working as the product changes.

Only that it finishes and reports every measure is checked: timings on a shared machine vary too much
to assert.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE_NAMES = (
    "`stripdown import`, CSV",
    "`stripdown import`, Parquet",
    "first open after a new sample",
    "reopen a workspace",
    "| tag + advance |",
    "| move |",
    "| undo |",
    "| every key |",
    "tag write in the key handler",
    "`stripdown report --format json`, from scratch",
    "`stripdown report --format json`, again",
    "peak memory of `stripdown import`, CSV",
    "peak memory of a review session",
    "pandas",
    "VisiData",
)


def test_quick_benchmark_reports_every_measure(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--cache", str(tmp_path / "cache")]
    finished = subprocess.run(
        [*command, "-o", str(page)], capture_output=True, text=True, timeout=600, check=False
    )

    assert finished.returncode == 0, finished.stderr[-2000:]
    text = page.read_text(encoding="utf-8")
    for name in MEASURE_NAMES:
        assert name in text, f"{name!r} missing from the benchmark page"
    assert "Machine: " in text
    assert "Load average" in text
