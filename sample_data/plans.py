"""Plan each session of the sample export: the visitor, what really happens, and the dashboard label.

A plan is one row per session. Its `items` list names the scenes (see `sample_data.scenes`) that the
SQL expansion turns into events, and `cause` is the true exit reason of an exited session. Every
choice comes from one `random.Random(seed)`, so a seed and a session count decide every plan.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

import pyarrow as pa

from sample_data import catalog
from sample_data.scenes import SCENES

T = TypeVar("T")

FUNNEL = ("product", "cart", "shipping", "payment")

# Share of each true cause among exited sessions, and the stages where each cause tends to strike.
CAUSES: dict[str, tuple[float, dict[str, float]]] = {
    "broken_code": (0.16, {"product": 0.1, "cart": 0.15, "shipping": 0.3, "payment": 0.45}),
    "form_rejected_input": (0.13, {"product": 0.05, "shipping": 0.6, "payment": 0.35}),
    "dead_link": (0.06, {"product": 0.35, "cart": 0.35, "shipping": 0.2, "payment": 0.1}),
    "confusing_copy": (0.09, {"cart": 0.2, "shipping": 0.45, "payment": 0.35}),
    "hidden_control": (0.07, {"cart": 0.1, "shipping": 0.5, "payment": 0.4}),
    "too_slow": (0.07, {"product": 0.3, "cart": 0.2, "shipping": 0.2, "payment": 0.3}),
    "price": (0.13, {"product": 0.25, "cart": 0.35, "shipping": 0.3, "payment": 0.1}),
    "interruption": (0.10, {"product": 0.25, "cart": 0.25, "shipping": 0.3, "payment": 0.2}),
    "not_a_real_exit": (0.08, {"product": 0.6, "cart": 0.2, "shipping": 0.2}),
    "cant_tell": (0.11, {"product": 0.4, "cart": 0.3, "shipping": 0.2, "payment": 0.1}),
}

# Share of sessions by outcome; exited sessions get a cause from CAUSES.
OUTCOMES = (("bounced", 0.14), ("converted", 0.16), ("exited", 0.70))

# The dashboard's own label for an exit that shows nothing it recognises.
STAGE_LABELS = {
    "product": "Abandoned at product",
    "cart": "Abandoned cart",
    "shipping": "Abandoned at shipping",
    "payment": "Abandoned at payment",
}
BOUNCE_LABEL = "Bounced"

PLAN_SCHEMA = pa.schema(
    [
        ("story_no", pa.int64()),
        ("visit_no", pa.int64()),
        ("visit_start_ms", pa.int64()),
        ("start_ms", pa.int64()),
        ("user_no", pa.int64()),
        ("channel", pa.string()),
        ("utm_source", pa.string()),
        ("device", pa.string()),
        ("load_factor", pa.float64()),
        ("user_agent", pa.string()),
        ("country", pa.string()),
        ("landing_url", pa.string()),
        ("gclid", pa.bool_()),
        ("product_a", pa.int32()),
        ("product_b", pa.int32()),
        ("label", pa.string()),
        ("outcome", pa.string()),
        ("cause", pa.string()),
        ("items", pa.list_(pa.string())),
        ("events", pa.int32()),
    ]
)

# Python plans at most this many sessions. A larger export replays them as copies, each copy with
# its own ids, users, products, days and random draws (see expand.sql).
POOL_SESSIONS = 20_000

# A landing on the product page. The SQL expansion puts in the session's product, and it appends
# a Google Ads click id when the plan's `gclid` is set.
PRODUCT_LANDING = "/products/{product}"
# The user number of the shop's automated checkout monitor.
TEST_USER_NO = -1

LOAD_FACTORS = {"desktop": 1.0, "tablet": 1.1, "mobile": 1.2}
# Event keys in the SQL expansion leave 6 bits for the step, so a session contains at most this many items.
MAX_ITEMS = 60


class _Picker(Generic[T]):
    """Weighted choice with precomputed cumulative weights (faster than random.choices per call)."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.totals = list(itertools.accumulate(weight for _, weight in pairs))

    def __call__(self, rng: random.Random) -> T:
        return self.values[bisect.bisect_right(self.totals, rng.random() * self.totals[-1])]


def _choice(rng: random.Random, values: Sequence[str]) -> str:
    """Pick uniformly; cheaper than `random.choice`, which matters at half a million sessions."""
    return values[int(rng.random() * len(values))]


def _below(rng: random.Random, stop: int) -> int:
    return int(rng.random() * stop)


def _picker(weights: dict[str, float]) -> _Picker[str]:
    return _Picker(list(weights.items()))


_OUTCOME = _Picker(OUTCOMES)
_CAUSE = _Picker([(cause, share) for cause, (share, _) in CAUSES.items()])
_CAUSE_STAGE = {cause: _picker(stages) for cause, (_, stages) in CAUSES.items()}
_CHANNEL = _Picker([(channel, channel[1]) for channel in catalog.CHANNELS])
_DEVICE = _Picker(catalog.DEVICE_WEIGHTS)
_COUNTRY = _Picker(catalog.COUNTRIES)
_DAY = _Picker(list(enumerate(catalog.DAY_WEIGHTS)))
_HOUR = _Picker(list(enumerate(catalog.HOUR_WEIGHTS)))
WEEK_START_MS = int(datetime.fromisoformat(catalog.WEEK_START + "+00:00").timestamp() * 1000)
WEEK_END_MS = WEEK_START_MS + 7 * 86_400_000


@dataclass
class Plan:
    """One session as the generator intends it, before its events exist."""

    start_ms: int
    channel: str
    utm_source: str
    device: str
    user_agent: str
    country: str
    landing_url: str
    product_a: int
    product_b: int
    gclid: bool = False
    user_no: int | None = None
    outcome: str = "exited"
    cause: str | None = None
    label: str | None = None
    items: list[str] = field(default_factory=list)
    visit_no: int = 0
    visit_start_ms: int = 0


class Planner:
    """Draw session plans one after another from a single seeded random generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.users = 0

    def visits(self) -> Iterator[list[Plan]]:
        """Yield the sessions of one visitor after another: two when the visitor converts elsewhere."""
        while True:
            plan = self._visitor()
            outcome = _OUTCOME(self.rng)
            if outcome == "bounced":
                self._bounce(plan)
            elif outcome == "converted":
                self._convert(plan)
            else:
                partner = self._exit(plan, _CAUSE(self.rng))
                if partner is not None:
                    yield [plan, partner]
                    continue
            yield [plan]

    # Who arrives, when and from where.

    def _visitor(self) -> Plan:
        rng = self.rng
        channel, _, sources, landings = _CHANNEL(rng)
        device = _DEVICE(rng)
        product_a = _below(rng, len(catalog.PRODUCTS))
        product_b = (product_a + 1 + _below(rng, len(catalog.PRODUCTS) - 1)) % len(catalog.PRODUCTS)
        landing = _choice(rng, landings)
        if landing == "product":
            landing = PRODUCT_LANDING
        else:
            landing = landing.format(
                collection=_choice(rng, catalog.COLLECTIONS), post=_choice(rng, catalog.BLOG_POSTS)
            )
        return Plan(
            start_ms=self._start_ms(),
            channel=channel,
            utm_source=_choice(rng, sources),
            device=device,
            user_agent=_choice(rng, catalog.USER_AGENTS[device]),
            country=_COUNTRY(rng),
            landing_url=landing,
            gclid=channel == "paid search" and landing == PRODUCT_LANDING,
            product_a=product_a,
            product_b=product_b,
            user_no=self._user(0.35),
        )

    def _start_ms(self) -> int:
        rng = self.rng
        day, hour = _DAY(rng), _HOUR(rng)
        return WEEK_START_MS + ((day * 24 + hour) * 3600 + _below(rng, 3600)) * 1000 + _below(rng, 1000)

    def _user(self, logged_in: float) -> int | None:
        """Return a user number, often one seen before, or None for an anonymous visitor."""
        rng = self.rng
        if rng.random() >= logged_in:
            return None
        if self.users and rng.random() < 0.3:
            return _below(rng, self.users)
        self.users += 1
        return self.users - 1

    # Outcomes.

    def _bounce(self, plan: Plan) -> None:
        plan.outcome = "bounced"
        plan.label = BOUNCE_LABEL
        if plan.landing_url.startswith(PRODUCT_LANDING):
            plan.landing_url = "/"
            plan.gclid = False
        browse = ("browse_home", "browse_collection", "browse_search", "browse_blog")
        plan.items = ["site:landing"] + [
            f"site:{_choice(self.rng, browse)}" for _ in range(_below(self.rng, 3))
        ]
        if self.rng.random() < 0.08:
            self._crawl(plan, entered=False)

    def _convert(self, plan: Plan) -> None:
        rng = self.rng
        plan.outcome = "converted"
        if plan.user_no is None:
            plan.user_no = self._user(0.6)
        hiccups: dict[str, list[str]] = {}
        roll = rng.random()
        if roll < 0.05:
            hiccups["shipping"] = ["form_retry", "dwell"]
        elif roll < 0.08:
            hiccups[_choice(rng, FUNNEL)] = ["slow_page"]
        elif roll < 0.11:
            hiccups["payment"] = ["server_error", "retry_click"]
        plan.items = self._journey(plan, "payment", hiccups)
        plan.items += ["payment:payment_advance", "payment:confirmation"]
        self._add_noise(plan)

    def _exit(self, plan: Plan, cause: str) -> Plan | None:
        rng = self.rng
        plan.cause = cause
        stage = _CAUSE_STAGE[cause](rng)
        partner = None
        if cause == "not_a_real_exit":
            flavour = rng.random()
            if flavour < 0.55:
                self._crawl(plan, entered=True)
                stage = "product"
            elif flavour < 0.7:
                self._test_run(plan)
                stage = "payment"
            else:
                plan.items = self._journey(plan, stage, {stage: ["dwell"]})
                partner = self._converted_elsewhere(plan)
        else:
            trouble = TROUBLE[cause](rng, stage, plan)
            plan.items = self._journey(plan, stage, {stage: trouble})
        if not plan.label:
            plan.label = analytics_label(rng, stage, plan.items)
        self._add_noise(plan)
        return partner

    def _journey(self, plan: Plan, last_stage: str, trouble: dict[str, list[str]]) -> list[str]:
        """Return the items from landing up to `last_stage`, with each stage's trouble after its view."""
        rng = self.rng
        items = ["site:landing"]
        if plan.landing_url.startswith(PRODUCT_LANDING):
            items.append("product:product_dwell")
        else:
            browse = ("browse_home", "browse_collection", "browse_search")
            items += [f"site:{_choice(rng, browse)}" for _ in range(_below(rng, 2))]
            if rng.random() < 0.3:
                items.append("product:product_b_view")
            items.append("product:product_view")
        for index, stage in enumerate(FUNNEL[: FUNNEL.index(last_stage) + 1]):
            if index > 0:
                items += [f"{FUNNEL[index - 1]}:{FUNNEL[index - 1]}_advance", f"{stage}:{stage}_view"]
            items += [f"{stage}:{scene}" for scene in trouble.get(stage, [])]
        return items

    def _crawl(self, plan: Plan, entered: bool) -> None:
        rng = self.rng
        plan.device = "desktop"
        plan.channel = "direct"
        plan.utm_source = ""
        plan.user_no = None
        plan.user_agent = _choice(rng, catalog.KNOWN_CRAWLERS + catalog.UNKNOWN_CRAWLERS)
        plan.landing_url = _choice(rng, catalog.BOT_PAGES)
        plan.gclid = False
        crawl = ["bot_product" if entered else "bot_page" for _ in range(3 + _below(rng, 10))]
        crawl += ["bot_page" for _ in range(_below(rng, 3))]
        # Dead pages include old product URLs, which would put a crawler into the funnel.
        if entered and rng.random() < 0.3:
            crawl.append("bot_dead")
        rng.shuffle(crawl)
        plan.items = ["site:landing"] + [f"site:{scene}" for scene in crawl]
        if plan.user_agent in catalog.KNOWN_CRAWLERS and rng.random() < 0.85:
            plan.label = "Bot traffic"
        elif not entered:
            plan.label = BOUNCE_LABEL

    def _test_run(self, plan: Plan) -> None:
        plan.device = "desktop"
        plan.channel = "direct"
        plan.utm_source = ""
        plan.user_no = TEST_USER_NO
        plan.user_agent = catalog.TEST_AGENT
        plan.landing_url = PRODUCT_LANDING
        plan.items = [
            "site:landing",
            "product:product_advance",
            "cart:cart_view",
            "cart:cart_advance",
            "shipping:shipping_view",
            "shipping:test_fill",
            "payment:payment_view",
            "payment:test_decline",
        ]

    def _converted_elsewhere(self, plan: Plan) -> Plan:
        """Return a later session of the same visitor, on another device, that buys."""
        rng = self.rng
        if plan.user_no is None:
            plan.user_no = self._user(1.0)
        partner = self._visitor()
        partner.user_no = plan.user_no
        partner.product_a = plan.product_a
        partner.landing_url = PRODUCT_LANDING
        # Usually 2 to 30 hours later, but never past the last hour of the week.
        room = WEEK_END_MS - 3_600_000 - plan.start_ms
        earliest = max(600_000, min(7_200_000, room // 2))
        partner.start_ms = plan.start_ms + earliest + _below(rng, max(1, min(108_000_000, room) - earliest))
        if partner.device == plan.device:
            partner.device = "desktop" if plan.device != "desktop" else "mobile"
            partner.user_agent = _choice(rng, catalog.USER_AGENTS[partner.device])
        partner.outcome = "converted"
        partner.items = [
            *self._journey(partner, "payment", {}),
            "payment:payment_advance",
            "payment:confirmation",
        ]
        return partner

    def _add_noise(self, plan: Plan) -> None:
        """Give a few sessions a harmless script error, as real pages with third-party tags have."""
        rng = self.rng
        if rng.random() < 0.06 and len(plan.items) > 2:
            position = 2 + _below(rng, len(plan.items) - 2)
            stage = plan.items[position - 1].split(":", 1)[0]
            if stage != "site":
                plan.items.insert(position, f"{stage}:benign_error")


def _repeat(scene: str, low: int, high: int, rng: random.Random) -> list[str]:
    return [scene] * (low + _below(rng, high - low + 1))


def _broken_code(rng: random.Random, stage: str, plan: Plan) -> list[str]:
    roll = rng.random()
    if roll < 0.4:
        scenes = ["js_error"]
        if rng.random() < 0.45:
            scenes += _repeat("rage_click", 3, 6, rng)
        return scenes
    if roll < 0.75:
        return ["server_error", *_repeat("retry_click", 0, 2, rng)]
    if roll < 0.85:
        return ["dwell", "js_error_silent"]
    # The error never reached the analytics tool; only the visitor's clicks are left.
    return _repeat("rage_click", 3, 5, rng)


def _form_rejected_input(rng: random.Random, stage: str, plan: Plan) -> list[str]:
    if rng.random() < 0.85:
        return _repeat("form_retry", 2, 5, rng)
    return ["form_retry", "dwell"]


def _dead_link(rng: random.Random, stage: str, plan: Plan) -> list[str]:
    if rng.random() < 0.85:
        return ["dwell", "dead_link"] if rng.random() < 0.4 else ["dead_link"]
    return ["dead_link", "return_to_page", "dwell"]


def _confusing_copy(rng: random.Random, stage: str, plan: Plan) -> list[str]:
    roll = rng.random()
    if roll < 0.55:
        return ["reread", "quick_back"] if rng.random() < 0.5 else ["quick_back", "reread"]
    if roll < 0.8:
        return ["help_detour", "reread"]
    return ["reread"]


def _hidden_control(rng: random.Random, stage: str, plan: Plan) -> list[str]:
    if rng.random() < 0.8:
        plan.device = "mobile"
        plan.user_agent = _choice(rng, catalog.USER_AGENTS["mobile"])
    if rng.random() < 0.6:
        return ["dwell", *_repeat("rage_hidden", 3, 6, rng)]
    return [*_repeat("scroll_hunt", 3, 5, rng), *_repeat("tap_hidden", 1, 2, rng)]


def _too_slow(rng: random.Random, stage: str, plan: Plan) -> list[str]:
    roll = rng.random()
    if roll < 0.5:
        return _repeat("slow_page", 1, 2, rng)
    if roll < 0.85:
        return ["slow_api", *_repeat("retry_click", 0, 1, rng)]
    return ["sluggish_page", "sluggish_page"]


def _price(rng: random.Random, stage: str, plan: Plan) -> list[str]:
    if stage == "product":
        return ["compare_product", "dwell"]
    if stage == "cart":
        return [["coupon_fail", "remove_item"], ["remove_item"], ["coupon_fail", "dwell"]][_below(rng, 3)]
    if stage == "shipping":
        return ["shipping_costs", "dwell"] if rng.random() < 0.7 else ["shipping_costs"]
    return ["coupon_fail"] if rng.random() < 0.6 else ["dwell"]


def _interruption(rng: random.Random, stage: str, plan: Plan) -> list[str]:
    roll = rng.random()
    if roll < 0.6:
        return ["dwell", "idle_resume"] if rng.random() < 0.5 else ["idle_resume", "dwell"]
    if roll < 0.9:
        return ["idle_scroll"]
    return ["dwell"]


def _cant_tell(rng: random.Random, stage: str, plan: Plan) -> list[str]:
    return ["dwell"] if rng.random() < 0.7 else []


TROUBLE = {
    "broken_code": _broken_code,
    "form_rejected_input": _form_rejected_input,
    "dead_link": _dead_link,
    "confusing_copy": _confusing_copy,
    "hidden_control": _hidden_control,
    "too_slow": _too_slow,
    "price": _price,
    "interruption": _interruption,
    "cant_tell": _cant_tell,
}


def analytics_label(rng: random.Random, stage: str, items: Sequence[str]) -> str:
    """Return the exit label a typical analytics dashboard would put on this session.

    The dashboard only receives page-level facts (server errors, 404 pages, page load times, long
    pauses) and guesses "Price shock" for many late exits, so its labels are often wrong.
    """
    scenes = {item.split(":", 1)[1] for item in items}
    if "server_error" in scenes and rng.random() < 0.7:
        return "Technical error"
    if scenes & {"dead_link", "bot_dead"} and rng.random() < 0.55:
        return "Page not found"
    if "slow_page" in scenes and rng.random() < 0.5:
        return "Slow page"
    if scenes & {"idle_resume", "idle_scroll"} and rng.random() < 0.5:
        return "Session timeout"
    if "form_retry" in scenes and rng.random() < 0.12:
        return "Form error"
    if stage in ("shipping", "payment") and rng.random() < 0.35:
        return "Price shock"
    if stage == "cart" and rng.random() < 0.2:
        return "Price shock"
    return STAGE_LABELS[stage] if rng.random() < 0.6 else "Unknown"


_ITEM_EVENTS: dict[str, int] = {}


def event_count(items: Sequence[str]) -> int:
    """Return the number of events a plan's items expand to."""
    total = 0
    for item in items:
        count = _ITEM_EVENTS.get(item)
        if count is None:
            count = _ITEM_EVENTS[item] = len(SCENES[item.split(":", 1)[1]])
        total += count
    return total


@dataclass(frozen=True)
class Layout:
    """The planned sessions, and how many times the SQL expansion replays them.

    Every copy but the last replays the whole pool; the last replays its first `last_copy` sessions.
    """

    pool: list[Plan]
    copies: int
    last_copy: int

    @property
    def sessions(self) -> int:
        """The number of sessions in the export."""
        return (self.copies - 1) * len(self.pool) + self.last_copy


def draw_plans(seed: int, sessions: int | None = None, events: int | None = None) -> list[Plan]:
    """Draw plans until there are `sessions` of them, or until they hold at least `events` events.

    A visitor's sessions are kept together, so the count may exceed `sessions` by one.
    """
    plans: list[Plan] = []
    total = 0
    for visit_no, visit in enumerate(Planner(seed).visits()):
        if sessions is not None and len(plans) >= sessions:
            break
        if events is not None and total >= events:
            break
        for plan in visit:
            plan.visit_no = visit_no
            plan.visit_start_ms = visit[0].start_ms
        plans.extend(visit)
        total += sum(event_count(plan.items) for plan in visit)
    return plans


def lay_out(seed: int, sessions: int | None = None, events: int | None = None) -> Layout:
    """Plan an export of `sessions` sessions, or of whole sessions holding at least `events` events."""
    if events is None:
        requested = sessions or 1
        pool = draw_plans(seed, sessions=min(requested, POOL_SESSIONS))
        copies, rest = divmod(requested, len(pool))
        sizes = [1] * len(pool)
        target = rest
    else:
        pool = draw_plans(seed, sessions=POOL_SESSIONS, events=events)
        sizes = [event_count(plan.items) for plan in pool]
        copies, rest = divmod(events, sum(sizes))
        target = rest
    if rest == 0:
        return Layout(pool, copies, len(pool))
    return Layout(pool, copies + 1, _visits_reaching(pool, sizes, target))


def _visits_reaching(pool: Sequence[Plan], sizes: Sequence[int], target: int) -> int:
    """Return how many leading sessions of `pool`, cut after a whole visit, reach `target` in size."""
    total = 0
    for index, (plan, size) in enumerate(zip(pool, sizes, strict=True)):
        total += size
        next_visit = pool[index + 1].visit_no if index + 1 < len(pool) else None
        if total >= target and next_visit != plan.visit_no:
            return index + 1
    return len(pool)


def plan_table(plans: Sequence[Plan]) -> pa.Table:
    """Turn plans into the Arrow table the SQL expansion reads, numbering the stories from 0."""
    columns: dict[str, list[object]] = {name: [] for name in PLAN_SCHEMA.names}
    for story_no, plan in enumerate(plans):
        if len(plan.items) > MAX_ITEMS:
            raise ValueError(f"session {story_no} has {len(plan.items)} items; at most {MAX_ITEMS} fit")
        columns["story_no"].append(story_no)
        columns["visit_no"].append(plan.visit_no)
        columns["visit_start_ms"].append(plan.visit_start_ms)
        columns["start_ms"].append(plan.start_ms)
        columns["user_no"].append(plan.user_no)
        columns["channel"].append(plan.channel)
        columns["utm_source"].append(plan.utm_source or None)
        columns["device"].append(plan.device)
        columns["load_factor"].append(LOAD_FACTORS[plan.device])
        columns["user_agent"].append(plan.user_agent)
        columns["country"].append(plan.country)
        columns["landing_url"].append(plan.landing_url)
        columns["gclid"].append(plan.gclid)
        columns["product_a"].append(plan.product_a)
        columns["product_b"].append(plan.product_b)
        columns["label"].append(plan.label)
        columns["outcome"].append(plan.outcome)
        columns["cause"].append(plan.cause)
        columns["items"].append(plan.items)
        columns["events"].append(event_count(plan.items))
    return pa.Table.from_pydict(columns, schema=PLAN_SCHEMA)
