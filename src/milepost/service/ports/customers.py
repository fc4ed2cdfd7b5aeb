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
    """One event of a customer, as stored: its type, when it happened, its order, the
    event as received (JSON), and the source and id it was sent with."""

    type: str
    occurred_at: datetime
    order_id: str | None
    payload: str
    source: str = ""
    external_id: str = ""

    @property
    def position(self) -> EventPosition:
        """Where it stands in the customer's history, newest first."""
        return (self.occurred_at, self.source, self.external_id)


#: An event's place in a customer's history: (occurred_at, source, external_id).
EventPosition = tuple[datetime, str, str]


@dataclass(frozen=True, slots=True)
class TagChange:
    """A tag an operator added (or, `added` false, took off) by hand, who did, and when."""

    tag: str
    added: bool
    actor: str | None
    created_at: datetime


class CustomersTx(Protocol):
    def customer_lines(self, store_id: int, where: CustomerFilter, after: str | None, limit: int) -> list[CustomerLine]:
        """The customers `where` picks, by id, after the id `after`."""
        ...

    def add_tags(self, customer_id: int, tags: list[str], now: datetime) -> None:
        """Tag the customer (internal id); tags they have already stay as they were."""
        ...

    def remove_tags(self, customer_id: int, tags: list[str]) -> None: ...

    def record_tag_changes(
        self, customer_id: int, changes: list[tuple[str, bool]], actor: str | None, now: datetime
    ) -> None:
        """Write down the (tag, added) changes an operator made by hand."""
        ...

    def tag_changes(self, customer_id: int, limit: int) -> list[TagChange]:
        """The customer's (internal id) tag changes by hand, newest first."""
        ...

    def customer_events(self, customer_id: int, limit: int, before: EventPosition | None = None) -> list[EventLine]:
        """The customer's (internal id) latest events, newest first; with `before`, those
        older than that position."""
        ...
