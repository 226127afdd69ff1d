"""Build small workspaces from the hand-made export in tests/data/model for the model tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MODEL_DATA = Path(__file__).resolve().parent / "data" / "model"
EXPORT = MODEL_DATA / "checkout.csv"
CONFIG = MODEL_DATA / "stripdown.toml"


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the real `stripdown` command line in a subprocess and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)], capture_output=True, text=True, check=False
    )


def build_workspace(path: Path, config_path: Path | None = CONFIG) -> Path:
    """Import the checkout export into a new workspace at `path` with `stripdown import`."""
    options = ["--config", config_path] if config_path else []
    result = run_cli("import", EXPORT, "-w", path, *options)
    if result.returncode != 0:
        raise AssertionError(f"stripdown import failed: {result.stderr}")
    return path


def copy_workspace(source: Path, folder: Path) -> Path:
    """Copy a closed workspace file into `folder`, so a test can change it without importing again."""
    copy = folder / source.name
    copy.write_bytes(source.read_bytes())
    return copy
