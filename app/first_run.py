"""`stripdown` with no arguments: open the triage screen on the bundled sample export.

The first run imports sample_data/checkout_events.csv.gz with sample_data/stripdown.toml into a
workspace in the user's data folder and draws the default sample; later runs reopen that workspace,
with the tags made so far.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

import platformdirs

from app.commands.audit_cmd import open_app
from app.commands.options import default_auditor
from queries.config import load_config
from queries.errors import StripdownError
from queries.workspace import opened

BUNDLED_EXPORT = "checkout_events.csv.gz"
BUNDLED_CONFIG = "stripdown.toml"
WORKSPACE_NAME = "bundled-sample.duckdb"
# The default audit sample: the last 500 exited sessions.
SAMPLE_SIZE = 500


def bundled_workspace_path() -> Path:
    """Return where the bundled sample's workspace lives (platformdirs' user data folder)."""
    return platformdirs.user_data_path("stripdown", appauthor=False) / WORKSPACE_NAME


def open_bundled_sample() -> int:
    """Build the bundled sample's workspace on the first run, then open the app on it."""
    path = bundled_workspace_path()
    if not path.exists():
        build_bundled_workspace(path)
    with opened(path) as workspace:
        open_app(workspace, default_auditor())
    return 0


def build_bundled_workspace(path: Path) -> None:
    """Import the bundled export and draw the default sample into a new workspace at `path`.

    The workspace is built under a temporary name and renamed when complete, so an interrupted
    first run leaves nothing that a later run would mistake for a finished workspace.
    """
    from queries.importing import ImportOptions, import_exports
    from queries.sample import SampleRule, draw_sample

    export, config_path = _bundled_files()
    config = load_config(config_path)
    _make_folder(path.parent)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, partial.with_name(partial.name + ".wal")):
        leftover.unlink(missing_ok=True)
    print(f"stripdown: first run: importing the bundled sample export into {path}", file=sys.stderr)
    with opened(partial, create=True) as workspace:
        import_exports(workspace, [export], ImportOptions(config=config))
        workspace.save_config(config)
        draw_sample(workspace, SampleRule(kind="last", size=SAMPLE_SIZE), config)
        workspace.cursor().execute("CHECKPOINT")
    os.replace(partial, path)


def _bundled_files() -> tuple[Path, Path]:
    folder = resources.files("sample_data")
    export = Path(str(folder.joinpath(BUNDLED_EXPORT)))
    config = Path(str(folder.joinpath(BUNDLED_CONFIG)))
    for required in (export, config):
        if not required.is_file():
            raise StripdownError(
                f"the bundled sample file {required} is missing from this installation; reinstall stripdown"
            )
    return export, config


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StripdownError(
            f"cannot create the data folder {folder} for the bundled sample ({error.strerror}); "
            "set XDG_DATA_HOME to a writable folder"
        ) from None
