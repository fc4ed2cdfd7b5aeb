"""`mp.aggregates`: the per-customer numbers a store defines (orders in the last 365 days,
reviews ever, the sum of a custom event's property over 30 days) that automation
conditions use."""

from __future__ import annotations

from datetime import date
from typing import Any

from milepost.capabilities.wiring import Capability
from milepost.domain.aggregate_definitions import Aggregate
from milepost.service import aggregates


class Aggregates(Capability):
    def create(
        self,
        store: str,
        key: str,
        *,
        name: str,
        source: str,
        function: str = "count",
        property: str | None = None,
        window_days: int | None = None,
    ) -> Aggregate:
        """A new aggregate: `function` ("count" or "sum") of `source` ("orders", an event
        type or a custom event's name; a sum of events adds its numeric `property`, a sum
        of orders their net totals in minor units), over the `window_days` whole
        store-local days before the day asked (None: all time)."""
        values: dict[str, Any] = {"key": key, "name": name, "source": source, "function": function}
        values |= {"property": property, "window_days": window_days}
        return aggregates.create(self._w.db, self._w.clock(), self._w.store_id(store), values)

    def list(self, store: str) -> list[Aggregate]:
        """The store's aggregates by key."""
        return aggregates.list_all(self._w.db, self._w.store_id(store))

    def get(self, store: str, key: str) -> Aggregate:
        return aggregates.get(self._w.db, self._w.store_id(store), key)

    def update(self, store: str, key: str, **changes: Any) -> Aggregate:
        """Change name, source, function, property or window_days (not the key)."""
        return aggregates.update(self._w.db, self._w.clock(), self._w.store_id(store), key, changes)

    def delete(self, store: str, key: str) -> None:
        aggregates.delete(self._w.db, self._w.store_id(store), key)

    def today(self, store: str) -> date:
        """The store-local date now: the day `values` is as of by default."""
        return aggregates.local_today(self._w.store(store), self._w.clock())

    def values(self, store: str, customer_external_id: str, day: date | None = None) -> dict[str, int]:
        """The customer's value of each aggregate as of the store-local `day` (default:
        today): over the whole days before it."""
        w = self._w
        return aggregates.customer_values(w.db, w.store(store), customer_external_id, day, w.clock())
