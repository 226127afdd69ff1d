"""Audit samples: last N, seeded random draws, proportional strata, time windows and errors."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from queries.config import parse_config
from queries.errors import StripdownError, UsageError
from queries.sample import SampleRule, active_sample_id, draw_sample, sample_session_ids
from queries.workspace import Workspace
from tests.model_workspace import build_workspace, copy_workspace, run_cli

START = datetime(2024, 3, 1, tzinfo=UTC)

_INSERT_SESSION = """
INSERT INTO sessions (session_id, started_at, ended_at, events, channel, device, entered, converted,
                      exited, exit_stage)
VALUES (?, ?, ?, 1, ?, ?, true, NOT ?, ?, ?)
"""


def _add_sessions(
    workspace: Workspace, rows: list[tuple[str, datetime, bool, str | None, str | None]]
) -> None:
    """Insert sessions as (session_id, ended_at, exited, stage, channel); the device is the channel reversed."""
    workspace.cursor().executemany(
        _INSERT_SESSION,
        [
            [
                session_id,
                ended_at,
                ended_at,
                channel,
                channel[::-1] if channel else None,
                exited,
                exited,
                stage,
            ]
            for session_id, ended_at, exited, stage, channel in rows
        ],
    )


def _strata_sessions(workspace: Workspace, sizes: dict[str, int]) -> None:
    rows = []
    for stratum, size in sizes.items():
        for index in range(size):
            moment = START + timedelta(minutes=len(rows))
            rows.append((f"{stratum}-{index:03d}", moment, True, stratum, f"ch-{stratum}"))
    _add_sessions(workspace, rows)


@pytest.fixture(scope="module")
def checkout_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workspace(tmp_path_factory.mktemp("checkout") / "review.duckdb")


@pytest.fixture
def checkout(checkout_path: Path, tmp_path: Path) -> Path:
    """A private copy of the checkout workspace, so each test draws its own samples."""
    return copy_workspace(checkout_path, tmp_path)


@pytest.fixture
def opened_checkout(checkout: Path) -> Iterator[Workspace]:
    with Workspace.open(checkout, create=False) as workspace:
        yield workspace


def test_last_newest_first(opened_checkout: Workspace) -> None:
    result = draw_sample(opened_checkout, SampleRule(size=3))
    assert sample_session_ids(opened_checkout.cursor(), result.sample_id) == ["s07", "s06", "s05"]
    assert result.size == 3
    assert result.drawn_from == 5
    assert result.note is None
    assert result.rule == "last 3 exited sessions by end time"


def test_more_than_exist_takes_all(opened_checkout: Workspace) -> None:
    result = draw_sample(opened_checkout, SampleRule())
    assert result.size == 5
    assert result.note == "the sample size is 500 but only 5 exited sessions exist; took all"
    ids = sample_session_ids(opened_checkout.cursor(), result.sample_id)
    assert ids == ["s07", "s06", "s05", "s04", "s01"]


def test_last_ties_by_session_id(workspace: Workspace) -> None:
    same = START + timedelta(hours=1)
    _add_sessions(
        workspace,
        [("b", same, True, "cart", None), ("a", same, True, "cart", None), ("c", START, True, "cart", None)],
    )
    result = draw_sample(workspace, SampleRule(size=2))
    assert sample_session_ids(workspace.cursor(), result.sample_id) == ["a", "b"]


def test_only_exited_sessions_drawn(workspace: Workspace) -> None:
    _add_sessions(workspace, [("exit", START, True, "cart", None), ("paid", START, False, None, None)])
    result = draw_sample(workspace, SampleRule(size=10))
    assert sample_session_ids(workspace.cursor(), result.sample_id) == ["exit"]


def test_random_seed_repeats(workspace: Workspace) -> None:
    _strata_sessions(workspace, {"cart": 100})
    first = draw_sample(workspace, SampleRule(kind="random", size=10, seed=7))
    second = draw_sample(workspace, SampleRule(kind="random", size=10, seed=7))
    other = draw_sample(workspace, SampleRule(kind="random", size=10, seed=8))
    cursor = workspace.cursor()
    assert sample_session_ids(cursor, first.sample_id) == sample_session_ids(cursor, second.sample_id)
    assert sample_session_ids(cursor, first.sample_id) != sample_session_ids(cursor, other.sample_id)
    assert len(set(sample_session_ids(cursor, first.sample_id))) == 10
    assert first.rule == "random 10 exited sessions, seed 7"


def test_random_is_not_newest(workspace: Workspace) -> None:
    _strata_sessions(workspace, {"cart": 100})
    result = draw_sample(workspace, SampleRule(kind="random", size=10, seed=1))
    newest = [f"cart-{index:03d}" for index in range(99, 89, -1)]
    assert sample_session_ids(workspace.cursor(), result.sample_id) != newest


def test_random_without_seed_records_it(workspace: Workspace) -> None:
    _strata_sessions(workspace, {"cart": 50})
    result = draw_sample(workspace, SampleRule(kind="random", size=5))
    match = re.fullmatch(r"random 5 exited sessions, seed (\d+)", result.rule)
    assert match is not None
    again = draw_sample(workspace, SampleRule(kind="random", size=5, seed=int(match.group(1))))
    cursor = workspace.cursor()
    assert sample_session_ids(cursor, again.sample_id) == sample_session_ids(cursor, result.sample_id)


@pytest.mark.parametrize(
    ("sizes", "size", "expected"),
    [
        ({"a": 50, "b": 30, "c": 20}, 10, {"a": 5, "b": 3, "c": 2}),
        # 3.5, 2.1 and 1.4 seats: the floors give 6, and the largest remainder (a) takes the 7th.
        ({"a": 50, "b": 30, "c": 20}, 7, {"a": 4, "b": 2, "c": 1}),
        # 0.5 seats each: the two larger strata win the ties, then the name decides.
        ({"a": 1, "b": 1, "c": 1, "d": 1}, 2, {"a": 1, "b": 1}),
        ({"big": 97, "tiny": 3}, 10, {"big": 10}),
        ({"big": 94, "small": 6}, 10, {"big": 9, "small": 1}),
        # 9.5 and 0.5 seats: the tie on the remainder goes to the larger stratum.
        ({"big": 95, "small": 5}, 10, {"big": 10}),
    ],
)
def test_stratified_allocation(
    workspace: Workspace, sizes: dict[str, int], size: int, expected: dict[str, int]
) -> None:
    _strata_sessions(workspace, sizes)
    result = draw_sample(workspace, SampleRule(size=size, stratify="stage"))
    cursor = workspace.cursor()
    sql = "SELECT s.exit_stage FROM samples AS m JOIN sessions AS s USING (session_id) WHERE m.sample_id = ?"
    rows = cursor.execute(sql, [result.sample_id]).fetchall()
    assert Counter(row[0] for row in rows) == expected
    assert result.rule == f"last {size} exited sessions by end time, stratified by stage"


def test_stratified_picks_newest_per_stratum(workspace: Workspace) -> None:
    _strata_sessions(workspace, {"a": 10, "b": 10})
    result = draw_sample(workspace, SampleRule(size=4, stratify="channel"))
    assert sample_session_ids(workspace.cursor(), result.sample_id) == ["b-009", "b-008", "a-009", "a-008"]


def test_stratified_random_by_device(workspace: Workspace) -> None:
    _strata_sessions(workspace, {"a": 60, "b": 40})
    result = draw_sample(workspace, SampleRule(kind="random", size=10, seed=3, stratify="device"))
    ids = sample_session_ids(workspace.cursor(), result.sample_id)
    assert Counter(session_id[0] for session_id in ids) == {"a": 6, "b": 4}


def test_missing_stratum_value_is_a_stratum(workspace: Workspace) -> None:
    rows = [(f"n{index}", START + timedelta(minutes=index), True, "cart", None) for index in range(5)]
    rows += [(f"m{index}", START + timedelta(minutes=index), True, "cart", "mail") for index in range(5)]
    _add_sessions(workspace, rows)
    result = draw_sample(workspace, SampleRule(size=4, stratify="channel"))
    ids = sample_session_ids(workspace.cursor(), result.sample_id)
    assert Counter(session_id[0] for session_id in ids) == {"n": 2, "m": 2}


def test_since_until_bounds(opened_checkout: Workspace) -> None:
    rule = SampleRule(
        since=datetime(2024, 5, 2, 9, 4, tzinfo=UTC), until=datetime(2024, 5, 4, 8, 3, tzinfo=UTC)
    )
    result = draw_sample(opened_checkout, rule)
    assert sample_session_ids(opened_checkout.cursor(), result.sample_id) == ["s06", "s05", "s04"]
    assert result.drawn_from == 3
    assert "ended since 2024-05-02 09:04:00+00:00" in result.rule


def test_empty_window_error(opened_checkout: Workspace) -> None:
    rule = SampleRule(since=datetime(2025, 1, 1, tzinfo=UTC))
    with pytest.raises(StripdownError) as caught:
        draw_sample(opened_checkout, rule)
    assert "none of the 5 exited sessions ended in the range" in caught.value.message
    assert "2024-05-01 10:05:00+00:00" in caught.value.message
    assert active_sample_id(opened_checkout.cursor()) is None


def test_no_sessions_error(workspace: Workspace) -> None:
    with pytest.raises(StripdownError) as caught:
        draw_sample(workspace, SampleRule())
    assert "no sessions" in caught.value.message


def test_no_exits_error(workspace: Workspace) -> None:
    _add_sessions(workspace, [("paid", START, False, None, None)])
    config = parse_config(
        '[funnel]\nstages = [{ name = "cart", url = "/cart" }, { name = "paid", event = "paid" }]'
    )
    with pytest.raises(StripdownError) as caught:
        draw_sample(workspace, SampleRule(), config)
    assert "all 1 sessions that reached 'cart' also reached 'paid'" in caught.value.message


def test_every_sample_kept(opened_checkout: Workspace) -> None:
    first = draw_sample(opened_checkout, SampleRule(size=2))
    second = draw_sample(opened_checkout, SampleRule(size=3))
    cursor = opened_checkout.cursor()
    assert (first.sample_id, second.sample_id) == (1, 2)
    assert active_sample_id(cursor) == 2
    assert sample_session_ids(cursor, 1) == ["s07", "s06"]
    assert len(sample_session_ids(cursor, 2)) == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "newest"}, "expected last or random"),
        ({"size": 0}, "at least 1"),
        ({"seed": 3}, "only applies to a random sample"),
        ({"stratify": "country"}, "stage, channel, device"),
        (
            {"since": datetime(2024, 2, 1, tzinfo=UTC), "until": datetime(2024, 1, 1, tzinfo=UTC)},
            "later than --until",
        ),
    ],
)
def test_invalid_rule(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        SampleRule(**arguments)  # type: ignore[arg-type]
    assert message in caught.value.message


def test_cli_last(checkout: Path) -> None:
    result = run_cli("sample", "-w", checkout, "--last", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "sample 1: last 3 exited sessions by end time"
    assert lines[1] == "3 sessions, drawn from 5 exited sessions"


def test_cli_default_takes_all(checkout: Path) -> None:
    result = run_cli("sample", "-w", checkout)
    assert result.returncode == 0, result.stderr
    assert "note: the sample size is 500 but only 5 exited sessions exist; took all" in result.stdout


def test_cli_dates_cover_whole_days(checkout: Path) -> None:
    result = run_cli("sample", "-w", checkout, "--since", "2024-05-03", "--until", "2024-05-04")
    assert result.returncode == 0, result.stderr
    with Workspace.open(checkout, create=False) as workspace:
        assert sample_session_ids(workspace.cursor(), 1) == ["s06", "s05"]


def test_cli_dates_in_config_zone(workspace_path: Path) -> None:
    with Workspace.open(workspace_path) as workspace:
        workspace.save_config(parse_config('[import]\ntimezone = "Europe/Berlin"\n'))
        late = datetime(2024, 5, 3, 23, 30, tzinfo=UTC)
        _add_sessions(workspace, [("late", late, True, "cart", None), ("early", START, True, "cart", None)])
    # 23:30 UTC on 3 May is 01:30 on 4 May in Berlin.
    result = run_cli("sample", "-w", workspace_path, "--since", "2024-05-04")
    assert result.returncode == 0, result.stderr
    with Workspace.open(workspace_path, create=False) as workspace:
        assert sample_session_ids(workspace.cursor(), 1) == ["late"]


def test_cli_random_stratified(checkout: Path) -> None:
    result = run_cli("sample", "-w", checkout, "--random", "3", "--seed", "11", "--stratify", "stage")
    assert result.returncode == 0, result.stderr
    assert "sample 1: random 3 exited sessions, seed 11, stratified by stage" in result.stdout
    with Workspace.open(checkout, create=False) as workspace:
        stages = (
            workspace.cursor()
            .execute("SELECT s.exit_stage FROM samples JOIN sessions AS s USING (session_id) ORDER BY 1")
            .fetchall()
        )
    # Two cart, two checkout and one product exit: 1.2, 1.2 and 0.6 seats give one each.
    assert stages == [("cart",), ("checkout",), ("product",)]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--last", "0"], "not a whole number of at least 1"),
        (["--last", "ten"], "not a whole number of at least 1"),
        (["--seed", "4"], "--seed only applies to a random sample"),
        (["--last", "3", "--random", "3"], "not allowed with argument"),
        (["--since", "yesterday"], "--since 'yesterday' is invalid"),
        (["--since", "2024-05-05", "--until", "2024-05-01"], "later than --until"),
        (["--stratify", "country"], "invalid choice"),
    ],
)
def test_cli_usage_errors(checkout: Path, arguments: list[str], message: str) -> None:
    result = run_cli("sample", "-w", checkout, *arguments)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_missing_workspace(tmp_path: Path) -> None:
    result = run_cli("sample", "-w", tmp_path / "absent.duckdb")
    assert result.returncode == 1
    assert "not found" in result.stderr
    assert not (tmp_path / "absent.duckdb").exists()
