"""Golden Markdown and JSON reports of the bundled sample, with every sampled session tagged by a fixed rule.

The workspace is built through the real CLI: import the bundled export with its config, and draw
the default sample (the last 500 exited sessions). Each sampled session is then tagged with the
cause the generator recorded in sample_data/true_causes.csv, except every twentieth session of the
sample, which stays untagged. The time spent tagging depends on the clock, so it is left out of the
comparison. After a deliberate change to the report or to the bundled sample, rewrite the golden
files with:

    STRIPDOWN_UPDATE_GOLDEN=1 python3 -m pytest tests/test_report_golden.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "sample_data"
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("STRIPDOWN_UPDATE_GOLDEN") == "1"


def stripdown(*args: str | Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("golden")
    workspace = folder / "sample.duckdb"
    stripdown(
        "import",
        SAMPLE_DATA / "checkout_events.csv.gz",
        "-w",
        workspace,
        "--config",
        SAMPLE_DATA / "stripdown.toml",
    )
    stripdown("sample", "-w", workspace)
    tags_file = folder / "tags.csv"
    with duckdb.connect(str(workspace), read_only=True) as connection:
        sampled_causes = connection.sql(
            """
            SELECT samples.session_id, causes.cause AS reason
            FROM samples
            JOIN read_csv(?, header = true, all_varchar = true) AS causes USING (session_id)
            WHERE samples.position % 20 <> 0
            ORDER BY samples.position
            """,
            params=[str(SAMPLE_DATA / "true_causes.csv")],
        )
        sampled_causes.write_csv(str(tags_file), header=True)
    stripdown("tags", "import", tags_file, "-w", workspace, "--auditor", "golden")
    return workspace


def without_pace_markdown(text: str) -> str:
    return re.sub(
        r"^- Time spent tagging: .*$",
        "- Time spent tagging: (depends on the clock)",
        text,
        flags=re.MULTILINE,
    )


def compare_with_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; create it with STRIPDOWN_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_markdown_matches_golden(sample_workspace: Path) -> None:
    text = stripdown("report", "-w", sample_workspace)
    assert "Time spent tagging: " in text
    compare_with_golden("report_sample.md", without_pace_markdown(text))


def test_json_matches_golden(sample_workspace: Path) -> None:
    data: dict[str, Any] = json.loads(stripdown("report", "-w", sample_workspace, "--format", "json"))
    seconds = data["pace"]["seconds"]
    assert isinstance(seconds, float) and seconds >= 0
    data["pace"] = {"seconds": "(depends on the clock)", "per_session": "(depends on the clock)"}
    compare_with_golden("report_sample.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def test_sample_report_figures(sample_workspace: Path) -> None:
    data = json.loads(stripdown("report", "-w", sample_workspace, "--format", "json"))
    # Positions 1-500 minus the 25 multiples of 20.
    assert data["sample"]["size"] == 500
    assert data["sample"]["tagged"] == 475
    assert sum(row["tagged"] for row in data["gap"]) == 475
    assert sum(row["sessions"] for row in data["crosstab"]) == 475
    assert all(len(ids) <= 5 for ids in data["examples"].values())
    assert len(data["exit_paths"]) == 10
