"""Evidence signal rules at and around their thresholds, on hand-made sessions in a real workspace."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pytest

from queries.config import Config, Reason, Signals, parse_config
from queries.errors import StripdownError
from queries.signals import (
    compute_signals,
    refresh_signals,
    session_signals,
    strongest_signals,
    suggestion,
    suggestions,
)
from queries.workspace import Workspace

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
EVENT_COLUMNS = ("event", "url", "target", "status", "message", "user_agent", "duration_ms", "properties")


def add_session(
    cursor: duckdb.DuckDBPyConnection,
    session_id: str,
    events: list[dict[str, Any]],
    sample_id: int = 1,
) -> None:
    """Insert a session's events (each with `at`, seconds after T0), its derived row and its sample row."""
    base = cursor.execute("SELECT count(*) FROM events").fetchone()[0]
    rows = []
    for offset, event in enumerate(events):
        rows.append(
            [f"{session_id}-e{offset}", session_id, T0 + timedelta(seconds=event["at"])]
            + [event.get(column) for column in EVENT_COLUMNS]
            + ["export.csv", 1, base + offset, base + offset]
        )
    cursor.executemany(
        f"""
        INSERT INTO events (event_id, session_id, ts, {", ".join(EVENT_COLUMNS)},
                            source_file, import_id, row_number, content_hash)
        VALUES ({", ".join("?" * (len(EVENT_COLUMNS) + 7))})
        """,
        rows,
    )
    last = events[-1]
    cursor.execute(
        """
        INSERT INTO sessions (session_id, started_at, ended_at, events, exit_url, last_event,
                              entered, converted, exited)
        VALUES (?, ?, ?, ?, ?, ?, true, false, true)
        ON CONFLICT DO NOTHING
        """,
        [session_id, T0, T0 + timedelta(seconds=last["at"]), len(events), last.get("url"), last.get("event")],
    )
    position = cursor.execute("SELECT count(*) FROM samples WHERE sample_id = ?", [sample_id]).fetchone()[0]
    cursor.execute(
        "INSERT INTO samples VALUES (?, 'hand-made', ?, 0, ?, ?)", [sample_id, T0, position, session_id]
    )


def with_signals(**thresholds: Any) -> Config:
    """Return the default config with some signal thresholds changed."""
    return replace(Config(), signals=replace(Signals(), **thresholds))


def found(
    cursor: duckdb.DuckDBPyConnection, config: Config | None = None, sample_id: int = 1
) -> dict[str, set[str]]:
    """Compute the sample's signals and return the signal names found per session."""
    compute_signals(cursor, sample_id, config or Config())
    rows = cursor.execute(
        "SELECT session_id, signal FROM signals WHERE sample_id = ?", [sample_id]
    ).fetchall()
    by_session: dict[str, set[str]] = {}
    for session_id, signal in rows:
        by_session.setdefault(session_id, set()).add(signal)
    return by_session


def only(cursor: duckdb.DuckDBPyConnection, session_id: str, signal: str):
    """Return the one stored row of this signal for this session."""
    signals = [item for item in session_signals(cursor, 1, session_id) if item.signal == signal]
    assert len(signals) == 1, session_signals(cursor, 1, session_id)
    return signals[0]


@pytest.fixture
def cursor(workspace: Workspace) -> duckdb.DuckDBPyConnection:
    return workspace.cursor()


def clicks(target: str | None, *seconds: float) -> list[dict[str, Any]]:
    return [{"at": at, "event": "click", "url": "/cart", "target": target} for at in seconds]


# --- error ---------------------------------------------------------------------------------------


def test_error_status_threshold(cursor) -> None:
    add_session(cursor, "s499", [{"at": 0, "event": "request", "url": "/api/cart", "status": 499}])
    add_session(cursor, "s500", [{"at": 0, "event": "request", "url": "/api/cart", "status": 500}])
    add_session(cursor, "s503", [{"at": 0, "event": "request", "url": "/api/cart", "status": 503}])

    signals = found(cursor)

    assert "error" not in signals.get("s499", set())
    assert "error" in signals["s500"]
    assert "error" in signals["s503"]


def test_error_status_configurable(cursor) -> None:
    add_session(cursor, "s400", [{"at": 0, "event": "request", "url": "/api", "status": 400}])
    add_session(cursor, "s399", [{"at": 0, "event": "request", "url": "/api", "status": 399}])

    signals = found(cursor, with_signals(error_status=400))

    assert "error" in signals["s400"]
    assert "s399" not in signals


def test_error_description_names_method_and_submits(cursor) -> None:
    add_session(
        cursor,
        "s1",
        [
            {"at": 0, "event": "page_view", "url": "https://shop.example/signup?ref=ad"},
            {"at": 5, "event": "form_submit", "url": "/signup", "target": "form#signup"},
            {"at": 9, "event": "form_submit", "url": "/signup", "target": "form#signup"},
            {"at": 14, "event": "form_submit", "url": "/signup", "target": "form#signup"},
            {"at": 15, "event": "POST", "url": "https://shop.example/signup", "status": 500},
        ],
    )

    compute_signals(cursor, 1, Config())
    error = only(cursor, "s1", "error")

    assert error.description == "HTTP 500 on POST /signup after 3 submits"
    assert error.event_ids == ("s1-e4",)
    assert error.reason == "broken_code"


def test_error_event_names(cursor) -> None:
    add_session(
        cursor, "js", [{"at": 0, "event": "js_error", "url": "/pay", "message": "TypeError: x is undefined"}]
    )
    add_session(cursor, "exc", [{"at": 0, "event": "Exception", "url": "/pay"}])
    add_session(
        cursor, "valid", [{"at": 0, "event": "validation_error", "url": "/pay", "message": "Bad postcode"}]
    )
    add_session(cursor, "plain", [{"at": 0, "event": "page_view", "url": "/pay", "message": "Welcome"}])

    signals = found(cursor)

    assert "error" in signals["js"]
    assert "error" in signals["exc"]
    assert "valid" not in signals
    assert "plain" not in signals
    assert only(cursor, "js", "error").description == "js_error on /pay: TypeError: x is undefined"


def test_error_ignores_benign_browser_noise(cursor) -> None:
    noise = (
        "Script error.",
        "ResizeObserver loop completed with undelivered notifications.",
        "ResizeObserver loop limit exceeded",
        "Non-Error promise rejection captured with value: undefined",
    )
    for number, message in enumerate(noise):
        add_session(
            cursor, f"noise{number}", [{"at": 0, "event": "js_error", "url": "/pay", "message": message}]
        )
    add_session(
        cursor,
        "real",
        [{"at": 0, "event": "js_error", "url": "/pay", "message": "Script error in checkout.js"}],
    )
    add_session(
        cursor,
        "server",
        [{"at": 0, "event": "js_error", "url": "/pay", "message": "Script error.", "status": 500}],
    )

    signals = found(cursor)

    assert set(signals) == {"real", "server"}


def test_error_counts_repeats(cursor) -> None:
    add_session(
        cursor,
        "s1",
        [
            {"at": 0, "event": "request", "url": "/a", "status": 502},
            {"at": 1, "event": "request", "url": "/b", "status": 500},
        ],
    )

    compute_signals(cursor, 1, Config())
    error = only(cursor, "s1", "error")

    assert error.event_ids == ("s1-e0", "s1-e1")
    assert error.description == "HTTP 500 on /b (2 errors)"


# --- not_found -----------------------------------------------------------------------------------


def test_not_found_statuses(cursor) -> None:
    add_session(cursor, "s404", [{"at": 0, "event": "page_view", "url": "/old-offer", "status": 404}])
    add_session(cursor, "s410", [{"at": 0, "event": "page_view", "url": "/gone", "status": 410}])
    add_session(cursor, "s403", [{"at": 0, "event": "page_view", "url": "/private", "status": 403}])

    signals = found(cursor)

    assert signals["s404"] == {"not_found"}
    assert signals["s410"] == {"not_found"}
    assert "s403" not in signals
    assert only(cursor, "s404", "not_found").description == "HTTP 404 on /old-offer"
    assert only(cursor, "s404", "not_found").reason == "dead_link"


def test_not_found_ignores_assets(cursor) -> None:
    add_session(cursor, "icon", [{"at": 0, "event": "GET", "url": "/favicon.ico", "status": 404}])
    add_session(cursor, "image", [{"at": 0, "event": "GET", "url": "/img/Hero.PNG?v=3", "status": 404}])

    assert found(cursor) == {}


def test_not_found_statuses_configurable(cursor) -> None:
    add_session(cursor, "s410", [{"at": 0, "event": "page_view", "url": "/gone", "status": 410}])
    add_session(cursor, "s451", [{"at": 0, "event": "page_view", "url": "/blocked", "status": 451}])

    signals = found(cursor, with_signals(not_found_statuses=(404, 451)))

    assert "s410" not in signals
    assert signals["s451"] == {"not_found"}


# --- rage_click ----------------------------------------------------------------------------------


def test_rage_click_at_window(cursor) -> None:
    add_session(cursor, "at", clicks("#pay", 0, 1.0, 2.0))
    add_session(cursor, "over", clicks("#pay", 0, 1.0, 2.01))
    add_session(cursor, "two", clicks("#pay", 0, 0.2))

    signals = found(cursor)

    assert signals["at"] == {"rage_click"}
    assert "over" not in signals
    assert "two" not in signals
    rage = only(cursor, "at", "rage_click")
    assert rage.description == "3 clicks on #pay in 2.0 s"
    assert rage.event_ids == ("at-e0", "at-e1", "at-e2")
    assert rage.reason == "hidden_control"


def test_rage_click_needs_same_target(cursor) -> None:
    add_session(
        cursor,
        "mixed",
        clicks("#pay", 0) + clicks("#coupon", 0.3) + clicks("#pay", 0.6) + clicks("#back", 0.9),
    )
    add_session(cursor, "untargeted", clicks(None, 0, 0.1, 0.2, 0.3))
    add_session(cursor, "targeted", clicks("#x", 0, 0.1) + clicks(None, 0.2))

    signals = found(cursor)

    assert signals == {}


def test_rage_click_interleaved_target_keeps_run(cursor) -> None:
    add_session(cursor, "s1", clicks("#pay", 0, 0.5) + clicks("#other", 0.7) + clicks("#pay", 1.2))

    compute_signals(cursor, 1, Config())

    assert only(cursor, "s1", "rage_click").event_ids == ("s1-e0", "s1-e1", "s1-e3")


def test_rage_click_count_and_window_configurable(cursor) -> None:
    add_session(cursor, "three", clicks("#pay", 0, 1.5, 3.0))
    add_session(cursor, "four", clicks("#pay", 0, 1.5, 3.0, 4.5))

    signals = found(cursor, with_signals(rage_click_count=4, rage_click_window=2.0))

    assert "three" not in signals
    assert signals["four"] == {"rage_click"}


def test_rage_click_reason_by_target(cursor) -> None:
    add_session(cursor, "button", clicks("button#place-order", 0, 0.4, 0.8))
    add_session(cursor, "nested", clicks("form#pay button.btn-primary", 0, 0.4, 0.8))
    add_session(cursor, "link", clicks("nav a.next", 0, 0.4, 0.8))
    add_session(cursor, "role", clicks('div[role="button"]', 0, 0.4, 0.8))
    add_session(cursor, "overlay", clicks("div#cookie-banner", 0, 0.4, 0.8))
    add_session(cursor, "label", clicks('label[for="terms"]', 0, 0.4, 0.8))

    compute_signals(cursor, 1, Config())
    reasons = {session_id: signal.reason for session_id, signal in strongest_signals(cursor, 1).items()}

    assert reasons == {
        "button": "broken_code",
        "nested": "broken_code",
        "link": "broken_code",
        "role": "broken_code",
        "overlay": "hidden_control",
        "label": "hidden_control",
    }


def test_rage_click_ignores_text_fields(cursor) -> None:
    add_session(cursor, "text", clicks("input#postcode", 0, 0.2, 0.4))
    add_session(cursor, "area", clicks("form textarea.note", 0, 0.2, 0.4))
    add_session(cursor, "checkbox", clicks('input[type="checkbox"]#terms', 0, 0.2, 0.4))

    compute_signals(cursor, 1, Config())

    assert found(cursor) == {"checkbox": {"rage_click"}}
    assert only(cursor, "checkbox", "rage_click").reason == "broken_code"


def test_rage_click_detected_event(cursor) -> None:
    add_session(cursor, "s1", [{"at": 0, "event": "$rageclick", "url": "/cart", "target": "button.pay"}])

    compute_signals(cursor, 1, Config())

    assert only(cursor, "s1", "rage_click").description == "$rageclick on button.pay"


def test_rage_click_counts_bursts(cursor) -> None:
    add_session(cursor, "s1", clicks("#pay", 0, 0.5, 1.0, 30, 30.5, 31))

    compute_signals(cursor, 1, Config())
    rage = only(cursor, "s1", "rage_click")

    assert rage.description == "3 clicks on #pay in 1.0 s (2 bursts)"
    assert len(rage.event_ids) == 6


# --- form_retry ----------------------------------------------------------------------------------


def submit(at: float, form: str | None = "form#address", **extra: Any) -> dict[str, Any]:
    return {"at": at, "event": "form_submit", "url": "/checkout/address", "target": form, **extra}


def rejection(at: float, message: str = "Enter a valid postcode") -> dict[str, Any]:
    return {"at": at, "event": "validation_error", "url": "/checkout/address", "message": message}


def test_form_retry_at_count(cursor) -> None:
    add_session(cursor, "twice", [submit(0), rejection(1), submit(20)])
    add_session(cursor, "once", [submit(0), rejection(1)])

    signals = found(cursor)

    assert signals["twice"] == {"form_retry"}
    assert "once" not in signals
    retry = only(cursor, "twice", "form_retry")
    assert retry.description == 'form#address submitted 2 times: "Enter a valid postcode"'
    assert retry.event_ids == ("twice-e0", "twice-e1", "twice-e2")
    assert retry.reason == "form_rejected_input"


def test_form_retry_needs_feedback(cursor) -> None:
    add_session(cursor, "silent", [submit(0), submit(5), {"at": 6, "event": "page_view", "url": "/thanks"}])
    add_session(cursor, "message_on_submit", [submit(0, message="Card number is invalid"), submit(5)])
    add_session(cursor, "unprocessable", [submit(0), submit(5, status=422)])
    add_session(cursor, "after_last", [submit(0), submit(5), rejection(6)])

    signals = found(cursor)

    assert "silent" not in signals
    assert signals["message_on_submit"] == {"form_retry"}
    assert signals["unprocessable"] == {"form_retry"}
    assert signals["after_last"] == {"form_retry"}
    assert (
        only(cursor, "unprocessable", "form_retry").description == "form#address submitted 2 times (HTTP 422)"
    )


def test_form_retry_separates_forms(cursor) -> None:
    add_session(cursor, "s1", [submit(0, "form#login"), rejection(1), submit(5, "form#signup")])

    assert found(cursor) == {}


def test_form_retry_uses_page_without_target(cursor) -> None:
    add_session(cursor, "s1", [submit(0, None), rejection(1), submit(9, None)])

    compute_signals(cursor, 1, Config())

    assert only(cursor, "s1", "form_retry").description.startswith("/checkout/address submitted 2 times")


def test_form_retry_count_configurable(cursor) -> None:
    add_session(cursor, "twice", [submit(0), rejection(1), submit(5)])
    add_session(cursor, "thrice", [submit(0), rejection(1), submit(5), rejection(6), submit(9)])

    signals = found(cursor, with_signals(form_retry_count=3))

    assert "twice" not in signals
    assert signals["thrice"] == {"form_retry"}


# --- slow ----------------------------------------------------------------------------------------


def test_slow_threshold(cursor) -> None:
    add_session(cursor, "at", [{"at": 0, "event": "page_view", "url": "/pay", "duration_ms": 3000}])
    add_session(cursor, "over", [{"at": 0, "event": "page_view", "url": "/pay", "duration_ms": 3001}])
    add_session(
        cursor,
        "several",
        [
            {"at": 0, "event": "page_view", "url": "/cart", "duration_ms": 4000},
            {"at": 5, "event": "request", "url": "/api/quote", "duration_ms": 9500},
        ],
    )

    signals = found(cursor)

    assert "at" not in signals
    assert signals["over"] == {"slow"}
    assert only(cursor, "over", "slow").description == "page_view /pay took 3.0 s"
    assert only(cursor, "several", "slow").description == "request /api/quote took 9.5 s (2 slow)"
    assert only(cursor, "several", "slow").reason == "too_slow"


def test_slow_configurable(cursor) -> None:
    add_session(cursor, "s1", [{"at": 0, "event": "page_view", "url": "/pay", "duration_ms": 4000}])

    assert found(cursor, with_signals(slow=5.0)) == {}


# --- idle_exit -----------------------------------------------------------------------------------


def test_idle_exit_threshold(cursor) -> None:
    add_session(
        cursor, "short", [{"at": 0, "event": "page_view", "url": "/pay"}, {"at": 599, "event": "click"}]
    )
    add_session(cursor, "at", [{"at": 0, "event": "page_view", "url": "/pay"}, {"at": 600, "event": "click"}])

    signals = found(cursor)

    assert "short" not in signals
    assert signals["at"] == {"idle_exit"}
    idle = only(cursor, "at", "idle_exit")
    assert idle.description == "10 min without events after page_view on /pay, then the session ended"
    assert idle.event_ids == ("at-e0", "at-e1")
    assert idle.reason == "interruption"


def test_idle_exit_inside_session(cursor) -> None:
    add_session(
        cursor,
        "s1",
        [
            {"at": 0, "event": "page_view", "url": "/cart"},
            {"at": 700, "event": "page_view", "url": "/pay"},
            {"at": 701, "event": "page_view", "url": "/pay"},
            {"at": 701 + 2 * 3600, "event": "page_view", "url": "/pay"},
        ],
    )

    compute_signals(cursor, 1, Config())
    idle = only(cursor, "s1", "idle_exit")

    assert idle.event_ids == ("s1-e2", "s1-e3")
    assert (
        idle.description
        == "2.0 h without events after page_view on /pay, then the session ended (2 idle gaps)"
    )


def test_idle_configurable(cursor) -> None:
    add_session(cursor, "s1", [{"at": 0, "event": "page_view"}, {"at": 600, "event": "page_view"}])

    assert found(cursor, with_signals(idle=900.0)) == {}


# --- quick_back ----------------------------------------------------------------------------------


def pages(*steps: tuple[float, str]) -> list[dict[str, Any]]:
    return [{"at": at, "event": "page_view", "url": url} for at, url in steps]


def test_quick_back_threshold(cursor) -> None:
    add_session(cursor, "at", pages((0, "/signup"), (3, "/terms"), (13, "/signup")))
    add_session(cursor, "over", pages((0, "/signup"), (3, "/terms"), (13.5, "/signup")))
    add_session(cursor, "onward", pages((0, "/signup"), (3, "/terms"), (5, "/faq")))

    signals = found(cursor)

    assert signals["at"] == {"quick_back"}
    assert "over" not in signals
    assert "onward" not in signals
    back = only(cursor, "at", "quick_back")
    assert back.description == "back from /terms to /signup after 10.0 s"
    assert back.event_ids == ("at-e0", "at-e1", "at-e2")
    assert back.reason == "confusing_copy"


def test_quick_back_collapses_same_page(cursor) -> None:
    add_session(
        cursor,
        "s1",
        [
            {"at": 0, "event": "page_view", "url": "https://shop.example/signup"},
            {"at": 1, "event": "click", "url": "https://shop.example/signup?step=2", "target": "a.terms"},
            {"at": 2, "event": "page_view", "url": "/terms"},
            {"at": 2.5, "event": "GET", "url": "/terms/logo.svg"},
            {"at": 4, "event": "scroll", "url": "/terms"},
            {"at": 6, "event": "page_view", "url": "/signup#form"},
        ],
    )

    compute_signals(cursor, 1, Config())

    assert only(cursor, "s1", "quick_back").event_ids == ("s1-e0", "s1-e2", "s1-e5")


def test_quick_back_configurable(cursor) -> None:
    add_session(cursor, "s1", pages((0, "/signup"), (3, "/terms"), (30, "/signup")))

    assert found(cursor, with_signals(quick_back=30.0)) == {"s1": {"quick_back"}}


# --- bot -----------------------------------------------------------------------------------------


def test_bot_user_agent(cursor) -> None:
    crawler = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    browser = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
    )
    add_session(cursor, "crawler", [{"at": 0, "event": "GET", "url": "/", "user_agent": crawler}])
    add_session(cursor, "browser", [{"at": 0, "event": "GET", "url": "/", "user_agent": browser}])
    add_session(
        cursor, "script", [{"at": 0, "event": "GET", "url": "/", "user_agent": "python-requests/2.31"}]
    )

    signals = found(cursor)

    assert signals["crawler"] == {"bot"}
    assert signals["script"] == {"bot"}
    assert "browser" not in signals
    assert only(cursor, "crawler", "bot").reason == "not_a_real_exit"


def test_bot_flag_in_properties(cursor) -> None:
    add_session(cursor, "flagged", [{"at": 0, "event": "page_view", "properties": '{"is_bot": true}'}])
    add_session(cursor, "unflagged", [{"at": 0, "event": "page_view", "properties": '{"is_bot": false}'}])

    signals = found(cursor)

    assert signals == {"flagged": {"bot"}}
    assert only(cursor, "flagged", "bot").description == "flagged as a bot by the analytics tool"


def test_bot_pattern_configurable(cursor) -> None:
    add_session(cursor, "monitor", [{"at": 0, "event": "GET", "url": "/", "user_agent": "UptimeWatch/1.0"}])

    config = parse_config('[signals]\nbot_pattern = "(?i)uptime"\n')

    assert found(cursor, config) == {"monitor": {"bot"}}


def test_bot_pattern_rejected_by_duckdb(cursor) -> None:
    add_session(cursor, "s1", [{"at": 0, "event": "GET", "url": "/", "user_agent": "x"}])
    config = parse_config('[signals]\nbot_pattern = "(?i)bot(?!tle)"\n')

    with pytest.raises(StripdownError, match=r"signals\.bot_pattern = .* is invalid"):
        compute_signals(cursor, 1, config)

    assert cursor.execute("SELECT count(*) FROM signals").fetchone()[0] == 0


# --- exports that lack columns -------------------------------------------------------------------


def test_missing_columns_skip_rules(cursor, caplog) -> None:
    add_session(
        cursor,
        "s1",
        [
            {"at": 0, "event": "GET", "url": "/cart", "status": 200},
            {"at": 2, "event": "GET", "url": "/pay", "status": 500},
            {"at": 900, "event": "GET", "url": "/pay", "status": 200},
        ],
    )

    with caplog.at_level(logging.INFO, logger="queries.signals"):
        signals = found(cursor)

    assert signals == {"s1": {"error", "idle_exit"}}
    skipped = {record.args[0] for record in caplog.records if "skipped" in record.getMessage()}
    assert skipped == {"bot", "rage_click", "slow"}


def test_timeline_without_optional_columns(cursor) -> None:
    add_session(cursor, "s1", [{"at": 0, "event": "view"}, {"at": 1, "event": "view"}])

    assert found(cursor) == {}


# --- storing, recomputing and suggesting ---------------------------------------------------------


def test_recompute_replaces_only_its_sample(cursor) -> None:
    add_session(cursor, "s1", [{"at": 0, "event": "page_view", "url": "/pay", "duration_ms": 4000}])
    add_session(cursor, "s1", [{"at": 10, "event": "page_view", "url": "/pay"}], sample_id=2)
    compute_signals(cursor, 1, Config())
    compute_signals(cursor, 2, Config())
    before = cursor.execute("SELECT count(*) FROM signals WHERE sample_id = 2").fetchone()[0]

    count = compute_signals(cursor, 1, with_signals(slow=5.0))

    assert count == 0
    assert cursor.execute("SELECT count(*) FROM signals WHERE sample_id = 1").fetchone()[0] == 0
    assert cursor.execute("SELECT count(*) FROM signals WHERE sample_id = 2").fetchone()[0] == before


def test_compute_inside_caller_transaction(workspace) -> None:
    cursor = workspace.cursor()
    add_session(cursor, "s1", [{"at": 0, "event": "request", "url": "/pay", "status": 500}])

    with pytest.raises(RuntimeError), workspace.transaction() as open_cursor:
        compute_signals(open_cursor, 1, Config())
        raise RuntimeError("caller failed after computing")

    assert cursor.execute("SELECT count(*) FROM signals").fetchone()[0] == 0


def test_refresh_only_after_change(cursor) -> None:
    add_session(cursor, "s1", [{"at": 0, "event": "page_view", "url": "/pay", "duration_ms": 4000}])

    assert refresh_signals(cursor, 1, Config()) is True
    assert refresh_signals(cursor, 1, Config()) is False
    assert refresh_signals(cursor, 1, with_signals(slow=5.0)) is True
    assert session_signals(cursor, 1, "s1") == []


def test_refresh_after_new_import(cursor) -> None:
    add_session(cursor, "s1", [{"at": 0, "event": "page_view", "url": "/pay", "duration_ms": 4000}])
    assert refresh_signals(cursor, 1, Config()) is True

    cursor.execute("INSERT INTO imports VALUES (2, 'more.csv', 'abc', 'csv', 1, 1, 0, 0, NULL, now())")

    assert refresh_signals(cursor, 1, Config()) is True
    assert refresh_signals(cursor, 1, Config()) is False


def test_suggestion_follows_priority(cursor) -> None:
    add_session(
        cursor,
        "s1",
        [
            {"at": 0, "event": "page_view", "url": "/pay", "duration_ms": 5000},
            {"at": 700, "event": "request", "url": "/api/pay", "status": 500},
        ],
    )
    add_session(cursor, "quiet", [{"at": 0, "event": "page_view", "url": "/pay"}])
    compute_signals(cursor, 1, Config())

    assert [signal.signal for signal in session_signals(cursor, 1, "s1")] == ["error", "slow", "idle_exit"]
    assert suggestion(cursor, 1, "s1") == "broken_code"
    assert suggestion(cursor, 1, "quiet") is None
    assert suggestions(cursor, 1) == {"s1": "broken_code"}
    assert strongest_signals(cursor, 1)["s1"].event_ids == ("s1-e1",)


def test_reason_missing_from_taxonomy(cursor) -> None:
    add_session(
        cursor,
        "s1",
        [
            {"at": 0, "event": "request", "url": "/api/pay", "status": 500, "duration_ms": 4000},
        ],
    )
    config = replace(Config(), reasons=(Reason("too_slow", "Too slow", "1"), Reason("other", "Other", "2")))

    compute_signals(cursor, 1, config)

    error = only(cursor, "s1", "error")
    assert error.reason is None
    assert suggestion(cursor, 1, "s1") == "too_slow"


def test_rage_click_control_reason_missing_from_taxonomy(cursor) -> None:
    add_session(cursor, "button", clicks("button#pay", 0, 0.4, 0.8))
    add_session(cursor, "overlay", clicks("div.overlay", 0, 0.4, 0.8))
    config = replace(Config(), reasons=(Reason("hidden_control", "Hidden control", "1"),))

    compute_signals(cursor, 1, config)

    assert only(cursor, "button", "rage_click").reason is None
    assert only(cursor, "overlay", "rage_click").reason == "hidden_control"
