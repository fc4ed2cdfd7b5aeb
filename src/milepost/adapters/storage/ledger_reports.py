"""What operators and the ledger service read of a customer's two ledgers, store credit
and points: balances, what a firing gave, and the entries with the milestone that gave them.

Both ledgers are append-only tables of the same shape; the credit ledger has `amount`
and `currency` where the points ledger has `points`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, Table, func, select

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.domain.records import LedgerEntry, PointsEntry


def _entry_fields(r: Any) -> dict[str, Any]:
    """What an entry of either ledger says besides how much it moved."""
    return {
        "id": r.id,
        "customer_id": r.customer_ext,
        "reason": r.reason,
        "created_at": r.created_at,
        "idempotency_key": r.idempotency_key,
        "firing_id": r.firing_id,
        "milestone": r.milestone,
        "order_id": r.order_id,
        "note": r.note,
        "actor": r.actor,
    }


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
        rows = self._entries(t.credit_ledger, customer_id, store_id, key)
        return [LedgerEntry(amount=r.amount, currency=r.currency, **_entry_fields(r)) for r in rows]

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
        rows = self._entries(t.points_ledger, customer_id, store_id, key)
        return [PointsEntry(points=r.points, **_entry_fields(r)) for r in rows]

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
        self, ledger: Table, customer_id: int | None, store_id: int | None, key: str | None
    ) -> Iterable[Row[Any]]:
        """The ledger's rows, oldest first, with the customer's external id and the name of
        the milestone's program; narrowed to a customer, a store and a key when given."""
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
        return self.conn.execute(q.order_by(ledger.c.id))
