"""The ingest benchmark's workload: a seeded, realistic stream of order events.

See the docstring of `benchmarks/ingest.py` for the shape. Everything here is
generated up front and is not timed. `expected()` folds the same stream
independently of the engine (plain dicts, no Milepost code), so the run can be
checked against it.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

LADDER = (1, 2, 3, 5, 7, 10, 12, 15, 20, 25, 30, 35, 40, 45, 50, 60, 75, 100, 150, 200)
TEMPLATE = "milestone"
DUPLICATE_RATE = 0.005
CANCEL_RATE = 0.01
COMPLETE_RATE = 0.30
REFUND_RATE = 0.03
START = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
YEAR = 365 * 86400
DAY, HOUR, MINUTE = 86400, 3600, 60

Event = dict[str, Any]


@dataclass(frozen=True)
class Rung:
    count: int  # the threshold
    name: str
    actions: tuple[dict[str, Any], ...]
    metric: str = "order_count"  # "order_count" rungs of the ladder are order count events; the rest programs
    program: bool = False


#: How `programs()` spreads the programs beyond the ladder over the metrics, and their thresholds.
PROGRAM_METRICS = (
    ("order_count", 40, lambda i: 4 + 6 * i),  # 4, 10, ... 238 orders
    ("amount_spent", 60, lambda i: 2_500 * (i + 1) ** 2),  # $25, $100, ... $90,000
    ("review_count", 30, lambda i: i + 1),
    ("referral_count", 25, lambda i: i + 1),
    ("billing_cycles", 25, lambda i: i + 1),
)


def ladder(n_rules: int) -> list[Rung]:
    """`n_rules` order count events on a loyalty ladder, 1-3 actions each."""
    counts = list(LADDER[:n_rules])
    while len(counts) < n_rules:
        counts.append(counts[-1] + 50)
    return [Rung(n, f"{n} orders", _actions(i, n)) for i, n in enumerate(counts)]


def programs(n_rules: int, n_programs: int) -> list[Rung]:
    """The ladder's `n_rules` order count events, then milestone programs over every
    metric (PROGRAM_METRICS, in its proportions) up to `n_programs` in all, each with
    1-3 actions and a tag of its own. The order workload crosses the thresholds on
    orders and spend; those on reviews, referrals and billing cycles are indexed and
    looked at, never crossed."""
    rules = ladder(n_rules)
    wanted = max(n_programs - n_rules, 0)
    total = sum(share for _, share, _ in PROGRAM_METRICS)
    made = 0
    for j, (metric, share, threshold) in enumerate(PROGRAM_METRICS):
        k = wanted - made if j == len(PROGRAM_METRICS) - 1 else round(wanted * share / total)
        for i in range(k):
            actions = tuple(
                {**a, "tag": f"P{len(rules):03d}"} if a["type"] == "add_tag" else a for a in _actions(i, 100)
            )
            rules.append(Rung(threshold(i), f"{metric} {threshold(i)}", actions, metric, program=True))
        made += k
    return rules


def _actions(i: int, n: int) -> tuple[dict[str, Any], ...]:
    email = {"type": "send_email", "template": TEMPLATE}
    tag = {"type": "add_tag", "tag": f"{n}-Order Club"}
    credit = {"type": "credit", "amount": 500 if n < 10 else 1000 if n < 50 else 2500}
    alert = {"type": "alert"}
    patterns = (
        (email,),
        (tag,),
        (email, tag),
        (email, credit, tag),
        (credit,),
        (tag, alert),
        (email, credit),
        (credit, tag, alert),
    )
    return patterns[i % len(patterns)]


@dataclass(frozen=True)
class Workload:
    events: list[Event]  # in arrival order, duplicates included
    customers: int  # distinct customers in the stream
    orders: int  # distinct orders in the stream
    duplicates: int  # re-sent events (same id)
    types: dict[str, int]  # unique events by type


def generate(n_events: int, n_customers: int, seed: int) -> Workload:
    """Exactly `n_events` events, about 0.5% of them re-sent duplicates."""
    rng = random.Random(seed)
    n_dups = round(n_events * DUPLICATE_RATE) if n_events > 1 else 0
    unique = _unique_events(rng, n_events - n_dups, n_customers)
    arrivals = [(t, e) for t, e in unique]
    for t, e in rng.sample(unique, n_dups):
        arrivals.append((t + rng.uniform(1, HOUR), dict(e)))  # the sender retried a little later
    arrivals.sort(key=lambda pair: pair[0])
    events = _number_in_time_order([e for _, e in arrivals])
    return Workload(
        events=events,
        customers=len({e["customer_id"] for _, e in unique}),
        orders=len({e["order_id"] for _, e in unique}),
        duplicates=n_dups,
        types=dict(Counter(e["type"] for _, e in unique)),
    )


def _number_in_time_order(events: list[Event]) -> list[Event]:
    """Customers and orders numbered by first appearance, as a store numbers them
    (c0000001, o0000001, ...); an event's id is its order's id and its status."""
    customers: dict[str, str] = {}
    orders: dict[str, str] = {}
    for e in events:
        c = customers.setdefault(e["customer_id"], f"c{len(customers) + 1:07d}")
        o = orders.setdefault(e["order_id"], f"o{len(orders) + 1:07d}")
        e["customer_id"], e["order_id"] = c, o
        e["id"] = f"{o}-{e['type'].removeprefix('order.')}"
    return events


def _unique_events(rng: random.Random, budget: int, n_customers: int) -> list[tuple[float, Event]]:
    """Orders from `_order_owners` until `budget` events; the last order may be cut short."""
    out: list[tuple[float, Event]] = []
    for n, customer in enumerate(_order_owners(rng, n_customers)):
        if len(out) >= budget:
            break
        out.extend(islice(_order(rng, f"c{customer}", f"o{n}"), budget - len(out)))
    return out


def _order_owners(rng: random.Random, n_customers: int):  # type: ignore[no-untyped-def]
    """Whose order comes next: everyone's first order, then the rest of each
    customer's wanted orders in random order, again and again if the budget asks."""
    wants = [_orders_wanted(rng) for _ in range(n_customers)]
    first = list(range(n_customers))
    rng.shuffle(first)
    yield from first
    extra = [c for c, n in enumerate(wants) for _ in range(n - 1)] or first
    while True:
        rng.shuffle(extra)
        yield from extra


def _orders_wanted(rng: random.Random) -> int:
    """Skewed: most customers 1-5 orders, a tail of 20-60, a few whales past 100."""
    r = rng.random()
    if r < 0.88:
        return rng.choices((1, 2, 3, 4, 5), weights=(35, 25, 18, 12, 10))[0]
    if r < 0.97:
        return rng.randint(6, 19)
    if r < 0.9995:
        return rng.randint(20, 60)
    return rng.randint(100, 250)


def _order(rng: random.Random, customer: str, order: str):  # type: ignore[no-untyped-def]
    """One order's events, in time order: placed, paid, and maybe completed,
    cancelled (half before payment) or refunded (partly or fully)."""
    total = int(rng.lognormvariate(8.3, 0.7)) + 100  # ~$40 median, in cents
    t = START + rng.uniform(0, YEAR)
    make = lambda kind, at, **extra: (at, _event(customer, order, kind, at, total, extra))  # noqa: E731
    yield make("placed", t)
    fate = rng.random()
    if fate < CANCEL_RATE / 2:
        yield make("cancelled", t + rng.uniform(MINUTE, 2 * HOUR))
        return
    paid = t + rng.uniform(5, 15 * MINUTE)
    yield make("paid", paid)
    if fate < CANCEL_RATE:
        yield make("cancelled", paid + rng.uniform(HOUR, DAY))
        return
    if rng.random() < COMPLETE_RATE:
        yield make("completed", paid + rng.uniform(DAY, 7 * DAY))
    if rng.random() < REFUND_RATE:
        partial = rng.random() < 0.6
        yield make(
            "refunded",
            paid + rng.uniform(2 * DAY, 30 * DAY),
            **({"refund_amount": rng.randint(1, total - 1)} if partial else {}),
        )


def _event(customer: str, order: str, kind: str, at: float, total: int, extra: dict[str, Any]) -> Event:
    event: Event = {
        "id": f"{order}-{kind}",
        "type": f"order.{kind}",
        "customer_id": customer,
        "order_id": order,
        "occurred_at": datetime.fromtimestamp(at, UTC).isoformat(),
    }
    if kind in ("placed", "paid", "completed"):
        event["total"], event["currency"] = total, "USD"
    event.update(extra)
    return event


# -- what the engine must end up with ---------------------------------------------------


@dataclass(frozen=True)
class Expected:
    events: int
    customers: int
    orders: int
    order_count: int  # sum of the customers' order counts = distinct counted orders
    amount_spent: int
    firings: int
    ledger: int
    outbox: int
    alerts: int
    tags: int


def expected(workload: Workload, rungs: list[Rung]) -> Expected:
    """Fold the stream the way the product semantics say, without the engine. Every
    rule exists before the first event, so it fires for a customer whose metric ever
    reached its threshold (refunds can lower it later; it fired once)."""
    orders, peaks = _fold(workload.events)
    counted = [o for o in orders.values() if _counts(o)]
    fired: Counter[int] = Counter()
    for peak in peaks.values():
        fired.update(i for i, r in enumerate(rungs) if r.count <= peak.get(r.metric, 0))
    actions = Counter({kind: 0 for kind in ("credit", "send_email", "alert", "add_tag")})
    for i, rung in enumerate(rungs):
        for action in rung.actions:
            actions[action["type"]] += fired[i]
    return Expected(
        events=len(workload.events) - workload.duplicates,
        customers=workload.customers,
        orders=workload.orders,
        order_count=len(counted),
        amount_spent=sum(max(o["total"] - o["refunded"], 0) for o in counted),
        firings=sum(fired.values()),
        ledger=actions["credit"],
        outbox=actions["send_email"],
        alerts=actions["alert"],
        tags=actions["add_tag"],
    )


def _fold(events: list[Event]) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, int]]]:
    """Each order's final state, and each customer's highest order count and amount
    spent along the way."""
    seen: set[str] = set()
    orders: dict[str, dict[str, Any]] = {}
    count: Counter[str] = Counter()
    spent: Counter[str] = Counter()
    peaks: dict[str, dict[str, int]] = {}
    for e in events:
        if e["id"] in seen:
            continue
        seen.add(e["id"])
        o = orders.setdefault(e["order_id"], {"paid": False, "void": False, "total": 0, "refunded": 0})
        before, net_before = _counts(o), _net(o)
        _apply(o, e)
        c = e["customer_id"]
        count[c] += _counts(o) - before
        spent[c] += _net(o) - net_before
        peak = peaks.setdefault(c, {"order_count": 0, "amount_spent": 0})
        peak["order_count"] = max(peak["order_count"], count[c])
        peak["amount_spent"] = max(peak["amount_spent"], spent[c])
    return orders, peaks


def _net(o: dict[str, Any]) -> int:
    return max(o["total"] - o["refunded"], 0) if _counts(o) else 0


def _apply(o: dict[str, Any], e: Event) -> None:
    kind = e["type"]
    o["total"] = e.get("total", o["total"])
    if kind in ("order.paid", "order.completed"):
        o["paid"] = True
    elif kind == "order.cancelled":
        o["void"] = True
    elif kind == "order.refunded":
        o["refunded"] += e.get("refund_amount", o["total"])
        o["void"] |= "refund_amount" not in e or o["refunded"] >= o["total"]


def _counts(o: dict[str, Any]) -> bool:
    return o["paid"] and not o["void"]
