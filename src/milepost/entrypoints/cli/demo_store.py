"""The demo store: a typical loyalty ladder and a few customers, seeded through
the Python API only. Seeding twice changes nothing: the store, templates and
events are created only when missing, and every demo event has a fixed id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from milepost.bootstrap import Milepost
from milepost.errors import NotFound

STORE = "demo"
SOURCE = "demo"

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

START = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)


@dataclass
class Seeded:
    """What a run of `seed` did; `changed` is False when everything was there already."""

    store_created: bool = False
    templates_saved: list[str] = field(default_factory=list)
    events_created: list[str] = field(default_factory=list)
    accepted: int = 0
    duplicates: int = 0
    milestones: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.store_created or self.templates_saved or self.events_created or self.accepted)


ADMIN_EMAIL = "admin@demo.example"  # the demo's Administrator of the admin UI


def seed(mp: Milepost) -> Seeded:
    done = Seeded()
    try:
        mp.stores.get(STORE)
    except NotFound:
        mp.stores.create(STORE, "Demo Store", currency="USD", timezone="America/New_York")
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
    result = mp.ingest(STORE, demo_events(), source=SOURCE)
    done.accepted, done.duplicates = result.accepted, result.duplicates
    done.milestones = len(result.firings)
    return done


def demo_events() -> list[dict[str, Any]]:
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
    return events


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


def _at(n: int, i: int, days: int) -> str:
    moment = START + timedelta(days=11 * i + days, hours=n)
    return moment.isoformat().replace("+00:00", "Z")
