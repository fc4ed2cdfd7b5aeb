"""`mp.customers`: a store's customers as the operator reads them."""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from typing import TypedDict, Unpack

from milepost.capabilities.wiring import Capability
from milepost.domain.consent import EmailReach
from milepost.domain.delivery import Delivery
from milepost.domain.records import CustomerLine, CustomerReport
from milepost.service import customers, delivery, reports
from milepost.service.ports.customers import CustomerFilter, EventLine, EventPosition, TagChange


class Filters(TypedDict, total=False):
    """What a customer list may be narrowed by, besides its search."""

    tag: str | None
    min_orders: int | None
    max_orders: int | None
    min_spent: int | None  # minor units of the store's currency
    max_spent: int | None


class Customers(Capability):
    def get(self, store: str, customer_id: str) -> CustomerReport:
        """Everything about one customer: aggregates, tags, balances, credit ledger,
        milestones reached and codes held."""
        return reports.customer_report(self._w.db, self._w.store_id(store), customer_id)

    def by_email(self, store: str, email: str, limit: int = 50) -> list[CustomerLine]:
        """Customers with this email address (as sent, or in lower case), by id."""
        return reports.customers_by_email(self._w.db, self._w.store_id(store), email, limit)

    def email_reach(self, store: str) -> EmailReach:
        """How many of the store's customers a milestone email would reach today: those
        with an email address, and with email consent unless the store's milestone emails
        are transactional; `describe()` says it in words."""
        return reports.email_reach(self._w.db, self._w.store_id(store))

    def messages(self, store: str, customer_id: str, limit: int = 20) -> list[Delivery]:
        """The emails and texts milestones sent about the customer, newest first."""
        return delivery.customer_messages(self._w.db, self._w.store_id(store), customer_id, limit)

    def list(
        self, store: str, q: str = "", *, after: str | None = None, limit: int = 50, **filters: Unpack[Filters]
    ) -> list[CustomerLine]:
        """Customers by id: those with `q` in their id, email or name (any case), with the
        tag `tag`, and order count and spend (minor units) within the bounds given; pass the
        last id seen as `after` for the next page."""
        where = CustomerFilter(q=q, **filters)
        return customers.customer_lines(self._w.db, self._w.store_id(store), where, after, limit)

    search = list

    def export(self, store: str, q: str = "", **filters: Unpack[Filters]) -> Iterator[CustomerLine]:
        """Every customer `list` would show on all its pages, read a thousand at a time as
        they are consumed; a bad filter is a ValidationError at the call."""
        where = CustomerFilter(q=q, **filters)
        return customers.all_customer_lines(self._w.db, self._w.store_id(store), where)

    def tag(
        self,
        store: str,
        customer_id: str,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        actor: str | None = None,
    ) -> builtins.list[str]:
        """Add and remove the customer's tags by hand (recorded with `actor`, who did); their
        tags after it. No milestone fires for it: conditions on tags see the change at the
        customer's next event."""
        store_id = self._w.store_id(store)
        return customers.change_tags(self._w.db, self._w.clock(), store_id, customer_id, add, remove, actor)

    def tag_changes(self, store: str, customer_id: str, limit: int = 20) -> builtins.list[TagChange]:
        """The tags added and taken off by hand, with who did and when, newest first."""
        return customers.tag_changes(self._w.db, self._w.store_id(store), customer_id, limit)

    def events(
        self, store: str, customer_id: str, limit: int = 20, before: EventPosition | None = None
    ) -> builtins.list[EventLine]:
        """The customer's latest events (type, when, order, as received), newest first; with
        `before` (an event's `position`), the ones after it in that order: the next page."""
        return customers.recent_events(self._w.db, self._w.store_id(store), customer_id, limit, before)
