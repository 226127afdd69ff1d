"""Match the columns of an export to the canonical event fields.

A column name is normalised (camelCase split, lower case, punctuation to `_`) and compared with a
list of synonyms per field by rapidfuzz's `ratio` on the names without underscores. Exact synonyms
win over fuzzy ones, and an earlier synonym over a later one. Explicit choices (`--map`, then
`[import.map]`, then `[label] column`) win over any guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from queries.config import CANONICAL_FIELDS
from queries.errors import StripdownError

# The time since the start of the session, added to `ts` (exports such as DIGINETICA's give only a
# date per session and the milliseconds since its start per event).
TS_OFFSET = "ts_offset"
MAPPABLE_FIELDS = (*CANONICAL_FIELDS, TS_OFFSET)

# Below this rapidfuzz ratio (0-100) a name is no match. 94 accepts "session_ids" for "session_id"
# but rejects "events" for "event" and "actions" for "action", which are counts in visit logs.
FUZZY_CUTOFF = 94.0
# Synonyms shorter than this only match exactly: "id" must not match "idx", nor "ts" match "tz".
MIN_FUZZY_LENGTH = 5

FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "event_id": ("event_id", "event_uuid", "id", "uuid", "message_id", "hit_id", "log_id", "row_id"),
    "session_id": (
        "session_id",
        "session",
        "session_key",
        "session_uuid",
        "sid",
        "user_session",
        "domain_sessionid",
        "ga_session_id",
        "visit_id",
        "id_visit",
    ),
    "user_id": (
        "user_id",
        "user",
        "uid",
        "visitor_id",
        "id_visitor",
        "client_id",
        "customer_id",
        "anonymous_id",
        "distinct_id",
        "domain_userid",
        "member_id",
        "account_id",
    ),
    "ts": (
        "timestamp",
        "ts",
        "time",
        "event_time",
        "event_timestamp",
        "datetime",
        "date_time",
        "created_at",
        "occurred_at",
        "logged_at",
        "received_at",
        "server_time",
        "server_timestamp",
        "client_time",
        "collector_tstamp",
        "derived_tstamp",
        "first_action_timestamp",
        "event_date",
        "eventdate",
        "date",
    ),
    "event": (
        "event",
        "event_name",
        "event_type",
        "event_action",
        "action",
        "name",
        "type",
        "activity",
        "hit_type",
    ),
    "url": (
        "url",
        "page_url",
        "page",
        "path",
        "uri",
        "page_path",
        "request_path",
        "request_uri",
        "href",
        "page_location",
        "pathname",
        "screen_name",
        "screen",
    ),
    "target": (
        "target",
        "element",
        "selector",
        "element_id",
        "element_selector",
        "css_selector",
        "xpath",
        "button",
        "target_id",
        "control",
        "item_id",
        "product_id",
    ),
    "status": ("status", "http_status", "status_code", "http_status_code", "http_code", "response_code"),
    "message": ("message", "error_message", "error", "msg", "error_text", "exception", "detail", "details"),
    "channel": (
        "channel",
        "traffic_channel",
        "channel_grouping",
        "default_channel_group",
        "acquisition_channel",
        "traffic_source",
        "source_medium",
        "medium",
        "utm_medium",
        "source",
        "utm_source",
        "referrer_type",
        "refr_medium",
        "mkt_medium",
    ),
    "device": ("device", "device_type", "device_category", "form_factor", "dvce_type"),
    "label": (
        "label",
        "exit_reason",
        "exit_label",
        "analytics_label",
        "drop_off_reason",
        "dropoff_reason",
        "abandon_reason",
        "exit_cause",
    ),
    "user_agent": ("user_agent", "useragent", "ua", "agent", "browser_user_agent", "http_user_agent"),
    "duration_ms": (
        "duration_ms",
        "duration",
        "load_time_ms",
        "load_time",
        "latency_ms",
        "response_time_ms",
        "response_time",
        "elapsed_ms",
        "time_ms",
        "page_load_ms",
        "took_ms",
    ),
    TS_OFFSET: ("timeframe", "ts_offset", "time_offset_ms", "offset_ms", "ms_since_session_start"),
}

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Mapping:
    """Export columns per field. A field with several columns takes the first non-empty one."""

    fields: dict[str, tuple[str, ...]]
    # How each field's columns were chosen: "--map", "[import.map]", "[label] column", a preset
    # name, or "by name".
    origins: dict[str, str] = field(default_factory=dict)
    # Columns of the export that no field uses; they are kept in `properties`.
    unmapped: tuple[str, ...] = ()

    def column(self, name: str) -> str | None:
        """Return the first column mapped to field `name`, or None."""
        columns = self.fields.get(name)
        return columns[0] if columns else None

    def describe(self) -> str:
        """Return the mapping as one line, such as `ts <- "Event Time" (by name), ...`."""
        parts = []
        for name in MAPPABLE_FIELDS:
            columns = self.fields.get(name)
            if columns:
                sources = " or ".join(_quoted(column) for column in columns)
                parts.append(f"{name} <- {sources} ({self.origins.get(name, 'by name')})")
        if self.unmapped:
            parts.append(f"{len(self.unmapped)} more column(s) kept in properties")
        return "; ".join(parts)

    def as_json(self) -> dict[str, list[str]]:
        """Return the mapping for the `imports.mapping` column."""
        return {name: list(columns) for name, columns in self.fields.items()}


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def normalise(name: str) -> str:
    """Return a column name in snake case: `Session ID`, `sessionId` and `session-id` give `session_id`."""
    split = _CAMEL_BOUNDARY.sub("_", name.strip())
    return _NON_WORD.sub("_", split.lower()).strip("_")


def map_columns(
    columns: Sequence[str],
    *,
    explicit: MappingType[str, str] | None = None,
    configured: MappingType[str, str] | None = None,
    label_column: str | None = None,
    preset: MappingType[str, tuple[str, ...]] | None = None,
    preset_name: str = "preset",
    source: str = "the export",
) -> Mapping:
    """Return the mapping of `columns` to fields: explicit choices first, then a preset, then names."""
    fields: dict[str, tuple[str, ...]] = {}
    origins: dict[str, str] = {}
    declined: set[str] = set()
    choices = [("--map", explicit or {}), ("[import.map]", configured or {})]
    if label_column:
        choices.append(("[label] column", {"label": label_column}))
    for origin, chosen in choices:
        for name, column in chosen.items():
            if name in fields or name in declined:
                continue
            if not column:
                declined.add(name)
                continue
            fields[name] = (_resolve(column, columns, name, origin, source),)
            origins[name] = origin
    used = {column for mapped in fields.values() for column in mapped}
    if preset:
        for name, preset_columns in preset.items():
            present = tuple(column for column in preset_columns if column in columns and column not in used)
            if name not in fields and name not in declined and present:
                fields[name] = present
                origins[name] = preset_name
                used.update(present)
    else:
        for name, column in _guess(columns, exclude=set(fields) | declined, used=used).items():
            fields[name] = (column,)
            origins[name] = "by name"
            used.add(column)
    unmapped = tuple(column for column in columns if column not in used)
    return Mapping(fields, origins, unmapped)


def _resolve(column: str, columns: Sequence[str], name: str, origin: str, source: str) -> str:
    if column in columns:
        return column
    wanted = normalise(column)
    for candidate in columns:
        if normalise(candidate) == wanted:
            return candidate
    listed = ", ".join(_quoted(candidate) for candidate in columns[:40])
    more = f" and {len(columns) - 40} more" if len(columns) > 40 else ""
    raise StripdownError(
        f"{origin} maps {name} to column {_quoted(column)}, but {source} has no such column "
        f"(its columns: {listed}{more}); fix the column name"
    )


def _guess(columns: Sequence[str], *, exclude: set[str], used: set[str]) -> dict[str, str]:
    """Assign each field its best-scoring free column, best scores first."""
    candidates: list[tuple[float, int, int, int, str, str]] = []
    for column_index, column in enumerate(columns):
        if column in used:
            continue
        compact = normalise(column).replace("_", "")
        if not compact:
            continue
        for field_index, name in enumerate(MAPPABLE_FIELDS):
            if name in exclude:
                continue
            for synonym_index, synonym in enumerate(FIELD_SYNONYMS[name]):
                score = _score(compact, synonym.replace("_", ""))
                if score is not None:
                    candidates.append((score, -synonym_index, -field_index, -column_index, name, column))
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for *_, name, column in sorted(candidates, reverse=True):
        if name not in chosen and column not in taken:
            chosen[name] = column
            taken.add(column)
    return chosen


def _score(compact: str, synonym: str) -> float | None:
    if compact == synonym:
        return 100.0
    if len(synonym) < MIN_FUZZY_LENGTH or len(compact) < MIN_FUZZY_LENGTH:
        return None
    score = fuzz.ratio(compact, synonym, score_cutoff=FUZZY_CUTOFF)
    return score if score else None


# Snowplow enriched events: the atomic columns that carry each field.
SNOWPLOW_PRESET: dict[str, tuple[str, ...]] = {
    "event_id": ("event_id",),
    "session_id": ("domain_sessionid",),
    "user_id": ("domain_userid",),
    "ts": ("collector_tstamp",),
    "event": ("event_name", "event"),
    "url": ("page_url",),
    "target": ("se_label",),
    "channel": ("refr_medium", "mkt_source"),
    "device": ("dvce_type", "dvce_ismobile"),
    "user_agent": ("useragent",),
}
