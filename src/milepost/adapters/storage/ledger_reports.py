"""What operators and the ledger service read of a customer's two ledgers, store credit
and points: balances, what a firing gave, and the entries with the milestone that gave them.

Both ledgers are append-only tables of the same shape; the credit ledger has `amount`
and `currency` where the points ledger has `points`."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Table, func, select

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase, record
from milepost.domain.records import LedgerEntry, PointsEntry

E = TypeVar("E", LedgerEntry, PointsEntry)


class LedgerQueries(TxBase):
    # -- credit ----------------------------------------------------------------------

    def balances(self, customer_id: int) -> dict[str, int]:
        led = t.credit_ledger.c
        rows = self.conn.execute(
            select(led.currency, func.sum(led.amount)).where(led.customer_id == customer_id).group_by(led.currency)
        )
        return {cur: int(total) for cur, total in rows}

    def firing_credit(self, store_id: int, external_id: str, firing_id: int) -> int:
        """The credit a firing gave the customer (its `milestone` ledger entries)."""
        return self._firing_total(t.credit_ledger, "amount", store_id, external_id, firing_id)

    def ledger_entries(
        self, customer_id: int | None = None, store_id: int | None = None, key: str | None = None
    ) -> list[LedgerEntry]:
        return self._entries(t.credit_ledger, LedgerEntry, customer_id, store_id, key)

    # -- points ----------------------------------------------------------------------

    def points_balance(self, customer_id: int) -> int:
        led = t.points_ledger.c
        q = select(func.coalesce(func.sum(led.points), 0)).where(led.customer_id == customer_id)
        return int(self.conn.execute(q).scalar_one())

    def firing_points(self, store_id: int, external_id: str, firing_id: int) -> int:
        """The points a firing gave the customer (its `milestone` entries)."""
        return self._firing_total(t.points_ledger, "points", store_id, external_id, firing_id)

    def points_entries(
        self, customer_id: int | None = None, store_id: int | None = None, key: str | None = None
    ) -> list[PointsEntry]:
        return self._entries(t.points_ledger, PointsEntry, customer_id, store_id, key)

    # -- either ledger ---------------------------------------------------------------

    def _firing_total(self, ledger: Table, column: str, store_id: int, external_id: str, firing_id: int) -> int:
        """The sum of `column` over the customer's `milestone` entries of one firing."""
        led, cus = ledger.c, t.customers.c
        customer = select(cus.id).where(cus.store_id == store_id, cus.external_id == external_id).scalar_subquery()
        q = select(func.coalesce(func.sum(led[column]), 0)).where(
            led.customer_id == customer, led.firing_id == firing_id, led.reason == "milestone"
        )
        return int(self.conn.execute(q).scalar_one())

    def _entries(
        self, ledger: Table, entry: type[E], customer_id: int | None, store_id: int | None, key: str | None
    ) -> list[E]:
        """The ledger's entries, oldest first, with the customer's external id and the name
        of the milestone's program; narrowed to a customer, a store and a key when given."""
        cus, fir, rul = t.customers, t.firings, t.rules
        q = (
            select(ledger, cus.c.external_id.label("customer_ext"), rul.c.name.label("milestone"))
            .join(cus, cus.c.id == ledger.c.customer_id)
            .outerjoin(fir, fir.c.id == ledger.c.firing_id)
            .outerjoin(rul, rul.c.id == fir.c.rule_id)
        )
        if customer_id is not None:
            q = q.where(ledger.c.customer_id == customer_id)
        if store_id is not None:
            q = q.where(ledger.c.store_id == store_id)
        if key is not None:
            q = q.where(ledger.c.idempotency_key == key)
        return [record(entry, r, customer_id=r.customer_ext) for r in self.conn.execute(q.order_by(ledger.c.id))]
