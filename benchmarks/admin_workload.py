"""The admin benchmark's store: a year of a shop's events, generated as a stream.

`benchmarks/workload.py` builds its events up front and sorts them, which is fine for a
million events; ten million would not fit comfortably in memory. This generator makes
the same kind of stream (the same skew of orders per customer, the same fates of an
order, 0.5% re-sent duplicates) in time order, holding only the events still to come
of the orders already placed (a few days' worth) in a heap:

- Orders are placed at evenly spread moments (jittered) over the year that ends at
  `end`, and numbered in that order (o0000001, ...). Who places each one is drawn from
  a shuffled plan holding every customer's first order and as many of their further
  orders as the event budget leaves room for (the `workload.py` skew: most want 1-5
  orders, a tail 20-60, 1 in 2,000 a whale with 100-250), so every customer appears.
- A customer's first order comes right after a `customer.created` event with a name
  and an email address (70% consent to email), as a shop's platform sends it.
- Each order is placed, then paid 5 s-15 min later; 30% are completed 1-7 days later;
  3% refunded 2-30 days after payment (60% partly); 1% cancelled (half before payment).
- Customers are numbered in order of first appearance (c0000001, ...).
- Exactly `n_events` events are yielded, as (unix time, event) in time order; the
  events of the last orders that fall after the budget are never sent.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from workload import CANCEL_RATE, COMPLETE_RATE, DAY, DUPLICATE_RATE, HOUR, MINUTE, REFUND_RATE, _orders_wanted

Event = dict[str, Any]
YEAR = 365 * DAY
EMAIL_CONSENT = 0.7
#: Events per order on average: placed; cancelled before payment (half of 1%) or paid,
#: then cancelled (half of 1%) or completed (30%) and refunded (3%).
EVENTS_PER_ORDER = (
    1 + CANCEL_RATE / 2 + (1 - CANCEL_RATE / 2) + CANCEL_RATE / 2 + (1 - CANCEL_RATE) * (COMPLETE_RATE + REFUND_RATE)
)
PLAN_SHARE = 0.99  # of the orders the budget allows, drawn from the plan; the rest from repeat customers


def customer_id(number: int) -> str:
    return f"c{number:07d}"


def order_id(number: int) -> str:
    return f"o{number:07d}"


def stream(n_events: int, n_customers: int, seed: int, end: float) -> Iterator[tuple[float, Event]]:
    """`n_events` events of `n_customers` customers over the year up to `end` (unix time)."""
    rng = random.Random(seed)
    unique = n_events - round(n_events * DUPLICATE_RATE)
    planned = max(int(PLAN_SHARE * (unique - n_customers) / EVENTS_PER_ORDER), min(n_customers, n_events))
    plan, extras = _plan(rng, n_customers, planned)
    slot = YEAR / (planned / PLAN_SHARE)  # seconds between two orders
    start = end - YEAR
    numbers: dict[int, int] = {}  # customer (as drawn) -> number by first appearance
    pending: list[tuple[float, int, Event]] = []
    seq = sent = 0
    n = 0
    while True:
        n += 1
        placed = start + (n - 1 + rng.random()) * slot
        while pending and pending[0][0] <= placed:
            at, _, event = heapq.heappop(pending)
            yield at, event
            sent += 1
            if sent == n_events:
                return
            if "resent" not in event and rng.random() < DUPLICATE_RATE:
                seq += 1
                heapq.heappush(pending, (at + rng.uniform(1, HOUR), seq, {**event, "resent": True}))
        who = plan[n - 1] if n <= len(plan) else extras[rng.randrange(len(extras))]
        known = who in numbers
        number = numbers.setdefault(who, len(numbers) + 1)
        events = [] if known else [_created(rng, number, placed)]  # just before the first order
        events += _order(rng, customer_id(number), order_id(n), placed)
        for at, event in events:
            seq += 1
            heapq.heappush(pending, (at, seq, event))


def without_marks(event: Event) -> Event:
    """The event as sent: a re-sent one carries a mark for the generator only."""
    if "resent" in event:
        event = dict(event)
        del event["resent"]
    return event


def _plan(rng: random.Random, n_customers: int, planned: int) -> tuple[list[int], list[int]]:
    """Who places the first `planned` orders, in time order (every customer's first order,
    then further ones in the skew's proportions), and the pool later orders come from."""
    wants = [_orders_wanted(rng) for _ in range(n_customers)]
    extras = [c for c, k in enumerate(wants) for _ in range(k - 1)] or list(range(n_customers))
    rng.shuffle(extras)
    plan = list(range(n_customers))
    if planned <= n_customers:
        rng.shuffle(plan)
        return plan[:planned], extras
    plan += [extras[i % len(extras)] for i in range(planned - n_customers)]
    rng.shuffle(plan)
    return plan, extras


def _order(rng: random.Random, customer: str, order: str, t: float) -> list[tuple[float, Event]]:
    """One order's events, in time order, as `workload._order` draws them."""
    total = int(rng.lognormvariate(8.3, 0.7)) + 100  # ~$40 median, in cents
    out = [(t, _event(customer, order, "placed", t, total))]
    fate = rng.random()
    if fate < CANCEL_RATE / 2:
        at = t + rng.uniform(MINUTE, 2 * HOUR)
        out.append((at, _event(customer, order, "cancelled", at, total)))
        return out
    paid = t + rng.uniform(5, 15 * MINUTE)
    out.append((paid, _event(customer, order, "paid", paid, total)))
    if fate < CANCEL_RATE:
        at = paid + rng.uniform(HOUR, DAY)
        out.append((at, _event(customer, order, "cancelled", at, total)))
        return out
    if rng.random() < COMPLETE_RATE:
        at = paid + rng.uniform(DAY, 7 * DAY)
        out.append((at, _event(customer, order, "completed", at, total)))
    if rng.random() < REFUND_RATE:
        at = paid + rng.uniform(2 * DAY, 30 * DAY)
        event = _event(customer, order, "refunded", at, total)
        if rng.random() < 0.6:
            event["refund_amount"] = rng.randint(1, total - 1)
        out.append((at, event))
    return out


def _event(customer: str, order: str, kind: str, at: float, total: int) -> Event:
    event: Event = {
        "id": f"{order}-{kind}",
        "type": f"order.{kind}",
        "customer_id": customer,
        "order_id": order,
        "occurred_at": _iso(at),
    }
    if kind in ("placed", "paid", "completed"):
        event["total"], event["currency"] = total, "USD"
    return event


def _created(rng: random.Random, number: int, at: float) -> tuple[float, Event]:
    cid = customer_id(number)
    return at, {
        "id": f"{cid}-created",
        "type": "customer.created",
        "customer_id": cid,
        "name": f"Customer {number:,}",
        "email": f"{cid}@example.com",
        "email_consent": rng.random() < EMAIL_CONSENT,
        "occurred_at": _iso(at),
    }


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat()
