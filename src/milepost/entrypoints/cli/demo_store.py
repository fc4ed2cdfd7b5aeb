"""The demo store: a typical loyalty ladder, a milestone program of each kind, six
named customers, six months of other customers' traffic (`demo_history`) and the
first-purchase anniversary automation with its run log (`demo_anniversary`), seeded
through the Python API only. Seeding twice changes nothing: the store, templates,
events and programs are created only when missing, every demo event has a fixed id,
and the history is replayed only into a store this run created."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from milepost.bootstrap import Milepost
from milepost.domain.segments import FIRST_REDEMPTION
from milepost.entrypoints.cli import demo_anniversary, demo_history
from milepost.errors import NotFound

STORE = "demo"
SOURCE = "demo"
TIMEZONE = "America/New_York"

TEMPLATES = {
    "welcome": (
        "Welcome to {{ store.name }}, {{ customer.name }}!",
        "Thank you for your first order, {{ customer.name }}. We are glad to have you with us.",
    ),
    "vip": (
        "You are a VIP now, {{ customer.name }}",
        "Five orders! You are in the 5-Order Club: {{ reward.credit_amount|money(store.currency) }} "
        "of store credit is waiting on your account.",
    ),
    "winback": (
        "We miss you, {{ customer.name }}",
        "It has been a while since your last order at {{ store.name }}. A little something is waiting for you.",
    ),
}

LADDER: list[dict[str, Any]] = [
    {"count": 1, "name": "Welcome", "actions": [{"type": "send_email", "template": "welcome"}]},
    {
        "count": 5,
        "name": "5-Order Club",
        "actions": [
            {"type": "send_email", "template": "vip"},
            {"type": "credit", "amount": 1000},
            {"type": "add_tag", "tag": "5-Order Club"},
        ],
    },
    {
        "count": 10,
        "name": "Loyal customer",
        "actions": [
            {"type": "add_tag", "tag": "Loyal Customer - 10 Orders"},
            {
                "type": "alert",
                "message": "Call {customer} to thank them for 10 orders",
                "assignee_attribute": "account_manager",  # the demo customers': the demo's Administrator
            },
        ],
    },
    {
        "count": 25,
        "name": "Legend",
        "actions": [
            {"type": "credit", "amount": 2500},
            {"type": "add_tag", "tag": "25-Order Legend"},
            {"type": "alert", "message": "Send {customer} a handwritten note: {count} orders!"},
        ],
    },
]


def _code(discount: dict[str, Any]) -> dict[str, Any]:
    return {"type": "code", "discount": discount, "expires_in_days": 60}


# A program of each kind (`mp.programs.create` unless it says "days" or "steps").
PROGRAMS: list[dict[str, Any]] = [
    {"name": "Big spender", "metric": "amount_spent", "threshold": 50000,
     "actions": [{"type": "credit", "amount": 1500}, {"type": "add_tag", "tag": "Big Spender"}]},
    {"name": "Every 5th order", "metric": "order_count", "threshold": 5, "every": 5,
     "actions": [_code({"kind": "free_shipping"})]},
    {"name": "Reviewer", "metric": "review_count", "threshold": 3,
     "actions": [_code({"kind": "fixed_amount", "amount": 500})]},
    {"name": "Ambassador", "metric": "referral_count", "threshold": 2,
     "actions": [{"type": "points", "points": 500}, {"type": "add_tag", "tag": "Ambassador"}]},
    {"name": "Three months subscribed", "metric": "billing_cycles", "threshold": 3,
     "actions": [_code({"kind": "free_gift", "product_id": "tote-bag"})]},
    {"name": "Points collector", "metric": "points_earned", "threshold": 1000,
     "actions": [_code({"kind": "percentage", "percent": 15})]},
    {"name": "First steps", "steps": [{"metric": "order_count"}, {"metric": "review_count"},
     {"metric": "referral_count"}], "actions": [{"type": "points", "points": 300}]},
    {"name": "We miss you", "days": 45,
     "actions": [{"type": "send_email", "template": "winback"}, _code({"kind": "percentage", "percent": 10})]},
]  # fmt: skip

# id, name, email, email consent, sms consent, paid orders, extras: "partial" refund,
# last order "refunded" in full, last order "cancelled", one more order only "placed".
CUSTOMERS: list[tuple[str, str, str, bool, bool, int, tuple[str, ...]]] = [
    ("ada", "Ada Lovelace", "ada@example.com", True, True, 27, ("partial",)),
    ("grace", "Grace Hopper", "grace@example.com", True, False, 10, ()),
    ("alan", "Alan Turing", "alan@example.com", True, False, 5, ()),
    ("katherine", "Katherine Johnson", "katherine@example.com", False, False, 4, ("refunded",)),
    ("linus", "Linus Pauling", "linus@example.com", True, False, 2, ("cancelled",)),
    ("margaret", "Margaret Hamilton", "margaret@example.com", False, True, 1, ("placed",)),
]

NAMED_DAYS = 360  # the named customers start this long before the history: past every lapse by then


@dataclass
class Seeded:
    """What a run of `seed` did; `changed` is False when everything was there already."""

    store_created: bool = False
    templates_saved: list[str] = field(default_factory=list)
    events_created: list[str] = field(default_factory=list)
    programs_created: list[str] = field(default_factory=list)
    anniversary_created: list[str] = field(default_factory=list)  # its pool, aggregate, emails, automation
    segments_created: list[str] = field(default_factory=list)
    daily_runs: int = 0  # days the daily run ran
    accepted: int = 0
    duplicates: int = 0
    milestones: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.store_created
            or self.templates_saved
            or self.events_created
            or self.programs_created
            or self.anniversary_created
            or self.segments_created
            or self.accepted
        )


ADMIN_EMAIL = "admin@demo.example"  # the demo's Administrator of the admin UI


def seed(mp: Milepost) -> Seeded:
    """The demo store as of now: made at the start of its history (`demo_history.DAYS`
    ago), the named customers' orders before its programs, then the history day by day."""
    real, done = mp.clock, Seeded()
    now = real().replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=demo_history.DAYS)
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()
    mp.clock = lambda: start
    try:
        _configure(mp, done)
        named = demo_events(start - timedelta(days=NAMED_DAYS))
        named += demo_anniversary.events(today, TIMEZONE, ADMIN_EMAIL)
        result = mp.ingest(STORE, named, source=SOURCE)
        done.accepted, done.duplicates = result.accepted, result.duplicates
        done.milestones = len(result.firings)
        _programs(mp, done)  # after the named customers: programs are not retroactive
    finally:
        mp.clock = real
    if done.store_created:
        replayed = demo_history.replay(mp, STORE, demo_history.history(start), now)
        done.accepted += replayed.accepted
        done.milestones += replayed.milestones
    done.anniversary_created = demo_anniversary.configure(mp, STORE, today)
    done.segments_created = _segments(mp)
    if done.store_created:  # the last days through the daily run: the automation's run log
        mp.sweeps.run_daily([STORE], today - timedelta(days=demo_anniversary.RUN_DAYS - 1))
        done.daily_runs = sum(len(run.days) for run in mp.sweeps.run_daily([STORE], today)) + 1
    return done


def _configure(mp: Milepost, done: Seeded) -> None:
    try:
        mp.stores.get(STORE)
    except NotFound:
        mp.stores.create(STORE, "Demo Store", currency="USD", timezone=TIMEZONE)
        done.store_created = True
    existing = {t["key"] for t in mp.templates.list(STORE)}
    for key, (subject, body) in TEMPLATES.items():
        if key not in existing:
            mp.templates.save(STORE, key, subject=subject, body_text=body, name=key.title())
            done.templates_saved.append(key)
    names = {d.rule.name for d in mp.order_count_events.list(STORE, include_deleted=True)}
    for rung in LADDER:
        if rung["name"] not in names:
            mp.order_count_events.create(STORE, **rung)
            done.events_created.append(rung["name"])


#: The demo's segments: the example that ships, and its most loyal customers; auto
#: segments, kept current by every event from here on.
SEGMENTS: list[dict[str, Any]] = [
    FIRST_REDEMPTION,
    {
        "key": "loyal",
        "name": "Ten orders or more",
        "filters": [{"type": "metric", "metric": "order_count", "condition": "more_than", "value": 9}],
    },
]


def _segments(mp: Milepost) -> list[str]:
    """The demo's segments the store lacks, created (their members found as of now)."""
    existing = {s.key for s in mp.segments.list(STORE)}
    made = [s for s in SEGMENTS if s["key"] not in existing]
    for segment in made:
        mp.segments.create(STORE, segment)
    return [s["name"] for s in made]


def _programs(mp: Milepost, done: Seeded) -> None:
    names = {d.rule.name for d in mp.programs.list(STORE, include_deleted=True)}
    if done.store_created:  # points from here on: the named customers' orders earned none
        mp.stores.update(STORE, points_per_unit=1)
    for program in PROGRAMS:
        if program["name"] in names:
            continue
        if "days" in program:
            mp.programs.create_inactivity(STORE, **program)
        elif "steps" in program:
            mp.programs.create_journey(STORE, **program)
        else:
            mp.programs.create(STORE, **program)
        done.programs_created.append(program["name"])


def demo_events(start: datetime) -> list[dict[str, Any]]:
    """The named customers' events, from `start` on."""
    events: list[dict[str, Any]] = []
    for n, (cid, name, email, email_ok, sms_ok, paid, extras) in enumerate(CUSTOMERS):
        events.append(
            {
                "id": f"{cid}-created",
                "type": "customer.created",
                "customer_id": cid,
                "name": name,
                "email": email,
                "email_consent": email_ok,
                "sms_consent": sms_ok,
                "attributes": {"account_manager": ADMIN_EMAIL},
                "occurred_at": _at(n, 0, -1),
            }
        )
        for i in range(1, paid + 1):
            events.append(_order(cid, n, i, "order.paid"))
        events.extend(_extra(cid, n, paid, extra) for extra in extras)
    return [{**e, "occurred_at": (start + e["occurred_at"]).isoformat().replace("+00:00", "Z")} for e in events]


def _order(cid: str, n: int, i: int, kind: str, **more: Any) -> dict[str, Any]:
    return {
        "id": f"{cid}-o{i}-{kind.removeprefix('order.')}",
        "type": kind,
        "customer_id": cid,
        "order_id": f"{cid}-o{i}",
        "total": 1500 + (i * 731 + n * 389) % 6000,
        "currency": "USD",
        "occurred_at": _at(n, i, 0),
        **more,
    }


def _extra(cid: str, n: int, paid: int, extra: str) -> dict[str, Any]:
    if extra == "partial":  # a partial refund on the first order: lower spend, same count
        return {**_refund(cid, n, 1), "refund_amount": 500}
    if extra == "refunded":  # the last paid order comes back in full: it stops counting
        return _refund(cid, n, paid)
    if extra == "cancelled":  # one more order, cancelled after payment
        return _order(cid, n, paid, "order.cancelled")
    return _order(cid, n, paid + 1, "order.placed")  # placed, not paid yet


def _refund(cid: str, n: int, i: int) -> dict[str, Any]:
    event = _order(cid, n, i, "order.refunded")
    del event["total"], event["currency"]
    event["occurred_at"] = _at(n, i, 3)
    return event


def _at(n: int, i: int, days: int) -> timedelta:
    """When, after the named customers' first day: an order every 11 days, each customer an hour apart."""
    return timedelta(days=11 * i + days, hours=n + 1)
