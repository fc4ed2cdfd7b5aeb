"""A batch of events, folded in memory: the pure heart of ingest.

`fold_batch` applies each event in turn to the customers and orders it
touches and collects the rule crossings each change causes; `decide_firings`
turns crossings into firings given what may not fire (`Blocked`, domain/due.py). The
service's firing pipeline (service/pipeline.py) loads state before and writes the
result after; nothing here does I/O. The objects built per event and per firing
(`Applied`, `OrderSlot`, `Decided`) are in domain/construct.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from milepost.domain.aggregates import fold_activity, fold_order
from milepost.domain.construct import Applied, CustomerView, Decided, OrderSlot
from milepost.domain.due import Blocked
from milepost.domain.events import ACTIVITY_TYPES, CustomerEvent, Event, OrderEvent, Rejection, TrackEvent
from milepost.domain.firing import fire
from milepost.domain.journeys import Progress
from milepost.domain.journeys import advance as advance_journey
from milepost.domain.orders import apply
from milepost.domain.records import CustomerState, Store
from milepost.domain.rules import Crossing, Rule, RuleIndex, evaluate


def fold_batch(
    events: list[tuple[int, Event]],
    store: Store,
    customers: dict[str, CustomerState],
    orders: dict[str, OrderSlot],
    rules: RuleIndex,
    now: datetime,
    activities: dict[tuple[str, str], int] | None = None,
    journeys: JourneyState | None = None,
) -> tuple[list[Applied], list[Rejection]]:
    """Apply `events` in order; `customers`, `orders` and `activities` are updated in place.
    `activities` maps (event type, item) to the customer counted for it: the items of the
    batch already stored, and those the batch counts."""
    applied: list[Applied] = []
    rejected: list[Rejection] = []
    rank = store.counting_rank
    earning = (store.points_per_unit, store.unit)
    seen = activities if activities is not None else {}
    journeying = journeys if journeys is not None and rules.journeys else None
    for index, event in events:
        customer = customers[event.customer_id]
        if event.__class__ is not OrderEvent:
            if event.__class__ is TrackEvent and event.type in ACTIVITY_TYPES:
                item = _apply_activity(index, event, customer, seen, rules, now)
                if isinstance(item, Rejection):
                    rejected.append(item)
                else:
                    if journeying is not None and item.counted:
                        item.crossings.extend(journeying.advance(rules.journeys, customer, now))
                    applied.append(item)
                continue
            # a profile change or a custom event: stored, the customer created, nothing fires
            if event.__class__ is CustomerEvent:
                _apply_profile(customer, event)
            applied.append(Applied(index, event, customer, []))
            continue
        slot = orders.get(event.order_id)
        if slot is not None and slot.customer_id != customer.id:
            rejected.append(
                Rejection(index, event.key, "order_id", f"order {event.order_id!r} belongs to another customer")
            )
            continue
        if event.currency is not None and event.currency != store.currency:
            rejected.append(Rejection(index, event.key, "currency", f"must be the store's currency, {store.currency}"))
            continue
        before = customer.aggregates
        item = _apply_order(index, event, customer, slot, orders, rank, rules, now, earning)
        if journeying is not None and customer.aggregates is not before:
            item.crossings.extend(journeying.advance(rules.journeys, customer, now))
        applied.append(item)
    return applied, rejected


@dataclass(slots=True)
class JourneyState:
    """The batch's customers' progress on the store's journeys: loaded before the fold,
    `changed` written after it. A customer with no row has done no step, from 0."""

    progress: dict[tuple[int, int], Progress] = field(default_factory=dict)  # (rule, customer) -> progress
    changed: set[tuple[int, int]] = field(default_factory=set)

    def advance(self, journeys: tuple[Rule, ...], customer: CustomerState, now: datetime) -> list[Crossing]:
        """Move the customer along every live journey after their aggregates changed; the
        crossings of the journeys they finished."""
        finished: list[Crossing] = []
        for rule in journeys:
            if not rule.live_at(now):
                continue
            key = (rule.id, customer.id)
            was = self.progress.get(key, _NOT_STARTED)
            now_at = advance_journey(rule.steps, was, customer.aggregates)
            if now_at is was:
                continue
            self.progress[key] = now_at
            self.changed.add(key)
            if now_at.done:
                finished.append(Crossing(rule, len(rule.steps)))
        return finished


_NOT_STARTED = Progress()


def _apply_order(
    index: int,
    event: OrderEvent,
    customer: CustomerState,
    slot: OrderSlot | None,
    orders: dict[str, OrderSlot],
    rank: int,
    rules: RuleIndex,
    now: datetime,
    earning: tuple[int, int],
) -> Applied:
    before = slot.state if slot is not None else None
    after = apply(before, event, rank)
    rate, unit = earning
    if rate and not after.points_rate and after.counts(rank) and not (before is not None and before.counts(rank)):
        after = after._replace(points_rate=rate)  # the rate when it first counts stays the order's
    if slot is None:
        slot = orders[event.order_id] = OrderSlot(customer.id, after, changed=True)
    else:
        slot.state, slot.changed = after, True
    old = customer.aggregates
    new = fold_order(old, before, after, rank, unit)
    if new is old:
        return Applied(index, event, customer, [])
    customer.aggregates, customer.changed = new, True
    return Applied(index, event, customer, evaluate(old, new, rules, now), points=new.points_earned - old.points_earned)


def _apply_activity(
    index: int,
    event: TrackEvent,
    customer: CustomerState,
    seen: dict[tuple[str, str], int],
    rules: RuleIndex,
    now: datetime,
) -> Applied | Rejection:
    """A review, a referral or a paid billing cycle counts once per item, for one customer."""
    key = (event.type, event.item)
    owner = seen.get(key)
    if owner is not None:
        if owner != customer.id:
            field = ACTIVITY_TYPES[event.type][0]
            return Rejection(index, event.key, field, f"{field} {event.item!r} belongs to another customer")
        return Applied(index, event, customer, [])  # reported again under another event id
    seen[key] = customer.id
    old = customer.aggregates
    new = fold_activity(old, ACTIVITY_TYPES[event.type][1])
    customer.aggregates, customer.changed = new, True
    return Applied(index, event, customer, evaluate(old, new, rules, now), counted=True)


def _apply_profile(customer: CustomerState, event: CustomerEvent) -> None:
    """Profile fields from the newest event win; an older event arriving late changes nothing."""
    if customer.profile_at is not None and event.occurred_at < customer.profile_at:
        return
    customer.profile_at, customer.changed, customer.profile_changed = event.occurred_at, True, True
    for name, value in event.profile:
        if name == "attributes":
            customer.attributes = _merge(customer.attributes, value)
        else:
            setattr(customer, name, value)


def _merge(current: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Attributes merge key by key; a null value removes the key."""
    merged = {**current, **update}
    return {k: v for k, v in merged.items() if v is not None}


def decide_firings(
    applied: list[Applied],
    tags: dict[int, frozenset[str]],
    blocked: Blocked,
) -> list[Decided]:
    """Firings, in event order, skipping what `blocked` blocks (and adding to it what
    fires); `tags` holds each customer's tags, updated as earlier firings add or remove
    them."""
    decided: list[Decided] = []
    for item in applied:
        for crossing in item.crossings:
            customer = item.customer
            if blocked.blocks(crossing.rule, customer.id, crossing.occurrence):
                continue
            view = CustomerView(
                customer.external_id,
                customer.name,
                customer.email,
                tags.get(customer.id, frozenset()),
                customer.attributes,
            )
            order_id = item.event.order_id if isinstance(item.event, OrderEvent) else None
            firing = fire(crossing, view, order_id)
            if firing is None:
                continue
            blocked.add(crossing.rule, customer.id, crossing.occurrence)
            tags[customer.id] = firing.tags_after
            decided.append(Decided(item, firing))
    return decided
