"""Finding customers and changing them by hand: the list's filters, a customer's tags,
their recent events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from milepost.domain.records import CustomerLine


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerFilter:
    """Which customers a list shows; every part given must hold."""

    q: str = ""  # in the id, email or name, case-insensitive
    tag: str | None = None  # the customer has this tag
    min_orders: int | None = None
    max_orders: int | None = None
    min_spent: int | None = None  # minor units of the store's currency
    max_spent: int | None = None


@dataclass(frozen=True, slots=True)
class EventLine:
    """One event of a customer, as stored: its type, when it happened, its order, and the
    event as received (JSON)."""

    type: str
    occurred_at: datetime
    order_id: str | None
    payload: str


class CustomersTx(Protocol):
    def customer_lines(self, store_id: int, where: CustomerFilter, after: str | None, limit: int) -> list[CustomerLine]:
        """The customers `where` picks, by id, after the id `after`."""
        ...

    def add_tags(self, customer_id: int, tags: list[str], now: datetime) -> None:
        """Tag the customer (internal id); tags they have already stay as they were."""
        ...

    def remove_tags(self, customer_id: int, tags: list[str]) -> None: ...

    def customer_events(self, customer_id: int, limit: int) -> list[EventLine]:
        """The customer's (internal id) latest events, newest first."""
        ...
