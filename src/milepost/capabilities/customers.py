"""`mp.customers`: a store's customers as the operator reads them."""

from __future__ import annotations

from milepost.capabilities.wiring import Capability
from milepost.domain.consent import EmailReach
from milepost.domain.delivery import Delivery
from milepost.domain.records import CustomerLine, CustomerReport
from milepost.service import delivery, reports


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

    def list(self, store: str, prefix: str = "", after: str | None = None, limit: int = 50) -> list[CustomerLine]:
        """Customers by id, those whose id starts with `prefix`; `after` (the last id seen) pages."""
        return reports.customer_lines(self._w.db, self._w.store_id(store), prefix, after, limit)
