"""Evidence signals: facts in a session's timeline that point at an exit reason.

Each rule is one SQL pass over the events of a sample's sessions (signals_*.sql). Rules read their
thresholds from `Config.signals`; docs/signals.md states each rule, its default and the priority order.
A rule whose columns are empty for the whole sample is skipped rather than guessed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import duckdb

from queries.config import Config
from queries.errors import StripdownError
from queries.sql import load_sql

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    """One signal rule: the taxonomy reason it points at and its strength (1 is strongest)."""

    signal: str
    reason: str
    priority: int
    title: str
    # The rule runs when at least one of these event columns has a value somewhere in the sample.
    columns: tuple[str, ...]
    # The reason when the evidence is a real control (rage clicks on a button that did not respond).
    control_reason: str | None = None


# Ordered by priority. A bot session is no exit at all, so nothing else about it matters. An error or a
# missing page is direct evidence of a defect, and a rejected form or repeated clicks show a blocked
# visitor. Slowness, an idle gap and a quick back are weaker because they also happen in sessions
# that convert.
RULES: tuple[Rule, ...] = (
    Rule("bot", "not_a_real_exit", 1, "bot", ("user_agent", "properties")),
    Rule("error", "broken_code", 2, "error", ("status", "event")),
    Rule("not_found", "dead_link", 3, "not found", ("status",)),
    Rule("form_retry", "form_rejected_input", 4, "form retry", ("event",)),
    Rule("rage_click", "hidden_control", 5, "rage click", ("target",), control_reason="broken_code"),
    Rule("slow", "too_slow", 6, "slow", ("duration_ms",)),
    Rule("idle_exit", "interruption", 7, "idle", ()),
    Rule("quick_back", "confusing_copy", 8, "quick back", ("url",)),
)
RULES_BY_SIGNAL = {rule.signal: rule for rule in RULES}

# Event-name patterns (RE2 syntax, as DuckDB's regexp functions use) that classify events.
CLICK_PATTERN = r"(?i)click|\btap\b"
RAGE_PATTERN = r"(?i)rage.?click"
SUBMIT_PATTERN = r"(?i)submit"
VALIDATION_PATTERN = r"(?i)valid|form.?error|field.?error|reject"
ERROR_PATTERN = r"(?i)error|exception|crash|fatal"
METHOD_PATTERN = r"(?i)^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$"
# Targets (CSS selectors or element names) of controls: the clicked element is a button, link,
# input, select or summary, or its selector names a button or a button role.
CONTROL_PATTERN = (
    r"(?i)(^|[\s>+~])(button|a|input|select|option|summary)([.#\[:][^\s>+~]*)?$"
    r"|(^|[^a-z])(btn|button)([^a-z]|$)|role=.?(button|link|checkbox|menuitem|tab)"
)
# Targets where a double or triple click selects text, so repeated clicks are no sign of frustration.
TEXT_FIELD_PATTERN = r"(?i)(^|[\s>+~])(textarea|input)([.#\[:][^\s>+~]*)?$|contenteditable"
BUTTON_INPUT_PATTERN = r"(?i)type=.?(submit|button|checkbox|radio|image|reset)"
# Error messages that browsers report for no fault of the page, and that error trackers drop by
# default or advise dropping. "Script error." hides a cross-origin script's real error. The
# ResizeObserver loop messages are benign by the spec authors' account. A rejected promise without an
# Error object carries no information.
# NOTE: not configurable yet; a site with its own noise cannot extend the list without a code change.
BENIGN_ERROR_PATTERN = (
    r"(?i)^\s*(uncaught\s+)?script error\.?\s*$|resizeobserver loop"
    r"|non-error promise rejection captured"
)
# Paths of static files: a missing image is not a dead link, and loading one is not a page visit.
ASSET_PATTERN = r"(?i)\.(png|jpe?g|gif|svg|ico|webp|avif|bmp|css|js|mjs|map|woff2?|ttf|otf|eot|mp4|webm|mp3)$"

_PATTERNS = (
    CLICK_PATTERN,
    RAGE_PATTERN,
    SUBMIT_PATTERN,
    VALIDATION_PATTERN,
    ERROR_PATTERN,
    METHOD_PATTERN,
    CONTROL_PATTERN,
    TEXT_FIELD_PATTERN,
    BUTTON_INPUT_PATTERN,
    BENIGN_ERROR_PATTERN,
    ASSET_PATTERN,
)
_META_KEY = "signals.fingerprint.sample.{}"
_SQL_FILES = ("signals_events.sql", "signals_insert.sql", *(f"signals_{rule.signal}.sql" for rule in RULES))


@dataclass(frozen=True)
class Signal:
    """One stored signal of one session."""

    session_id: str
    signal: str
    reason: str | None
    priority: int
    event_ids: tuple[str, ...]
    description: str

    @property
    def title(self) -> str:
        """The short badge text, such as "rage click"."""
        rule = RULES_BY_SIGNAL.get(self.signal)
        return rule.title if rule else self.signal


def compute_signals(cursor: duckdb.DuckDBPyConnection, sample_id: int, config: Config) -> int:
    """Replace the sample's signals with freshly computed ones and return how many rows were stored.

    Runs in one transaction, or inside the caller's transaction when one is open.
    """
    _check_bot_pattern(cursor, config)
    with _atomic(cursor):
        cursor.execute("DELETE FROM signals WHERE sample_id = ?", [sample_id])
        _load_events(cursor, sample_id, config)
        present = _present_columns(cursor)
        for rule in RULES:
            if rule.columns and not any(present[column] for column in rule.columns):
                log.info(
                    "signal %s skipped for sample %s: no %s in the export",
                    rule.signal,
                    sample_id,
                    " or ".join(rule.columns),
                )
                continue
            _run_rule(cursor, sample_id, rule, config)
        cursor.execute("DROP TABLE IF EXISTS signal_events")
        cursor.execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [_META_KEY.format(sample_id), signals_fingerprint(cursor, config)],
        )
        row = cursor.execute("SELECT count(*) FROM signals WHERE sample_id = ?", [sample_id]).fetchone()
    assert row is not None
    return int(row[0])


def refresh_signals(cursor: duckdb.DuckDBPyConnection, sample_id: int, config: Config) -> bool:
    """Recompute the sample's signals unless nothing they depend on changed since the last run.

    They depend on the thresholds, the taxonomy, the rules themselves and the imported files.
    Returns True when the signals were recomputed.
    """
    row = cursor.execute("SELECT value FROM meta WHERE key = ?", [_META_KEY.format(sample_id)]).fetchone()
    if row is not None and row[0] == signals_fingerprint(cursor, config):
        return False
    compute_signals(cursor, sample_id, config)
    return True


def signals_fingerprint(cursor: duckdb.DuckDBPyConnection, config: Config) -> str:
    """Return a digest of everything that changes what the rules find.

    That is the thresholds, the reason ids, the rules with their patterns and SQL, and the newest
    import (a later import can add events to sampled sessions).
    """
    newest_import = cursor.execute("SELECT max(import_id) FROM imports").fetchone()
    settings = {
        "signals": asdict(config.signals),
        "reasons": sorted(reason.id for reason in config.reasons),
        "rules": [asdict(rule) for rule in RULES],
        "patterns": _PATTERNS,
        "sql": [load_sql(name) for name in _SQL_FILES],
        "newest_import": newest_import[0] if newest_import else None,
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()


def session_signals(cursor: duckdb.DuckDBPyConnection, sample_id: int, session_id: str) -> list[Signal]:
    """Return one session's signals, strongest first."""
    parameters = {"sample_id": sample_id, "session_id": session_id}
    rows = cursor.execute(load_sql("signals_of_session.sql"), parameters).fetchall()
    return [_signal(row) for row in rows]


def suggestion(cursor: duckdb.DuckDBPyConnection, sample_id: int, session_id: str) -> str | None:
    """Return the reason of the session's strongest signal that has one, or None without signals."""
    parameters = {"sample_id": sample_id, "session_id": session_id}
    row = cursor.execute(load_sql("signals_strongest.sql"), parameters).fetchone()
    return None if row is None else str(row[2])


def suggestions(cursor: duckdb.DuckDBPyConnection, sample_id: int) -> dict[str, str]:
    """Return the suggested reason of every session of the sample that has one."""
    return {
        session_id: str(signal.reason) for session_id, signal in strongest_signals(cursor, sample_id).items()
    }


def strongest_signals(cursor: duckdb.DuckDBPyConnection, sample_id: int) -> dict[str, Signal]:
    """Return each session's strongest signal with a reason: its suggestion and the evidence for it."""
    parameters = {"sample_id": sample_id, "session_id": None}
    rows = cursor.execute(load_sql("signals_strongest.sql"), parameters).fetchall()
    return {row[0]: _signal(row) for row in rows}


def _signal(row: tuple[object, ...]) -> Signal:
    session_id, signal, reason, priority, event_ids, description = row
    return Signal(
        str(session_id),
        str(signal),
        None if reason is None else str(reason),
        int(str(priority)),
        tuple(str(event_id) for event_id in (event_ids or ())),  # type: ignore[attr-defined]
        str(description),
    )


def _load_events(cursor: duckdb.DuckDBPyConnection, sample_id: int, config: Config) -> None:
    cursor.execute(
        load_sql("signals_events.sql"),
        {
            "sample_id": sample_id,
            "asset_pattern": ASSET_PATTERN,
            "method_pattern": METHOD_PATTERN,
            "click_pattern": CLICK_PATTERN,
            "rage_pattern": RAGE_PATTERN,
            "submit_pattern": SUBMIT_PATTERN,
            "validation_pattern": VALIDATION_PATTERN,
            "error_pattern": ERROR_PATTERN,
            "benign_error_pattern": BENIGN_ERROR_PATTERN,
            "control_pattern": CONTROL_PATTERN,
            "text_field_pattern": TEXT_FIELD_PATTERN,
            "button_input_pattern": BUTTON_INPUT_PATTERN,
        },
    )


def _present_columns(cursor: duckdb.DuckDBPyConnection) -> dict[str, bool]:
    names = sorted({column for rule in RULES for column in rule.columns})
    counts = ", ".join(f"count({name}) > 0" for name in names)
    row = cursor.execute(f"SELECT {counts} FROM signal_events").fetchone()
    assert row is not None
    return dict(zip(names, (bool(value) for value in row), strict=True))


def _run_rule(cursor: duckdb.DuckDBPyConnection, sample_id: int, rule: Rule, config: Config) -> None:
    statement = load_sql("signals_insert.sql").replace("/* rule */", load_sql(f"signals_{rule.signal}.sql"))
    parameters = {
        "sample_id": sample_id,
        "signal": rule.signal,
        "reason": _known_reason(rule.reason, config),
        "priority": rule.priority,
        **_thresholds(rule, config),
    }
    if rule.control_reason is not None:
        parameters["control_reason"] = _known_reason(rule.control_reason, config)
    cursor.execute(statement, parameters)


def _known_reason(reason: str, config: Config) -> str | None:
    """Return the reason id when the config's taxonomy has it, else None."""
    return reason if config.reason(reason) is not None else None


def _check_bot_pattern(cursor: duckdb.DuckDBPyConnection, config: Config) -> None:
    """Raise StripdownError when DuckDB's RE2 engine cannot compile the configured bot pattern.

    The config parser accepts Python regular expressions, and RE2 lacks some of their features.
    """
    pattern = config.signals.bot_pattern
    try:
        cursor.execute("SELECT regexp_matches('', ?)", [pattern]).fetchone()
    except duckdb.InvalidInputException as error:
        detail = str(error).removeprefix("Invalid Input Error: ")
        raise StripdownError(
            f"signals.bot_pattern = {pattern!r} is invalid: {detail}; DuckDB uses RE2 regular "
            "expressions, which have no lookarounds or backreferences, so simplify the pattern"
        ) from None


def _thresholds(rule: Rule, config: Config) -> dict[str, object]:
    """Return the config values the rule's SQL binds, under the names it uses."""
    signals = config.signals
    by_signal: dict[str, dict[str, object]] = {
        "bot": {"bot_pattern": signals.bot_pattern},
        "error": {"error_status": signals.error_status},
        "not_found": {"not_found_statuses": list(signals.not_found_statuses)},
        "form_retry": {"form_retry_count": signals.form_retry_count},
        "rage_click": {
            "rage_click_count": signals.rage_click_count,
            "rage_click_window": signals.rage_click_window,
        },
        "slow": {"slow": signals.slow},
        "idle_exit": {"idle": signals.idle},
        "quick_back": {"quick_back": signals.quick_back},
    }
    return by_signal[rule.signal]


@contextmanager
def _atomic(cursor: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run a block in a transaction of its own, or in the caller's when one is already open."""
    if _in_transaction(cursor):
        yield
        return
    cursor.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    cursor.execute("COMMIT")


def _in_transaction(cursor: duckdb.DuckDBPyConnection) -> bool:
    # In auto-commit mode every statement runs in a transaction of its own, so two statements see two
    # ids; inside an explicit transaction they share one. A failed BEGIN cannot be the probe because
    # DuckDB then aborts the caller's transaction.
    first = cursor.execute("SELECT txid_current()").fetchone()
    second = cursor.execute("SELECT txid_current()").fetchone()
    return first == second
