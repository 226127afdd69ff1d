"""Session signatures and the groups of look-alike sessions that can be tagged together.

A signature has four parts: the exit URL as a path template, the last message of the timeline with
numbers and ids stripped, the names of the last three events, and the session's strongest evidence
signal. Two sessions resemble each other when the weighted similarity of their parts (a rapidfuzz
ratio for the first three, equality for the signal) reaches the similarity threshold
(`signals.similarity`, 0 to 100).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from urllib.parse import unquote

import duckdb
import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from queries.sql import load_sql
from queries.tags import current_states

# How much each part of the signature counts towards the similarity score; they add up to 1. The exit
# page weighs most because sessions that left from different pages rarely share a cause. The signal
# keeps sessions apart that leave the same way for different reasons: on the bundled sample it raised
# the share of grouped sessions sharing one true cause from 63 % to 84 % (bench/signals_bench.py).
WEIGHTS = {"path": 0.3, "message": 0.25, "events": 0.25, "signal": 0.2}

EVENT_SEPARATOR = " > "
PART_SEPARATOR = " | "
MESSAGE_LIMIT = 120

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A hex string of 8 or more characters with at least one digit: a hash, a commit or an object id.
_HEX = re.compile(r"\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b")
# A run of 16 or more letters, digits, dashes or underscores mixing letters and digits: a token.
_TOKEN = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{16,}\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SCHEME_AND_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")
_SPACES = re.compile(r"\s+")
# Words and the single characters between them; together they rebuild the text exactly.
_WORD = re.compile(r"\w+|\W", re.DOTALL)


@dataclass(frozen=True)
class Signature:
    """The shape of a session's exit, with the details that differ between visitors removed."""

    session_id: str
    path: str
    message: str
    events: tuple[str, ...]
    signal: str = ""

    @property
    def event_path(self) -> str:
        """The last event names joined as "view > submit > error"."""
        return EVENT_SEPARATOR.join(self.events)

    @property
    def text(self) -> str:
        """The whole signature on one line; the signal is left out when the session has none."""
        parts = (self.path, self.message, self.event_path, *((self.signal,) if self.signal else ()))
        return PART_SEPARATOR.join(parts)


@dataclass(frozen=True)
class SimilarSession:
    """A session that resembles another one, with its score (0 to 100) and its place in the sample."""

    session_id: str
    score: float
    position: int
    signature: Signature


@dataclass(frozen=True)
class Group:
    """A session of the sample and the other sessions that resemble it."""

    anchor: str
    members: tuple[str, ...]

    @property
    def size(self) -> int:
        """The number of sessions in the group, the anchor included."""
        return 1 + len(self.members)


def url_template(url: str | None) -> str:
    """Return the URL's path with ids, numbers, hashes, uuids and e-mail addresses replaced.

    "https://shop.example/orders/8812/items/3fa85f64-5717-4562-b3fc-2c963f66afa6?x=1" becomes
    "/orders/{n}/items/{uuid}". Query string and fragment are dropped.
    """
    if not url:
        return ""
    path = _SCHEME_AND_HOST.sub("", url.strip())
    path = re.split(r"[?#]", path, maxsplit=1)[0] or "/"
    # Decoded per segment, so "%20" reads as a space instead of a number and "%2F" stays in its segment.
    return "/".join(_segment_template(unquote(segment)) for segment in path.split("/"))


def message_template(message: str | None) -> str:
    """Return the message with numbers, ids, hashes and e-mail addresses replaced, spaces collapsed."""
    if not message:
        return ""
    text = _UUID.sub("{uuid}", message)
    text = _EMAIL.sub("{email}", text)
    text = _HEX.sub("{hash}", text)
    text = _TOKEN.sub("{token}", text)
    text = _NUMBER.sub("{n}", text)
    return _SPACES.sub(" ", text).strip()[:MESSAGE_LIMIT]


def make_signature(
    session_id: str,
    exit_url: str | None,
    message: str | None,
    events: Iterable[str | None],
    signal: str | None = None,
) -> Signature:
    """Build a signature from a session's exit URL, last message, last event names and strongest signal."""
    names = tuple(name or "?" for name in events)
    return Signature(session_id, url_template(exit_url), message_template(message), names[-3:], signal or "")


def sample_signatures(cursor: duckdb.DuckDBPyConnection, sample_id: int) -> list[tuple[int, Signature]]:
    """Return (position, signature) for every session of the sample, in sample order."""
    rows = cursor.execute(load_sql("similar_signatures.sql"), [sample_id, sample_id]).fetchall()
    return [
        (int(position), make_signature(session_id, exit_url, message, events or (), signal))
        for session_id, position, exit_url, message, events, signal in rows
    ]


class SimilarityIndex:
    """Pairwise similarity scores of a set of signatures, computed once with rapidfuzz."""

    def __init__(self, signatures: list[tuple[int, Signature]], threshold: float) -> None:
        self.threshold = threshold
        self.signatures = [signature for _, signature in signatures]
        self.positions = [position for position, _ in signatures]
        self._row = {signature.session_id: index for index, signature in enumerate(self.signatures)}
        self.scores = _score_matrix(self.signatures)

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._row

    def signature(self, session_id: str) -> Signature | None:
        """Return the session's signature, or None when it is not in the index."""
        row = self._row.get(session_id)
        return None if row is None else self.signatures[row]

    def similar(self, session_id: str, among: Collection[str] | None = None) -> list[SimilarSession]:
        """Return the sessions resembling this one, best first, limited to `among` when given.

        The session itself is never in the result.
        """
        row = self._row.get(session_id)
        if row is None:
            return []
        matches = np.flatnonzero(self.scores[row] >= self.threshold)
        found = [
            SimilarSession(
                self.signatures[index].session_id,
                round(float(self.scores[row, index]), 1),
                self.positions[index],
                self.signatures[index],
            )
            for index in matches
            if index != row and (among is None or self.signatures[index].session_id in among)
        ]
        return sorted(found, key=lambda match: (-match.score, match.position))

    def counts(self, among: Collection[str] | None = None) -> dict[str, int]:
        """Return, for every indexed session, how many sessions of `among` (or of all) resemble it."""
        close = self.scores >= self.threshold
        np.fill_diagonal(close, False)
        if among is not None:
            close &= np.array([signature.session_id in among for signature in self.signatures], dtype=bool)
        totals = close.sum(axis=1)
        return {signature.session_id: int(totals[index]) for index, signature in enumerate(self.signatures)}

    def groups(self, among: Collection[str] | None = None) -> list[Group]:
        """Split the sessions into groups of two or more, largest first, each session in at most one.

        The session with the most look-alikes left becomes an anchor and takes them all, and so on,
        which is how the tag-all-similar screen groups sessions around the one on screen.
        """
        eligible = np.array(
            [among is None or signature.session_id in among for signature in self.signatures], dtype=bool
        )
        close = (self.scores >= self.threshold) & eligible & eligible[:, np.newaxis]
        np.fill_diagonal(close, False)
        found: list[Group] = []
        while True:
            totals = close.sum(axis=1)
            anchor = int(np.argmax(totals)) if len(totals) else 0
            if not len(totals) or totals[anchor] == 0:
                return found
            members = np.flatnonzero(close[anchor])
            found.append(
                Group(
                    self.signatures[anchor].session_id,
                    tuple(self.signatures[index].session_id for index in members),
                )
            )
            grouped = np.append(members, anchor)
            close[grouped, :] = False
            close[:, grouped] = False


def build_index(cursor: duckdb.DuckDBPyConnection, sample_id: int, threshold: float) -> SimilarityIndex:
    """Read the sample's signatures and score every pair."""
    return SimilarityIndex(sample_signatures(cursor, sample_id), threshold)


def untagged_sessions(
    cursor: duckdb.DuckDBPyConnection, sample_id: int, auditor: str | None = None
) -> set[str]:
    """Return the sample's sessions that carry no reason: never tagged, cleared, skipped or flagged.

    With an auditor, only that auditor's tags count; without one, a tag by anyone counts.
    """
    sampled = {
        row[0]
        for row in cursor.execute(
            "SELECT DISTINCT session_id FROM samples WHERE sample_id = ?", [sample_id]
        ).fetchall()
    }
    tagged = {
        session_id
        for session_id, state in current_states(cursor, auditor).items()
        if state.action != "clear" and state.reason is not None
    }
    return sampled - tagged


def similar_sessions(
    cursor: duckdb.DuckDBPyConnection,
    sample_id: int,
    session_id: str,
    threshold: float,
    untagged_only: bool = True,
    auditor: str | None = None,
) -> list[SimilarSession]:
    """Return the sample's sessions resembling `session_id` (itself excluded), best first.

    With `untagged_only`, sessions that already carry a reason (for `auditor`, or for anyone when
    no auditor is given) are left out.
    """
    index = build_index(cursor, sample_id, threshold)
    among = untagged_sessions(cursor, sample_id, auditor) if untagged_only else None
    return index.similar(session_id, among)


def group_sample(
    cursor: duckdb.DuckDBPyConnection,
    sample_id: int,
    threshold: float,
    untagged_only: bool = False,
    auditor: str | None = None,
) -> list[Group]:
    """Return the groups of look-alike sessions of the sample, largest first."""
    index = build_index(cursor, sample_id, threshold)
    among = untagged_sessions(cursor, sample_id, auditor) if untagged_only else None
    return index.groups(among)


def difference_spans(reference: str, other: str) -> list[tuple[int, int]]:
    """Return the (start, end) character spans of `other` whose words are not in `reference`.

    The texts are compared word by word, so "/cart/pay" against "/cart/shipping" marks all of
    "shipping" rather than the letters the two words happen not to share.
    """
    reference_tokens = _WORD.findall(reference)
    other_tokens = _WORD.findall(other)
    offsets = [0]
    for token in other_tokens:
        offsets.append(offsets[-1] + len(token))
    spans: list[tuple[int, int]] = []
    for opcode in Indel.opcodes(reference_tokens, other_tokens):
        if opcode.tag == "equal" or opcode.dest_end == opcode.dest_start:
            continue
        start, end = offsets[opcode.dest_start], offsets[opcode.dest_end]
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _segment_template(segment: str) -> str:
    if not segment:
        return segment
    if _UUID.fullmatch(segment):
        return "{uuid}"
    if _EMAIL.fullmatch(segment):
        return "{email}"
    if segment.isdigit():
        return "{n}"
    if _HEX.fullmatch(segment):
        return "{hash}"
    if _TOKEN.fullmatch(segment):
        return "{token}"
    # Slugs keep their words: "red-shoe-42" becomes "red-shoe-{n}"; a single digit ("v2") stays.
    return re.sub(r"\d{2,}", "{n}", segment)


def _score_matrix(signatures: list[Signature]) -> NDArray[np.float32]:
    """Return the weighted similarity (0 to 100) of every pair of signatures."""
    parts = {
        "path": [signature.path for signature in signatures],
        "message": [signature.message for signature in signatures],
        "events": [signature.event_path for signature in signatures],
    }
    total = np.zeros((len(signatures), len(signatures)), dtype=np.float32)
    for name, texts in parts.items():
        total += WEIGHTS[name] * process.cdist(texts, texts, scorer=fuzz.ratio, dtype=np.float32)
    # Signal names are categories, so two either match or do not: "rage_click" and "quick_back"
    # share letters but not meaning.
    codes: dict[str, int] = {}
    signals = np.array([codes.setdefault(signature.signal, len(codes)) for signature in signatures])
    total += WEIGHTS["signal"] * 100.0 * (signals[:, np.newaxis] == signals[np.newaxis, :])
    return total
