"""Parse and validate `stripdown.toml` into a frozen `Config`.

Every key is documented in docs/config.md. An invalid value raises `StripdownError` naming the key,
the value and what is allowed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from queries.errors import StripdownError

CANONICAL_FIELDS = (
    "event_id",
    "session_id",
    "user_id",
    "ts",
    "event",
    "url",
    "target",
    "status",
    "message",
    "channel",
    "device",
    "label",
    "user_agent",
    "duration_ms",
)

# Bindable triage actions and their default keys (Textual key names, comma-separated).
DEFAULT_KEYS: dict[str, str] = {
    "next": "j,down",
    "previous": "k,up",
    "next_untagged": "n",
    "previous_untagged": "p",
    "accept": "enter",
    "undo": "u",
    "skip": "s",
    "flag": "f",
    "note": "e",
    "search": "slash",
    "goto": "g",
    "similar": "a",
    "report": "r",
    "help": "question_mark",
    "quit": "q",
}


@dataclass(frozen=True)
class Reason:
    """One exit reason of the taxonomy."""

    id: str
    title: str
    key: str
    description: str = ""


DEFAULT_REASONS: tuple[Reason, ...] = (
    Reason("broken_code", "Broken code", "1", "Errors, crashes, HTTP 5xx."),
    Reason(
        "form_rejected_input", "Form rejected valid input", "2", "Validation refused an answer that was fine."
    ),
    Reason("dead_link", "Dead link or missing page", "3", "A 404 or a link that goes nowhere."),
    Reason("confusing_copy", "Confusing copy", "4", "Unclear wording or next step."),
    Reason(
        "hidden_control",
        "Hidden or unreachable control",
        "5",
        "Below the fold, off-screen on mobile, disabled.",
    ),
    Reason("too_slow", "Too slow", "6", "Pages or requests took too long."),
    Reason("price", "Price or value", "7", "The offer was not worth it to the visitor."),
    Reason("interruption", "Real-world interruption", "8", "The visitor was called away."),
    Reason("not_a_real_exit", "Not a real exit", "9", "A bot, a test, or converted elsewhere."),
    Reason("cant_tell", "Can't tell", "0", "The timeline does not show why."),
)


@dataclass(frozen=True)
class Stage:
    """A funnel stage: `event` matches the event name exactly, `url` is a glob on the URL path."""

    name: str
    event: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Signals:
    """Evidence signal thresholds; docs/signals.md gives each rule and the reason for its default."""

    error_status: int = 500
    not_found_statuses: tuple[int, ...] = (404, 410)
    rage_click_count: int = 3
    rage_click_window: float = 1.0
    form_retry_count: int = 2
    slow: float = 3.0
    idle: float = 600.0
    quick_back: float = 10.0
    bot_pattern: str = (
        r"(?i)bot|crawl|spider|slurp|archiver|facebookexternalhit|headless|python-requests|curl/|wget"
    )
    similarity: float = 85.0


@dataclass(frozen=True)
class Config:
    """The settings a workspace is built and reviewed with."""

    text: str = ""
    session_gap: float = 1800.0
    timezone: str = "UTC"
    import_map: dict[str, str] = field(default_factory=dict)
    stages: tuple[Stage, ...] = ()
    label_column: str | None = None
    label_map: dict[str, str] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = DEFAULT_REASONS
    signals: Signals = field(default_factory=Signals)
    time_box: float = 7200.0
    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))

    def reason(self, id_or_key: str) -> Reason | None:
        """Return the reason with this id or hotkey, or None."""
        for reason in self.reasons:
            if id_or_key in (reason.id, reason.key):
                return reason
        return None

    @property
    def conversion_stage(self) -> Stage | None:
        """The last funnel stage, or None without a funnel."""
        return self.stages[-1] if self.stages else None


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
_REASON_ID = re.compile(r"^[a-z][a-z0-9_]*$")

_SECTIONS: dict[str, set[str]] = {
    "import": {"session_gap", "timezone", "map"},
    "funnel": {"stages"},
    "label": {"column", "map"},
    "reasons": set(),
    "signals": set(Signals.__dataclass_fields__),
    "review": {"time_box"},
    "keys": set(DEFAULT_KEYS),
}


def parse_duration(value: object, key: str) -> float:
    """Return seconds for a duration such as "30m", "1.5s", "2h" or a plain number of seconds."""
    if isinstance(value, bool):
        raise _invalid(key, value, 'a duration such as "30m", "90s", "2h" or a number of seconds')
    if isinstance(value, int | float) and value > 0:
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match and float(match.group(1)) > 0:
            return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    raise _invalid(key, value, 'a positive duration such as "30m", "90s", "2h" or a number of seconds')


def load_config(path: Path) -> Config:
    """Read and validate a config file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise StripdownError(f"config file {path} not found; check the path given to --config") from None
    except (OSError, UnicodeDecodeError) as error:
        raise StripdownError(f"cannot read config file {path}: {error}") from None
    return parse_config(text, source=str(path))


def parse_config(text: str, source: str = "stripdown.toml") -> Config:
    """Validate TOML text and return the `Config` it describes."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StripdownError(f"{source} is not valid TOML: {error}; fix the file and try again") from None
    try:
        return _build(data, text)
    except StripdownError as error:
        raise StripdownError(f"{source}: {error.message}") from None


def _build(data: dict[str, Any], text: str) -> Config:
    for section in data:
        if section not in _SECTIONS:
            allowed = ", ".join(sorted(_SECTIONS))
            raise StripdownError(f"unknown section [{section}]: the sections are {allowed}")
    imports = _table(data, "import")
    _check_keys("import", imports)
    label = _table(data, "label")
    _check_keys("label", label)
    review = _table(data, "review")
    _check_keys("review", review)
    reasons = _reasons(data.get("reasons"))
    return Config(
        text=text,
        session_gap=parse_duration(imports.get("session_gap", "30m"), "import.session_gap"),
        timezone=_timezone(imports.get("timezone", "UTC")),
        import_map=_import_map(_table(imports, "map", "import.map")),
        stages=_stages(_table(data, "funnel")),
        label_column=_optional_text(label.get("column"), "label.column"),
        label_map=_label_map(_table(label, "map", "label.map"), reasons),
        reasons=reasons,
        signals=_signals(_table(data, "signals")),
        time_box=parse_duration(review.get("time_box", "2h"), "review.time_box"),
        keys=_keys(_table(data, "keys")),
    )


def _invalid(key: str, value: object, allowed: str) -> StripdownError:
    return StripdownError(f"{key} = {value!r} is invalid: expected {allowed}")


def _table(data: dict[str, Any], name: str, key: str | None = None) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise _invalid(key or name, value, "a table")
    return value


def _check_keys(section: str, table: dict[str, Any]) -> None:
    allowed = _SECTIONS[section]
    for key in table:
        if key not in allowed:
            raise _invalid(f"{section}.{key}", table[key], f"one of the keys {', '.join(sorted(allowed))}")


def _optional_text(value: object, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _invalid(key, value, "a non-empty string")
    return value


def _timezone(value: object) -> str:
    if not isinstance(value, str):
        raise _invalid("import.timezone", value, 'an IANA time zone name such as "UTC" or "Europe/Berlin"')
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _invalid(
            "import.timezone", value, 'an IANA time zone name such as "UTC" or "Europe/Berlin"'
        ) from None
    return value


def _import_map(table: dict[str, Any]) -> dict[str, str]:
    for name, column in table.items():
        if name not in CANONICAL_FIELDS:
            raise _invalid(f"import.map.{name}", column, f"a field name among {', '.join(CANONICAL_FIELDS)}")
        if not isinstance(column, str) or not column:
            raise _invalid(f"import.map.{name}", column, "the name of a column of the export")
    return dict(table)


def _stages(funnel: dict[str, Any]) -> tuple[Stage, ...]:
    _check_keys("funnel", funnel)
    raw = funnel.get("stages", [])
    if not isinstance(raw, list):
        raise _invalid("funnel.stages", raw, 'a list of tables such as { name = "cart", url = "/cart*" }')
    stages: list[Stage] = []
    for index, item in enumerate(raw):
        key = f"funnel.stages[{index}]"
        if not isinstance(item, dict):
            raise _invalid(key, item, 'a table such as { name = "cart", url = "/cart*" }')
        for name in item:
            if name not in {"name", "event", "url"}:
                raise _invalid(f"{key}.{name}", item[name], "one of the keys name, event, url")
        name = _optional_text(item.get("name"), f"{key}.name")
        if name is None:
            raise _invalid(f"{key}.name", None, "a stage name")
        event = _optional_text(item.get("event"), f"{key}.event")
        url = _optional_text(item.get("url"), f"{key}.url")
        if event is None and url is None:
            raise _invalid(key, item, "an event, a url glob, or both")
        if url is not None and not url.startswith(("/", "*")):
            raise _invalid(
                f"{key}.url", url, 'a glob on the URL path, starting with / or *, such as "/cart*"'
            )
        if any(stage.name == name for stage in stages):
            raise _invalid(f"{key}.name", name, "a name no other stage uses")
        stages.append(Stage(name, event, url))
    return tuple(stages)


def _reasons(raw: object) -> tuple[Reason, ...]:
    if raw is None:
        return DEFAULT_REASONS
    if not isinstance(raw, list) or not raw:
        raise _invalid("reasons", raw, "one or more [[reasons]] tables")
    reasons: list[Reason] = []
    for index, item in enumerate(raw):
        key = f"reasons[{index}]"
        if not isinstance(item, dict):
            raise _invalid(key, item, "a table with id, title, key and description")
        for name in item:
            if name not in {"id", "title", "key", "description"}:
                raise _invalid(f"{key}.{name}", item[name], "one of the keys id, title, key, description")
        reason_id = item.get("id")
        if not isinstance(reason_id, str) or not _REASON_ID.match(reason_id):
            raise _invalid(
                f"{key}.id", reason_id, "lower-case letters, digits and underscores, starting with a letter"
            )
        title = _optional_text(item.get("title"), f"{key}.title") or reason_id
        hotkey = item.get("key")
        if not isinstance(hotkey, str) or len(hotkey) != 1 or not hotkey.isalnum():
            raise _invalid(f"{key}.key", hotkey, "one letter or digit")
        description = item.get("description", "")
        if not isinstance(description, str):
            raise _invalid(f"{key}.description", description, "a string")
        for other in reasons:
            if other.id == reason_id:
                raise _invalid(f"{key}.id", reason_id, "an id no other reason uses")
            if other.key == hotkey:
                raise _invalid(f"{key}.key", hotkey, f"a key that reason {other.id} does not already use")
        reasons.append(Reason(reason_id, title, hotkey, description))
    return tuple(reasons)


def _label_map(table: dict[str, Any], reasons: tuple[Reason, ...]) -> dict[str, str]:
    ids = {reason.id for reason in reasons}
    for label, reason_id in table.items():
        if reason_id not in ids:
            raise _invalid(f'label.map."{label}"', reason_id, f"a reason id among {', '.join(sorted(ids))}")
    return dict(table)


def _signals(table: dict[str, Any]) -> Signals:
    _check_keys("signals", table)
    defaults = Signals()
    values: dict[str, Any] = {}
    for name, value in table.items():
        key = f"signals.{name}"
        default = getattr(defaults, name)
        if name in {"rage_click_window", "slow", "idle", "quick_back"}:
            values[name] = parse_duration(value, key)
        elif name == "not_found_statuses":
            if not isinstance(value, list) or not all(_is_status(item) for item in value):
                raise _invalid(key, value, "a list of HTTP status codes between 100 and 599")
            values[name] = tuple(value)
        elif name == "bot_pattern":
            values[name] = _pattern(value, key)
        elif name == "similarity":
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 100:
                raise _invalid(key, value, "a similarity score above 0 and at most 100")
            values[name] = float(value)
        elif name == "error_status":
            if not _is_status(value):
                raise _invalid(key, value, "an HTTP status code between 100 and 599")
            values[name] = value
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise _invalid(key, value, "a whole number of at least 1")
            values[name] = value
    return Signals(**{**defaults.__dict__, **values})


def _is_status(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599


def _pattern(value: object, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise _invalid(key, value, "a regular expression")
    try:
        re.compile(value)
    except re.error as error:
        raise _invalid(key, value, f"a valid regular expression ({error})") from None
    return value


def _keys(table: dict[str, Any]) -> dict[str, str]:
    _check_keys("keys", table)
    keys = dict(DEFAULT_KEYS)
    for action, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise _invalid(
                f"keys.{action}", value, 'a Textual key name or a comma-separated list, such as "j,down"'
            )
        keys[action] = value
    bound: dict[str, str] = {}
    for action, value in keys.items():
        for key in (part.strip() for part in value.split(",")):
            other = bound.setdefault(key, action)
            if other != action:
                changed = action if action in table else other
                raise _invalid(
                    f"keys.{changed}",
                    keys[changed],
                    f"keys that no other action uses, but {key} is also bound to "
                    f"{other if changed == action else action}; give one of them another key",
                )
    return keys
