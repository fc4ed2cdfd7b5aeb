"""`mp.events`: the store's event catalogue (every event name seen) and Milepost's own
internal events."""

from __future__ import annotations

from milepost.capabilities.wiring import Capability
from milepost.service.internal_events import INTERNAL_EVENTS
from milepost.service.ports import EventName


class Events(Capability):
    def names(self, store: str) -> list[EventName]:
        """Every event name the store has seen, by name: the built-in types stores send
        (`order.paid`), custom events' names (`cart_abandoned`) and Milepost's own internal
        events (`internal` True), each with how many and the latest `occurred_at`."""
        with self._w.db.read() as tx:
            return tx.event_names(self._w.store_id(store))

    @staticmethod
    def internal() -> dict[str, tuple[str, str]]:
        """Every internal event Milepost records: what it says, and the fields of its data
        (docs/reference/events.md gives each payload); `customer.deleted`,
        `customer.segment.*` and `distribution.*` are reserved."""
        return dict(INTERNAL_EVENTS)
