"""The whole loop runs offline: import, sample, audit, report and export open no network socket."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest

from app.app import StripdownApp
from app.cli import main
from queries.workspace import Workspace
from tests.reliability_support import HOSTILE, load_corpus_generator, write_funnel_config

corpus = load_corpus_generator()

INTERNET_FAMILIES = {socket.AF_INET, socket.AF_INET6}


@pytest.fixture
def network_blocked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Make every attempt to open an internet socket or resolve a host name raise, and record it.

    Unix-domain sockets stay allowed because asyncio's event loop wakes itself through a local
    socket pair. HOME points at an empty folder, so an extension DuckDB fetched from the network
    would show up under HOME/.duckdb afterwards.
    """
    attempts: list[str] = []
    real_socket = socket.socket

    class GuardedSocket(real_socket):  # type: ignore[misc, valid-type]
        def __init__(self, family: Any = -1, type: Any = -1, proto: Any = -1, fileno: Any = None) -> None:
            if fileno is None and (family == -1 or family in INTERNET_FAMILIES):
                attempts.append(f"socket({family!r})")
                raise OSError("network access is blocked in this test")
            super().__init__(family, type, proto, fileno)

    def raising(name: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{name}{args!r}")
            raise OSError(f"{name} is blocked in this test")

        return blocked

    monkeypatch.setattr(socket, "socket", GuardedSocket)
    monkeypatch.setattr(socket, "create_connection", raising("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", raising("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", raising("gethostbyname"))
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return attempts


async def tag_two_sessions(path: Path) -> int:
    """Open the triage app under Pilot, tag two sessions by key, and return the tag count."""
    with Workspace.open(path, create=False) as workspace:
        app = StripdownApp(workspace, "offline")
        async with app.run_test(size=(140, 45)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("1")
            await pilot.press("4")
            await app.workers.wait_for_complete()
            await pilot.press("q")
        row = (
            workspace.cursor().execute("SELECT count(*) FROM tag_state WHERE auditor = 'offline'").fetchone()
        )
    assert row is not None
    return int(row[0])


def test_full_loop_offline(network_blocked: list[str], tmp_path: Path) -> None:
    export = corpus.write_large_export(tmp_path / "export.csv", sessions=30, events_per_session=10)
    workspace = tmp_path / "review.duckdb"
    config = write_funnel_config(tmp_path)
    markup = HOSTILE / "markup_in_every_field.csv"

    assert main(["import", str(export), str(markup), "-w", str(workspace), "--config", str(config)]) == 0
    assert main(["sample", "-w", str(workspace), "--last", "20"]) == 0
    assert asyncio.run(tag_two_sessions(workspace)) == 2
    for report_format in ("md", "html", "json"):
        report = tmp_path / f"report.{report_format}"
        assert main(["report", "-w", str(workspace), "--format", report_format, "-o", str(report)]) == 0
        assert report.stat().st_size > 0
    for export_format in ("csv", "parquet", "jsonl"):
        tagged = tmp_path / f"tags.{export_format}"
        assert main(["export", "-w", str(workspace), "--format", export_format, "-o", str(tagged)]) == 0
        assert tagged.stat().st_size > 0

    assert network_blocked == []
    assert not (tmp_path / "home" / ".duckdb").exists()


def test_guard_blocks_internet_sockets(network_blocked: list[str]) -> None:
    with pytest.raises(OSError, match="blocked"):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("localhost", 0))
    left, right = socket.socketpair()
    left.close()
    right.close()
    assert [attempt.split("(")[0] for attempt in network_blocked] == ["socket", "create_connection"]
