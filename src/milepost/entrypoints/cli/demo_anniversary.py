"""The demo store's first-purchase anniversary (docs/concepts.md "Automations"): the pool
`1year_anniversary_discount` with its codes, the aggregate `orders_365d`, the gift and
thank-you emails, the automation as the concepts show it, and customers whose first
purchase was 365 days before today or one of the days before it, with 1-2 and 3+ orders
in their year. `seed` then runs the store's last `RUN_DAYS` days through the daily run,
so the automation's run log has a run each day and today's customers their emails.

Everything is created only when missing; the customers' events have fixed ids."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from milepost.bootstrap import Milepost

POOL = "1year_anniversary_discount"
AGGREGATE = "orders_365d"
KEY = "first_purchase_anniversary"
CODES = 40
RUN_DAYS = 7  # the daily run of today and the six days before it

TEMPLATES = {
    "anniversary_gift": (
        "First purchase anniversary with a gift",
        "A year ago today you placed your first order at {{ store.name }}, {{ customer.name }}. "
        "To celebrate, here is a code for your next one: {{ reward.coupon_code }}",
    ),
    "anniversary_thanks": (
        "A year with {{ store.name }}: thank you",
        "A year ago today you placed your first order, {{ customer.name }}, and you have come back "
        "again and again since. Thank you.",
    ),
}

# id, name, the anniversary this many days before today, orders in the year (the first included).
CUSTOMERS: list[tuple[str, str, int, int]] = [
    ("nora", "Nora Ephron", 0, 1),
    ("paula", "Paula Rego", 0, 2),
    ("oscar", "Oscar Niemeyer", 0, 4),
    ("ravi", "Ravi Shankar", 2, 1),
    ("sofia", "Sofia Kovalevskaya", 4, 3),
    ("tomas", "Tomas Transtromer", 5, 2),
]


def definition(active_from: date, manager_attribute: str = "account_manager") -> dict[str, Any]:
    """The automation: 1-2 orders in the year get a pool code, an event, a tag and the
    gift email (no code left: the account manager is told and an alert raised); 3+
    orders the thank-you email."""
    no_code = f"{{customer}} got no anniversary code: the pool {POOL} is empty"
    on_failure = [
        {"type": "internal_email", "to_attribute": manager_attribute, "subject": "No anniversary code left",
         "body": f"{{{{ customer.name }}}} ({{{{ customer.id }}}}) got nothing: the pool {POOL} is empty."},
        {"type": "alert", "message": no_code, "assignee_attribute": manager_attribute},
    ]  # fmt: skip
    gift = [
        {"type": "pool_code", "pool": POOL, "on_failure": on_failure},
        {"type": "record_event", "event": "coupon assigned",
         "properties": {"promotion": POOL, "coupon code": "{{ code }}"}},
        {"type": "add_tag", "tag": "coupon_1year_anniversary"},
        {"type": "send_email", "template": "anniversary_gift"},
    ]  # fmt: skip
    orders = f"aggregate.{AGGREGATE}"
    return {
        "key": KEY,
        "name": "First purchase anniversary",
        "trigger": {"type": "first_purchase", "days": 365},
        "audience": {"all": [{"field": "email", "op": "valid"}, {"field": "email_consent", "op": "is", "value": True}]},
        "branches": [
            {"name": "1-2 orders", "when": {"field": orders, "op": "between", "value": [1, 2]}, "actions": gift},
            {
                "name": "3+ orders",
                "when": {"field": orders, "op": ">=", "value": 3},
                "actions": [{"type": "send_email", "template": "anniversary_thanks"}],
            },
        ],
        "active_from": active_from.isoformat(),
        "active": True,
    }


def configure(mp: Milepost, store: str, today: date) -> list[str]:
    """The pool, the aggregate, the emails and the automation, those missing; what it created."""
    made = []
    if POOL not in {p.key for p in mp.pools.list(store)}:
        mp.pools.create(store, POOL, name="1 year anniversary", discount={"kind": "percentage", "percent": 15},
                        low_threshold=5)  # fmt: skip
        mp.pools.import_codes(store, POOL, [f"YEAR1-{n:04d}" for n in range(1, CODES + 1)])
        made.append(f"pool {POOL}")
    if AGGREGATE not in {a.key for a in mp.aggregates.list(store)}:
        mp.aggregates.create(store, AGGREGATE, name="Orders in the last 365 days", source="orders", window_days=365)
        made.append(f"aggregate {AGGREGATE}")
    existing = {t["key"] for t in mp.templates.list(store)}
    for key, (subject, body) in TEMPLATES.items():
        if key not in existing:
            mp.templates.save(store, key, subject=subject, body_text=body, name=subject)
            made.append(f"template {key}")
    if KEY not in {s.automation.key for s in mp.automations.list(store)}:
        mp.automations.create(store, definition(today - timedelta(days=RUN_DAYS)))
        made.append(f"automation {KEY}")
    return made


def events(today: date, zone: str, account_manager: str) -> list[dict[str, Any]]:
    """The anniversary customers' events: each joins, pays a first order at noon of the
    anniversary's day a year back, and the year's other orders a few weeks apart after it
    (all over 200 days ago, before the demo's history starts)."""
    tz, out = ZoneInfo(zone), []
    for cid, name, days_ago, orders in CUSTOMERS:
        first = datetime.combine(today - timedelta(days=days_ago + 365), time(12), tzinfo=tz)
        joined = first - timedelta(hours=1)
        out.append({"id": f"{cid}-created", "type": "customer.created", "customer_id": cid, "name": name,
                    "email": f"{cid}@example.com", "email_consent": True,
                    "attributes": {"account_manager": account_manager}, "occurred_at": _iso(joined)})  # fmt: skip
        for i in range(orders):
            at = first + timedelta(days=30 * i)
            out.append({"id": f"{cid}-o{i + 1}-paid", "type": "order.paid", "customer_id": cid,
                        "order_id": f"{cid}-o{i + 1}", "total": 2400 + 300 * i, "currency": "USD",
                        "occurred_at": _iso(at)})  # fmt: skip
    return sorted(out, key=lambda e: e["occurred_at"])


def _iso(at: datetime) -> str:
    return at.isoformat()
