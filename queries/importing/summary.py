"""The options of an import and the summary it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from queries.config import Config
from queries.importing.mapping import Mapping
from queries.sessions import SessionCounts


@dataclass(frozen=True)
class ImportOptions:
    """User choices for an import. None means the config's value, or its default."""

    format: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    # Seconds of inactivity after which a session without an id is cut.
    session_gap: float | None = None
    # IANA time zone of times written without an offset.
    timezone: str | None = None
    # A config to store in the workspace and derive sessions with; None keeps the stored one.
    config: Config | None = None


@dataclass(frozen=True)
class FileSummary:
    """Outcome for one export file."""

    path: Path
    format: str
    rows_read: int = 0
    events_kept: int = 0
    duplicates: int = 0
    collisions: int = 0
    mapping: Mapping | None = None
    encoding: str = "utf-8"
    # Why nothing was read, such as "already imported on 2024-03-05 as events.csv".
    skipped: str | None = None


@dataclass(frozen=True)
class ImportSummary:
    """The outcome of one import."""

    files: tuple[FileSummary, ...]
    sessions: SessionCounts | None = None
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    notes: tuple[str, ...] = ()
    # The built-in defaults in force because no config was given or stored.
    defaults: tuple[str, ...] = ()

    @property
    def rows_read(self) -> int:
        """Rows read from all files."""
        return sum(item.rows_read for item in self.files)

    @property
    def events_kept(self) -> int:
        """Events added to the workspace."""
        return sum(item.events_kept for item in self.files)

    @property
    def duplicates(self) -> int:
        """Rows dropped because an event with the same id and content was already there."""
        return sum(item.duplicates for item in self.files)

    @property
    def collisions(self) -> int:
        """Rows kept although an event with the same id but other content was already there."""
        return sum(item.collisions for item in self.files)

    def lines(self) -> list[str]:
        """Return the summary as plain lines for a terminal."""
        imported = [item for item in self.files if item.skipped is None]
        lines = [
            f"files: {len(self.files)} ({len(imported)} imported, {len(self.files) - len(imported)} skipped)",
            f"rows read: {self.rows_read:,}",
            f"events kept: {self.events_kept:,}",
            f"duplicates dropped: {self.duplicates:,}",
            f"id collisions kept: {self.collisions:,}",
        ]
        if self.sessions is not None:
            counts = self.sessions
            lines.append(
                f"sessions: {counts.sessions:,} ({counts.entered:,} entered the funnel, "
                f"{counts.exited:,} exited, {counts.converted:,} converted)"
            )
        if self.first_ts is not None and self.last_ts is not None:
            lines.append(f"time span: {_utc(self.first_ts)} to {_utc(self.last_ts)}")
        for item in self.files:
            lines.append(_file_line(item))
        lines.extend(f"note: {note}" for note in self.notes)
        if self.defaults:
            lines.append(
                "no config given; built-in defaults assumed (pass --config stripdown.toml to change them):"
            )
            lines.extend(f"  {default}" for default in self.defaults)
        return lines


def format_duration(seconds: float) -> str:
    """Return seconds as the config writes durations, such as "30m", "2h" or "45s"."""
    if seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    if seconds % 60 == 0:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _file_line(item: FileSummary) -> str:
    if item.skipped is not None:
        return f"{item.path}: skipped, {item.skipped}"
    details = f"{item.format}"
    if item.encoding != "utf-8":
        details += f", {item.encoding}"
    text = f"{item.path} ({details}): {item.rows_read:,} rows, {item.events_kept:,} events kept"
    if item.mapping is not None:
        text += f"\n  mapping: {item.mapping.describe()}"
    return text
