"""Sessions derived from the hand-made checkout export: stages, exits, labels and URL matching."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from queries.config import Stage, parse_config
from queries.sample import SampleRule, draw_sample
from queries.sessions import NO_FUNNEL_NOTE, derive_sessions, url_globs
from queries.workspace import Workspace
from tests.model_workspace import CONFIG, EXPORT, copy_workspace, run_cli

COLUMNS = (
    "session_id, events, channel, device, landing_url, exit_url, last_event, furthest_stage, "
    "furthest_stage_index, entered, converted, exited, exit_stage, label"
)


def _sessions(path: Path) -> dict[str, dict[str, object]]:
    with Workspace.open(path, create=False) as workspace:
        cursor = workspace.cursor().execute(f"SELECT {COLUMNS} FROM sessions ORDER BY session_id")
        names = [column[0] for column in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _import(folder: Path, *options: str | Path) -> tuple[Path, str]:
    path = folder / "review.duckdb"
    result = run_cli("import", EXPORT, "-w", path, *options)
    assert result.returncode == 0, result.stderr
    return path, result.stdout


@pytest.fixture(scope="module")
def checkout_import(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The checkout export imported with its funnel config, and the import's output."""
    return _import(tmp_path_factory.mktemp("checkout"), "--config", CONFIG)


@pytest.fixture(scope="module")
def plain_import(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The checkout export imported without a config, and the import's output."""
    return _import(tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="module")
def checkout_path(checkout_import: tuple[Path, str]) -> Path:
    return checkout_import[0]


@pytest.fixture(scope="module")
def checkout(checkout_path: Path) -> dict[str, dict[str, object]]:
    return _sessions(checkout_path)


@pytest.fixture(scope="module")
def scratch_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    with Workspace.open(tmp_path_factory.mktemp("scratch") / "scratch.duckdb") as opened:
        yield opened


@pytest.fixture
def scratch(scratch_workspace: Workspace) -> Workspace:
    """An empty workspace shared by the tests of this module, emptied before each one."""
    scratch_workspace.cursor().execute("DELETE FROM events")
    scratch_workspace.cursor().execute("DELETE FROM sessions")
    return scratch_workspace


def test_every_session_derived(checkout: dict[str, dict[str, object]]) -> None:
    assert sorted(checkout) == ["s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08"]


@pytest.mark.parametrize(
    ("session_id", "entered", "converted", "exited", "exit_stage"),
    [
        ("s01", True, False, True, "cart"),
        ("s02", True, True, False, None),
        ("s03", False, False, False, None),
        ("s04", True, False, True, "checkout"),
        ("s05", True, False, True, "product"),
        ("s06", True, False, True, "checkout"),
        ("s07", True, False, True, "cart"),
        ("s08", False, False, False, None),
    ],
)
def test_funnel_outcome_per_session(
    checkout: dict[str, dict[str, object]],
    session_id: str,
    entered: bool,
    converted: bool,
    exited: bool,
    exit_stage: str | None,
) -> None:
    session = checkout[session_id]
    assert session["entered"] is entered
    assert session["converted"] is converted
    assert session["exited"] is exited
    assert session["exit_stage"] == exit_stage


def test_furthest_stage_without_first_stage(checkout: dict[str, dict[str, object]]) -> None:
    # s08 went straight to the cart: it reached a stage but never entered the funnel.
    assert checkout["s08"]["furthest_stage"] == "cart"
    assert checkout["s08"]["furthest_stage_index"] == 1
    assert checkout["s03"]["furthest_stage"] is None


def test_label_is_last_non_empty(checkout: dict[str, dict[str, object]]) -> None:
    assert checkout["s01"]["label"] == "price_shock"
    assert checkout["s04"]["label"] == "payment_error"
    assert checkout["s07"]["label"] == "timeout"


def test_label_falls_back_to_exit_stage(checkout: dict[str, dict[str, object]]) -> None:
    assert checkout["s05"]["label"] == "exited at product"
    assert checkout["s02"]["label"] is None


def test_first_non_empty_channel_and_device(checkout: dict[str, dict[str, object]]) -> None:
    assert checkout["s07"]["channel"] == "mail"
    assert checkout["s07"]["device"] == "tablet"
    assert checkout["s01"]["channel"] == "ads"
    assert checkout["s01"]["device"] == "mobile"


def test_landing_exit_and_last_event(checkout: dict[str, dict[str, object]]) -> None:
    s01 = checkout["s01"]
    assert s01["landing_url"] == "https://shop.example/product/42?ref=mail"
    assert s01["exit_url"] == "https://shop.example/cart"
    assert s01["last_event"] == "click"
    assert s01["events"] == 3
    # Two events of s07 share the last second, so the export's row order decides the last one.
    assert checkout["s07"]["last_event"] == "click"


def test_times_span_the_events(checkout_path: Path) -> None:
    with Workspace.open(checkout_path, create=False) as workspace:
        row = (
            workspace.cursor()
            .execute("SELECT started_at, ended_at FROM sessions WHERE session_id = 's04'")
            .fetchone()
        )
    assert row == (datetime(2024, 5, 2, 9, 0, tzinfo=UTC), datetime(2024, 5, 2, 9, 4, tzinfo=UTC))


def test_no_funnel_counts_all_as_exits(plain_import: tuple[Path, str], tmp_path: Path) -> None:
    workspace_path = copy_workspace(plain_import[0], tmp_path)
    with Workspace.open(workspace_path, create=False) as workspace, workspace.transaction() as cursor:
        counts = derive_sessions(cursor, workspace.config)
    assert counts.sessions == 8
    assert counts.entered == 8
    assert counts.exited == 8
    assert counts.converted == 0
    assert counts.note == NO_FUNNEL_NOTE
    sessions = _sessions(workspace_path)
    assert sessions["s05"]["label"] == "exited at /product/1"
    assert sessions["s01"]["label"] == "price_shock"


def test_import_says_no_funnel(plain_import: tuple[Path, str]) -> None:
    assert NO_FUNNEL_NOTE in plain_import[1]


def test_import_counts_exits(checkout_import: tuple[Path, str]) -> None:
    assert "sessions: 8 (6 entered the funnel, 5 exited, 1 converted)" in checkout_import[1]
    assert NO_FUNNEL_NOTE not in checkout_import[1]


def test_note_when_nobody_enters(scratch: Workspace) -> None:
    scratch.cursor().execute(
        """
        INSERT INTO events (event_id, session_id, ts, event, url, source_file, import_id, row_number, content_hash)
        VALUES ('e1', 'a', TIMESTAMPTZ '2024-01-01 10:00:00+00', 'page_view', '/home', 'f', 1, 1, 0)
        """
    )
    config = parse_config(
        '[funnel]\nstages = [{ name = "cart", url = "/cart" }, { name = "paid", event = "paid" }]'
    )
    with scratch.transaction() as cursor:
        counts = derive_sessions(cursor, config)
    assert counts.entered == 0
    assert counts.note is not None
    assert "'cart'" in counts.note


def test_derive_replaces_old_sessions(checkout_path: Path, tmp_path: Path) -> None:
    workspace_path = copy_workspace(checkout_path, tmp_path)
    with Workspace.open(workspace_path, create=False) as workspace:
        with workspace.transaction() as cursor:
            cursor.execute("DELETE FROM events WHERE session_id = 's08'")
            counts = derive_sessions(cursor, workspace.config)
        assert counts.sessions == 7
        assert counts.exited == 5


def _label_of(workspace: Workspace, properties: str, label_column: str) -> str | None:
    workspace.cursor().execute(
        """
        INSERT INTO events (event_id, session_id, ts, event, url, properties, source_file, import_id,
                            row_number, content_hash)
        VALUES ('e1', 'p', TIMESTAMPTZ '2024-01-01 10:00:00+00', 'page_view', '/cart', ?, 'f', 1, 1, 0)
        """,
        [properties],
    )
    config = parse_config(
        f'[label]\ncolumn = "{label_column}"\n[funnel]\nstages = [{{ name = "cart", url = "/cart" }}, '
        '{ name = "paid", event = "paid" }]'
    )
    with workspace.transaction() as cursor:
        derive_sessions(cursor, config)
    row = workspace.cursor().execute("SELECT label FROM sessions WHERE session_id = 'p'").fetchone()
    assert row is not None
    return row[0]


def test_label_from_event_property(scratch: Workspace) -> None:
    assert _label_of(scratch, '{"exit reason": "coupon failed"}', "exit reason") == "coupon failed"


def test_label_property_with_dot(scratch: Workspace) -> None:
    assert _label_of(scratch, '{"ga.exit": "timeout"}', "ga.exit") == "timeout"


def test_blank_label_property_ignored(scratch: Workspace) -> None:
    assert _label_of(scratch, '{"exit reason": "  "}', "exit reason") == "exited at cart"


# URL matching: each case is (pattern, URL, expected match).
URL_CASES = [
    ("/cart", "https://shop.example/cart", True),
    ("/cart", "https://shop.example:8443/cart?coupon=1", True),
    ("/cart", "//cdn.example/cart", True),
    ("/cart", "/cart#top", True),
    ("/cart", "/cart/", False),
    ("/cart*", "/cart/items", True),
    ("/product/*", "/product/42?ref=mail", True),
    ("/product/*", "/products", False),
    ("*/confirm", "/en/checkout/confirm", True),
    ("/item/[0-9]*", "/item/7", True),
    ("/item/[0-9]*", "/item/x", False),
    ("/checkout?step=2", "/checkout?step=2", True),
    ("/checkout?step=2", "/checkout?step=3", False),
    ("/checkout?step=2", "/checkout", False),
    ("/checkout?*step=2*", "/checkout?a=1&step=2&b=3", True),
    ("/checkout?", "/checkout", True),
    ("/checkout?", "/checkout?a=1", False),
    ("/", "https://shop.example", True),
    ("/", "https://shop.example/?utm=1", True),
]


@pytest.mark.parametrize(("pattern", "url", "expected"), URL_CASES)
def test_url_pattern_matching(scratch: Workspace, pattern: str, url: str, expected: bool) -> None:
    scratch.cursor().execute(
        """
        INSERT INTO events (event_id, session_id, ts, event, url, source_file, import_id, row_number, content_hash)
        VALUES ('e1', 'u', TIMESTAMPTZ '2024-01-01 10:00:00+00', 'page_view', ?, 'f', 1, 1, 0)
        """,
        [url],
    )
    config = parse_config(
        f'[funnel]\nstages = [{{ name = "one", url = "{pattern}" }}, {{ name = "two", event = "x" }}]'
    )
    with scratch.transaction() as cursor:
        counts = derive_sessions(cursor, config)
    assert counts.entered == (1 if expected else 0)


def test_event_and_url_both_needed(scratch: Workspace) -> None:
    scratch.cursor().executemany(
        """
        INSERT INTO events (event_id, session_id, ts, event, url, source_file, import_id, row_number, content_hash)
        VALUES (?, ?, TIMESTAMPTZ '2024-01-01 10:00:00+00', ?, ?, 'f', 1, 1, 0)
        """,
        [
            ["e1", "both", "submit", "/cart"],
            ["e2", "event_only", "submit", "/home"],
            ["e3", "url_only", "view", "/cart"],
        ],
    )
    config = parse_config(
        '[funnel]\nstages = [{ name = "submit", event = "submit", url = "/cart" }, { name = "paid", event = "paid" }]'
    )
    with scratch.transaction() as cursor:
        derive_sessions(cursor, config)
    rows = scratch.cursor().execute("SELECT session_id FROM sessions WHERE entered ORDER BY 1").fetchall()
    assert rows == [("both",)]


def test_event_name_matches_exactly(scratch: Workspace) -> None:
    scratch.cursor().executemany(
        """
        INSERT INTO events (event_id, session_id, ts, event, source_file, import_id, row_number, content_hash)
        VALUES (?, ?, TIMESTAMPTZ '2024-01-01 10:00:00+00', ?, 'f', 1, 1, 0)
        """,
        [["e1", "exact", "add_to_cart"], ["e2", "case", "Add_To_Cart"], ["e3", "longer", "add_to_cart_x"]],
    )
    config = parse_config(
        '[funnel]\nstages = [{ name = "cart", event = "add_to_cart" }, { name = "paid", event = "paid" }]'
    )
    with scratch.transaction() as cursor:
        derive_sessions(cursor, config)
    rows = scratch.cursor().execute("SELECT session_id FROM sessions WHERE entered ORDER BY 1").fetchall()
    assert rows == [("exact",)]


def test_url_globs_split_query() -> None:
    assert url_globs(Stage("a", url="/cart")) == ("/cart", None)
    assert url_globs(Stage("a", url="/c?step=2")) == ("/c", "step=2")
    assert url_globs(Stage("a", url="/c?x=?")) == ("/c", "x=[?]")
    assert url_globs(Stage("a", event="e")) == (None, None)


def test_config_command_rederives(plain_import: tuple[Path, str], tmp_path: Path) -> None:
    workspace_path = copy_workspace(plain_import[0], tmp_path)
    result = run_cli("config", "-w", workspace_path, CONFIG)
    assert result.returncode == 0, result.stderr
    assert "exited: 5 (was 8)" in result.stdout
    assert "converted: 1 (was 0)" in result.stdout
    assert _sessions(workspace_path)["s02"]["converted"] is True


def test_config_command_same_file(checkout_path: Path) -> None:
    result = run_cli("config", "-w", checkout_path, CONFIG)
    assert result.returncode == 0, result.stderr
    assert "nothing changed" in result.stdout


def test_config_change_flags_stale_sample(checkout_path: Path, tmp_path: Path) -> None:
    workspace_path = copy_workspace(checkout_path, tmp_path)
    with Workspace.open(workspace_path, create=False) as workspace:
        draw_sample(workspace, SampleRule())
    shorter = tmp_path / "shorter.toml"
    # With the cart as the conversion, s01 and s07 convert and leave the sample's exits.
    shorter.write_text(
        '[funnel]\nstages = [{ name = "product", url = "/product/*" }, { name = "cart", url = "/cart" }]\n'
    )
    result = run_cli("config", "-w", workspace_path, shorter)
    assert result.returncode == 0, result.stderr
    assert "sessions of the active sample no longer count as exited" in result.stdout
