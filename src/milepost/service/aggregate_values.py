"""The values of a store's aggregates for a page of customers, as of a store-local day:
what automation conditions read. One set-based query per aggregate (adapters/storage/
aggregates.py), over the window domain/aggregate_definitions.py draws; computed from what
is stored when asked, so an event that arrives late or out of order counts from then on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime

from milepost.domain.aggregate_definitions import Aggregate, window
from milepost.domain.automations import zone_of
from milepost.domain.records import CustomerState, Store
from milepost.errors import NotFound
from milepost.service.ports import AggregatesTx

PAGE = 1000  # customers per query


def values_for(
    tx: AggregatesTx, store: Store, names: set[str], customer_ids: list[int], day: date
) -> dict[int, dict[str, int]]:
    """customer id -> aggregate key -> value as of `day`, for every customer and key
    asked (0 where the customer has none); NotFound names a key the store does not define."""
    defined = {a.key: a for a in tx.aggregates(store.id)}
    unknown = sorted(names - defined.keys())
    if unknown:
        raise NotFound(f"no aggregate {', '.join(map(repr, unknown))} in this store")
    values = {c: dict.fromkeys(names, 0) for c in customer_ids}
    for name in names:
        for customer_id, value in _values(tx, store, defined[name], customer_ids, day):
            values[customer_id][name] = value
    return values


def known(tx: AggregatesTx, store_id: int) -> set[str]:
    """The keys of the store's aggregates: what a condition may name."""
    return {a.key for a in tx.aggregates(store_id)}


def of_customer(tx: AggregatesTx, store: Store, customer: CustomerState, now: datetime) -> dict[str, int]:
    """Each of the store's aggregates for one customer as of their local today (in their
    `timezone` attribute's zone, else the store's: the whole days before it), as a daily
    automation's branch read them that day: what a message's `{{ aggregates.<key> }}` shows."""
    names = known(tx, store.id)
    if not names:
        return {}
    zone = zone_of(customer.attributes, store.timezone)
    local = replace(store, timezone=zone.key)
    return values_for(tx, local, names, [customer.id], now.astimezone(zone).date())[customer.id]


def named_in(*texts: object) -> bool:
    """Whether a message's texts read `aggregates` (only then are they computed for it)."""
    return any(isinstance(text, str) and "aggregates" in text for text in texts)


def _values(
    tx: AggregatesTx, store: Store, a: Aggregate, customer_ids: list[int], day: date
) -> Iterable[tuple[int, int]]:
    start, end = window(day, a.window_days, store.timezone)
    for i in range(0, len(customer_ids), PAGE):
        yield from tx.aggregate_values(store.id, a, customer_ids[i : i + PAGE], start, end).items()
