"""Session signatures and look-alike grouping on hand-made signatures and a real workspace."""

from __future__ import annotations

from typing import Any

import pytest

from queries import tags
from queries.config import Config
from queries.signals import compute_signals
from queries.similar import (
    Signature,
    SimilarityIndex,
    difference_spans,
    group_sample,
    make_signature,
    message_template,
    sample_signatures,
    similar_sessions,
    untagged_sessions,
    url_template,
)
from queries.workspace import Workspace
from tests.test_signals import add_session


@pytest.mark.parametrize(
    ("url", "template"),
    [
        ("https://shop.example/orders/8812/items/3", "/orders/{n}/items/{n}"),
        ("/checkout/3fa85f64-5717-4562-b3fc-2c963f66afa6/pay?step=2#top", "/checkout/{uuid}/pay"),
        ("/files/9f86d081884c7d65/download", "/files/{hash}/download"),
        ("/reset/eyJhbGciOiJIUzI1NiJ9x7", "/reset/{token}"),
        ("/users/ann@example.com/settings", "/users/{email}/settings"),
        ("/p/red-shoe-42/v2", "/p/red-shoe-{n}/v2"),
        ("https://shop.example", "/"),
        ("/cart/", "/cart/"),
        ("/blog/tags/installer%20failure", "/blog/tags/installer failure"),
        ("/orders/8812%2F7", "/orders/{n}/7"),
        ("", ""),
        (None, ""),
    ],
)
def test_url_template(url: str | None, template: str) -> None:
    assert url_template(url) == template


@pytest.mark.parametrize(
    ("message", "template"),
    [
        ("Card 4242 declined, retry in 30s", "Card {n} declined, retry in {n}s"),
        ("Order ab12cd34ef56 failed for ann@example.com", "Order {hash} failed for {email}"),
        ("Request 3fa85f64-5717-4562-b3fc-2c963f66afa6 timed out", "Request {uuid} timed out"),
        ("Total 1,299.50 exceeds limit", "Total {n} exceeds limit"),
        ("  Enter   a valid\npostcode ", "Enter a valid postcode"),
        (None, ""),
    ],
)
def test_message_template(message: str | None, template: str) -> None:
    assert message_template(message) == template


def test_message_template_caps_length() -> None:
    assert len(message_template("x" * 500)) == 120


def test_signature_keeps_last_three_events() -> None:
    signature = make_signature(
        "s1", "/pay/12", "Card 42 declined", ["view", "click", None, "submit", "error"]
    )

    assert signature.events == ("?", "submit", "error")
    assert signature.text == "/pay/{n} | Card {n} declined | ? > submit > error"


def index_of(*parts: tuple[Any, ...], threshold: float = 85.0) -> SimilarityIndex:
    return SimilarityIndex(
        [(position, make_signature(*part)) for position, part in enumerate(parts)], threshold
    )


CHECKOUT_EVENTS = ["page_view", "form_submit", "api_error"]


def test_index_matches_templated_ids() -> None:
    index = index_of(
        ("a", "/checkout/1/pay", "Card 4242 declined", CHECKOUT_EVENTS),
        ("b", "/checkout/2/pay", "Card 1111 declined", CHECKOUT_EVENTS),
        ("c", "/signup", "Enter a valid postcode", ["page_view", "form_submit", "validation_error"]),
    )

    assert [match.session_id for match in index.similar("a")] == ["b"]
    assert index.similar("a")[0].score == 100.0
    assert index.similar("c") == []
    assert index.similar("missing") == []


def test_index_message_presence_splits() -> None:
    index = index_of(
        ("a", "/cart", "Out of stock", ["page_view", "click", "api_error"]),
        ("b", "/cart", None, ["page_view", "click", "api_error"]),
    )

    assert index.scores[0, 1] == pytest.approx(75.0)
    assert index.similar("a") == []


def test_index_threshold_boundary() -> None:
    index = index_of(
        ("a", "/cart", "Out of stock", ["page_view", "click", "api_error"]),
        ("b", "/cart", None, ["page_view", "click", "api_error"]),
        threshold=75.0,
    )

    assert [match.session_id for match in index.similar("a")] == ["b"]
    index.threshold = 75.5
    assert index.similar("a") == []


def test_index_signal_must_match_exactly() -> None:
    index = index_of(
        ("a", "/cart", None, ["page_view", "click", "click"], "rage_click"),
        ("b", "/cart", None, ["page_view", "click", "click"], "quick_back"),
        ("c", "/cart", None, ["page_view", "click", "click"], "rage_click"),
    )

    assert index.scores[0, 1] == pytest.approx(80.0)
    assert [match.session_id for match in index.similar("a")] == ["c"]
    assert index.signature("a").text == "/cart |  | page_view > click > click | rage_click"


def test_index_orders_best_first_then_sample_order() -> None:
    index = index_of(
        ("a", "/checkout/1/pay", "Card declined", CHECKOUT_EVENTS),
        ("b", "/checkout/2/payment", "Card declined", CHECKOUT_EVENTS),
        ("c", "/checkout/3/pay", "Card declined", CHECKOUT_EVENTS),
        ("d", "/checkout/4/pay", "Card declined", CHECKOUT_EVENTS),
    )

    assert [match.session_id for match in index.similar("a")] == ["c", "d", "b"]


def test_index_limits_to_among() -> None:
    index = index_of(
        ("a", "/pay", "Declined", CHECKOUT_EVENTS),
        ("b", "/pay", "Declined", CHECKOUT_EVENTS),
        ("c", "/pay", "Declined", CHECKOUT_EVENTS),
    )

    assert [match.session_id for match in index.similar("a", among={"c"})] == ["c"]
    assert index.counts() == {"a": 2, "b": 2, "c": 2}
    assert index.counts(among={"a", "b"}) == {"a": 1, "b": 1, "c": 2}


def test_groups_take_each_session_once() -> None:
    index = index_of(
        ("a", "/pay", "Declined", CHECKOUT_EVENTS),
        ("b", "/pay", "Declined", CHECKOUT_EVENTS),
        ("c", "/pay", "Declined", CHECKOUT_EVENTS),
        ("d", "/signup", "Enter a valid postcode", ["form_submit", "validation_error"]),
        ("e", "/signup", "Enter a valid postcode", ["form_submit", "validation_error"]),
        ("f", "/products/7", None, ["page_view"]),
    )

    groups = index.groups()

    assert [(group.anchor, group.members) for group in groups] == [("a", ("b", "c")), ("d", ("e",))]
    assert [group.size for group in groups] == [3, 2]
    assert [group.anchor for group in index.groups(among={"b", "c", "f"})] == ["b"]


def test_groups_of_empty_index() -> None:
    index = SimilarityIndex([], 85.0)

    assert index.groups() == []
    assert index.counts() == {}


def test_difference_spans_by_word() -> None:
    assert difference_spans("/checkout/{n}/pay", "/checkout/{n}/shipping") == [(14, 22)]
    assert difference_spans("view > submit > error", "view > click > error") == [(7, 12)]
    assert difference_spans("same", "same") == []
    assert difference_spans("", "new text") == [(0, 8)]
    assert difference_spans("old text", "") == []


# --- reading signatures from a workspace ----------------------------------------------------------


@pytest.fixture
def sampled(workspace: Workspace) -> Workspace:
    cursor = workspace.cursor()
    for session_id, order in (("s1", 11), ("s2", 22), ("s3", 33)):
        add_session(
            cursor,
            session_id,
            [
                {"at": 0, "event": "page_view", "url": f"/checkout/{order}/pay"},
                {
                    "at": 5,
                    "event": "form_submit",
                    "url": f"/checkout/{order}/pay",
                    "message": f"Card {order} declined",
                },
                {"at": 6, "event": "api_error", "url": f"/checkout/{order}/pay", "status": 502},
            ],
        )
    add_session(cursor, "other", [{"at": 0, "event": "page_view", "url": "/products/9"}])
    return workspace


def test_sample_signatures_read_from_workspace(sampled: Workspace) -> None:
    signatures = sample_signatures(sampled.cursor(), 1)

    assert [position for position, _ in signatures] == [0, 1, 2, 3]
    assert signatures[0][1] == Signature(
        "s1", "/checkout/{n}/pay", "Card {n} declined", ("page_view", "form_submit", "api_error")
    )
    assert signatures[3][1] == Signature("other", "/products/{n}", "", ("page_view",))


def test_sample_signatures_carry_strongest_signal(sampled: Workspace) -> None:
    cursor = sampled.cursor()
    compute_signals(cursor, 1, Config())

    signatures = dict((signature.session_id, signature) for _, signature in sample_signatures(cursor, 1))

    assert signatures["s1"].signal == "error"
    assert signatures["other"].signal == ""


def test_sample_signatures_use_last_url_without_session_row(sampled: Workspace) -> None:
    cursor = sampled.cursor()
    cursor.execute("UPDATE sessions SET exit_url = NULL WHERE session_id = 'other'")

    assert sample_signatures(cursor, 1)[3][1].path == "/products/{n}"


def test_similar_sessions_skips_tagged(sampled: Workspace) -> None:
    cursor = sampled.cursor()
    tags.append(cursor, "s2", "ann", "tag", reason="broken_code")
    tags.append(cursor, "s3", "bob", "tag", reason="broken_code")

    for_ann = similar_sessions(cursor, 1, "s1", 85.0, auditor="ann")
    for_anyone = similar_sessions(cursor, 1, "s1", 85.0)
    everyone = similar_sessions(cursor, 1, "s1", 85.0, untagged_only=False)

    assert [match.session_id for match in for_ann] == ["s3"]
    assert for_anyone == []
    assert [match.session_id for match in everyone] == ["s2", "s3"]


def test_untagged_counts_skips_and_clears(sampled: Workspace) -> None:
    cursor = sampled.cursor()
    tags.append(cursor, "s1", "ann", "skip")
    tags.append(cursor, "s2", "ann", "tag", reason="broken_code")
    tags.append(cursor, "s2", "ann", "clear")
    tags.append(cursor, "s3", "ann", "tag", reason="broken_code")

    assert untagged_sessions(cursor, 1, "ann") == {"s1", "s2", "other"}


def test_group_sample(sampled: Workspace) -> None:
    groups = group_sample(sampled.cursor(), 1, 85.0)

    assert [(group.anchor, group.members) for group in groups] == [("s1", ("s2", "s3"))]
