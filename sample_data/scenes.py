"""Scenes: the short runs of events that sessions of the sample export are assembled from.

A session plan is a list of `stage:scene` items. Each scene is a fixed list of steps, and each step
becomes one event. A step's text fields are lists of choices. A choice is a plain value or `@name`.
Stage names such as `@page` or `@button` are resolved from `catalog.STAGE_CONTEXT` when the step
table is built. Session names (`@landing`, `@product`, `@product_b`, `@order`) are resolved from
the session's plan when SQL expands the events.

Choices are picked with one random draw per session and scene, so the steps of a scene that offer
the same list pick the same value, and a scene repeated for rage clicks or form retries hits the
same target each time. A step marked `vary` draws again for every event instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from sample_data import catalog

# Placeholders that the SQL expansion fills from the session plan.
SESSION_PLACEHOLDERS = ("@landing", "@product", "@product_b", "@order")

# Scenes that take place on no particular funnel stage use this context name.
SITE = "site"


@dataclass(frozen=True)
class Step:
    """One event of a scene; `wait` is the range of seconds since the previous event."""

    event: str
    url: tuple[str, ...] = ("@page",)
    element: tuple[str, ...] = ()
    status: tuple[int, ...] = ()
    message: str | None = None
    wait: tuple[float, float] = (2.0, 20.0)
    load_ms: tuple[int, int] | None = None
    vary: bool = False


def _page(url: str = "@page", wait: tuple[float, float] = (3.0, 30.0), **fields: object) -> Step:
    load = fields.pop("load_ms", (350, 2400))
    status = fields.pop("status", (200,))
    return Step("page_view", (url,), status=status, wait=wait, load_ms=load, **fields)  # type: ignore[arg-type]


def _click(
    *elements: str, wait: tuple[float, float] = (2.0, 20.0), url: str = "@page", vary: bool = False
) -> Step:
    return Step("click", (url,), elements, wait=wait, vary=vary)


def _scroll(wait: tuple[float, float] = (2.0, 25.0), url: str = "@page") -> Step:
    return Step("scroll", (url,), ("window",), wait=wait)


def _site_page(urls: tuple[str, ...], wait: tuple[float, float], load_ms: tuple[int, int]) -> Step:
    return Step("page_view", urls, status=(200,), wait=wait, load_ms=load_ms)


def _bot_page(urls: tuple[str, ...], status: int, load_ms: tuple[int, int]) -> Step:
    return Step("page_view", urls, status=(status,), wait=(0.2, 3.0), load_ms=load_ms, vary=True)


_COLLECTION_PAGES = tuple(f"/collections/{name}" for name in catalog.COLLECTIONS)
_SEARCH_PAGES = tuple(f"/search?q={query}" for query in catalog.SEARCHES)
_BLOG_PAGES = tuple(f"/blog/{post}" for post in catalog.BLOG_POSTS)
_PRODUCT_PAGES = tuple(f"/products/{slug}" for slug in catalog.PRODUCTS)


_BROWSE_CLICKS = ("a.product-card", "button.filter-toggle", "nav a.menu-link", "img.hero-banner")
_CART_CLICKS = ("button.qty-plus", "button.qty-minus", "img.cart-item__image")
_SHIPPING_FIELDS = (
    "input#first-name",
    "input#postcode",
    "input#address-line1",
    "select#country",
    "input#phone",
)
_PAYMENT_FIELDS = (
    "input#card-number",
    "input#card-expiry",
    "input#card-cvc",
    "input#card-name",
    'label[for="save-card"]',
)
_PRODUCT_CLICKS = ("div.product-gallery img", "button.size-option", "a.reviews-link", "button.colour-swatch")

SCENES: dict[str, tuple[Step, ...]] = {
    # Arriving and browsing outside the funnel.
    "landing": (_page("@landing", wait=(0.0, 0.0)),),
    "browse_home": (_page("/"), _click(*_BROWSE_CLICKS, url="/", vary=True)),
    "browse_collection": (
        _site_page(_COLLECTION_PAGES, (3.0, 30.0), (350, 2400)),
        Step("scroll", _COLLECTION_PAGES, ("window",), wait=(2.0, 25.0)),
        Step("click", _COLLECTION_PAGES, _BROWSE_CLICKS, wait=(2.0, 20.0)),
    ),
    "browse_search": (_site_page(_SEARCH_PAGES, (4.0, 25.0), (300, 1800)),),
    "browse_blog": (
        _site_page(_BLOG_PAGES, (4.0, 40.0), (300, 2000)),
        Step("scroll", _BLOG_PAGES, ("window",), wait=(10.0, 90.0)),
    ),
    # The funnel stages: arriving on the stage, then the action that moves on to the next one.
    "product_view": (
        _page("@product"),
        _scroll(url="@product"),
        _click(*_PRODUCT_CLICKS, url="@product", vary=True),
        _scroll(url="@product"),
        _click(*_PRODUCT_CLICKS, url="@product", vary=True),
    ),
    "product_dwell": (
        _scroll(url="@product"),
        _click(*_PRODUCT_CLICKS, url="@product", vary=True),
        _click(*_PRODUCT_CLICKS, url="@product", vary=True),
    ),
    "product_b_view": (_page("@product_b"), _scroll(url="@product_b")),
    "product_advance": (
        _click("button#add-to-cart", url="@product", wait=(3.0, 40.0)),
        Step("add_to_cart", ("@product",), ("button#add-to-cart",), wait=(0.1, 0.5)),
        Step(
            "api_request",
            ("@product",),
            ("POST /api/cart/items",),
            (201,),
            wait=(0.05, 0.3),
            load_ms=(80, 650),
        ),
    ),
    "cart_view": (
        _page("/cart"),
        _scroll(wait=(2.0, 15.0)),
        _click(*_CART_CLICKS, vary=True),
    ),
    "cart_advance": (_click("button.cart__checkout", wait=(2.0, 30.0)),),
    "shipping_view": (
        _page("/checkout/shipping"),
        *(_click(*_SHIPPING_FIELDS, vary=True, wait=(3.0, 25.0)) for _ in range(3)),
    ),
    "shipping_advance": (
        Step("form_submit", ("@page",), ("form#shipping-address",), (200,), wait=(20.0, 120.0)),
    ),
    "payment_view": (
        _page("/checkout/payment"),
        *(_click(*_PAYMENT_FIELDS, vary=True, wait=(3.0, 25.0)) for _ in range(3)),
    ),
    "payment_advance": (
        _click("button#place-order", wait=(15.0, 90.0)),
        Step(
            "api_request",
            ("@page",),
            ("POST /api/checkout/payment-intents",),
            (200,),
            wait=(0.05, 0.3),
            load_ms=(400, 2600),
        ),
    ),
    "confirmation": (
        _page("@order", wait=(1.0, 4.0)),
        Step("purchase", ("@order",), wait=(0.2, 1.0)),
    ),
    # Time on a stage that shows nothing in particular.
    "dwell": (
        _scroll(wait=(3.0, 40.0)),
        _click("a.logo", "button.accordion-toggle", "img.trust-badge", wait=(2.0, 30.0), vary=True),
    ),
    # Trouble, always on the stage named by the plan item.
    "js_error": (
        _click("@button", wait=(3.0, 40.0)),
        Step("js_error", ("@page",), message="js_error", wait=(0.05, 0.6)),
    ),
    "js_error_silent": (Step("js_error", ("@page",), message="js_error", wait=(1.0, 30.0)),),
    "server_error": (
        _click("@button", wait=(3.0, 40.0)),
        Step(
            "api_request",
            ("@page",),
            ("@api",),
            catalog.SERVER_STATUSES,
            "server_error",
            wait=(0.05, 0.3),
            load_ms=(150, 9000),
        ),
    ),
    "retry_click": (_click("@button", wait=(1.5, 9.0)),),
    "rage_click": (_click("@button", wait=(0.12, 0.7)),),
    "rage_hidden": (_click("@hidden", wait=(0.12, 0.7)),),
    "tap_hidden": (_click("@hidden", wait=(1.5, 8.0)),),
    "scroll_hunt": (_scroll(wait=(1.0, 6.0)),),
    "form_retry": (Step("form_submit", ("@page",), ("@form",), (422,), "@validation", wait=(6.0, 45.0)),),
    "dead_link": (
        _click("@help_link", wait=(3.0, 40.0)),
        Step(
            "page_view", catalog.DEAD_PAGES, status=(404,), message=None, wait=(0.3, 2.0), load_ms=(90, 600)
        ),
    ),
    "return_to_page": (_page(wait=(3.0, 15.0)),),
    "quick_back": (_page("@back", wait=(2.0, 7.0)), _page(wait=(1.5, 6.0))),
    "help_detour": (
        Step("page_view", catalog.HELP_PAGES, status=(200,), wait=(5.0, 30.0), load_ms=(300, 1800)),
        _scroll(wait=(5.0, 40.0), url="@help"),
        _page(wait=(12.0, 40.0)),
    ),
    "reread": (
        _scroll(wait=(10.0, 60.0)),
        _click("span.info-icon", "details.delivery-faq summary", "a.tooltip-trigger", wait=(3.0, 30.0)),
    ),
    "slow_page": (_page(wait=(5.0, 40.0), load_ms=(4500, 16000)),),
    "slow_api": (
        Step("api_request", ("@page",), ("@api",), (200,), wait=(1.0, 10.0), load_ms=(5200, 21000)),
    ),
    "sluggish_page": (_page(wait=(5.0, 40.0), load_ms=(2200, 2950)),),
    "idle_resume": (_page(wait=(660.0, 4800.0)),),
    "idle_scroll": (_scroll(wait=(660.0, 4800.0)),),
    "coupon_fail": (
        _click("button#apply-coupon", wait=(5.0, 30.0)),
        Step("apply_coupon", ("@page",), ("form#discount-code",), (200,), "coupon", wait=(0.3, 1.5)),
    ),
    "remove_item": (
        _click("button.cart-item__remove", wait=(3.0, 25.0)),
        Step("remove_from_cart", ("/cart",), ("button.cart-item__remove",), wait=(0.1, 0.5)),
    ),
    "shipping_costs": (
        _click(
            'input[name="shipping-method"][value="express"]',
            'input[name="shipping-method"][value="standard"]',
            wait=(4.0, 25.0),
        ),
        _scroll(wait=(3.0, 20.0)),
    ),
    "compare_product": (_page("@product_b", wait=(3.0, 20.0)), _page("@product", wait=(5.0, 40.0))),
    "benign_error": (Step("js_error", ("@page",), message="benign_error", wait=(0.5, 15.0)),),
    # Crawlers and automated tests.
    "bot_page": (_bot_page(catalog.BOT_PAGES, 200, (40, 300)),),
    "bot_product": (_bot_page(_PRODUCT_PAGES, 200, (40, 300)),),
    "bot_dead": (_bot_page(catalog.DEAD_PAGES, 404, (30, 120)),),
    "test_decline": (
        _click("button#place-order", wait=(0.5, 2.0)),
        Step(
            "api_request",
            ("@page",),
            ("POST /api/checkout/payment-intents",),
            (402,),
            "test_decline",
            wait=(0.05, 0.3),
            load_ms=(300, 900),
        ),
    ),
    "test_fill": (Step("form_submit", ("@page",), ("@form",), (200,), wait=(0.4, 2.0)),),
}

STEPS_SCHEMA = pa.schema(
    [
        ("stage", pa.string()),
        ("scene", pa.string()),
        ("scene_salt", pa.int64()),
        ("step", pa.int32()),
        ("event", pa.string()),
        ("url", pa.list_(pa.string())),
        ("element", pa.list_(pa.string())),
        ("status", pa.list_(pa.int32())),
        ("message", pa.list_(pa.string())),
        ("wait_min", pa.float64()),
        ("wait_max", pa.float64()),
        ("load_min", pa.int32()),
        ("load_max", pa.int32()),
        ("vary", pa.bool_()),
    ]
)


def scene_length(scene: str) -> int:
    """Return the number of events a scene adds."""
    return len(SCENES[scene])


def _resolve(choices: tuple[str, ...], stage: str) -> list[str] | None:
    """Expand stage placeholders; return None when the stage lacks one the choices need."""
    context = catalog.STAGE_CONTEXT.get(stage, {})
    resolved: list[str] = []
    for choice in choices:
        name = choice[1:]
        if not choice.startswith("@") or choice in SESSION_PLACEHOLDERS:
            resolved.append(choice)
        elif name == "help":
            resolved.extend(catalog.HELP_PAGES)
        elif name in context:
            resolved.extend(context[name])
        else:
            return None
    return resolved


def _messages(key: str | None, stage: str) -> list[str] | None:
    if key is None:
        return []
    if key.startswith("@"):
        return _resolve((key,), stage)
    return list(catalog.MESSAGES[key])


def _step_row(stage: str, scene: str, salt: int, index: int, step: Step) -> dict[str, object] | None:
    url = _resolve(step.url, stage)
    element = _resolve(step.element, stage)
    message = _messages(step.message, stage)
    if url is None or element is None or message is None:
        return None
    load = step.load_ms or (None, None)
    return {
        "stage": stage,
        "scene": scene,
        "scene_salt": salt,
        "step": index,
        "event": step.event,
        "url": url,
        "element": element,
        "status": list(step.status),
        "message": message,
        "wait_min": step.wait[0],
        "wait_max": step.wait[1],
        "load_min": load[0],
        "load_max": load[1],
        "vary": step.vary,
    }


def step_table() -> pa.Table:
    """Build one row per step of every scene on every stage whose context has what it needs."""
    rows: list[dict[str, object]] = []
    stages = (SITE, *catalog.STAGE_CONTEXT)
    for salt, (scene, steps) in enumerate(SCENES.items(), start=1):
        for stage in stages:
            scene_rows = [_step_row(stage, scene, salt, index, step) for index, step in enumerate(steps, 1)]
            if all(row is not None for row in scene_rows):
                rows.extend(row for row in scene_rows if row is not None)
    return pa.Table.from_pylist(rows, schema=STEPS_SCHEMA)


def playable_items() -> frozenset[str]:
    """Return every `stage:scene` item the step table can expand."""
    table = step_table()
    return frozenset(
        f"{stage}:{scene}"
        for stage, scene in zip(table["stage"].to_pylist(), table["scene"].to_pylist(), strict=True)
    )
