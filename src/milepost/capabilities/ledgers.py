"""`mp.ledgers`: a customer's store credit and points, one ledger with a unit: "credit"
(minor units of the store's currency) or "points". Spends and adjustments are idempotent
by `key`: the same key again answers the first entry."""

from __future__ import annotations

from typing import Any

from milepost.capabilities.wiring import Capability
from milepost.domain.expiry import Lot
from milepost.domain.records import LedgerEntry, PointsEntry
from milepost.errors import ValidationError
from milepost.service import ledger, points, reports

UNITS = ("credit", "points")

Entry = LedgerEntry | PointsEntry


def _book(unit: str) -> Any:
    """The service's ledger book of `unit`."""
    if unit == "credit":
        return ledger.CREDIT
    if unit == "points":
        return ledger.POINTS
    raise ValidationError(f"unit must be one of {', '.join(UNITS)}", {"unit": "unknown unit"})


class Ledgers(Capability):
    def spend(
        self,
        store: str,
        customer_id: str,
        amount: int,
        *,
        unit: str,
        key: str,
        order_id: str | None = None,
        note: str | None = None,
    ) -> Entry:
        """The store reports `amount` of `unit` spent by the customer (on `order_id`);
        below zero is a Conflict unless the store allows negative balances of that unit."""
        w = self._w
        return ledger.spend(  # type: ignore[no-any-return]
            w.db, w.clock(), _book(unit), w.store_id(store), customer_id, amount, key=key, order_id=order_id, note=note
        )

    def adjust(
        self,
        store: str,
        customer_id: str,
        amount: int,
        *,
        unit: str,
        key: str,
        reason: str,
        actor: str | None = None,
    ) -> Entry:
        """An operator's correction, up or down, with its reason (and who made it)."""
        w = self._w
        return ledger.adjust(  # type: ignore[no-any-return]
            w.db, w.clock(), _book(unit), w.store_id(store), customer_id, amount, key=key, reason=reason, actor=actor
        )

    def entries(self, store: str, customer_id: str, *, unit: str) -> list[LedgerEntry] | list[PointsEntry]:
        """The customer's entries of `unit`, oldest first; their sum is the balance (per
        currency, for credit)."""
        if _book(unit) is ledger.POINTS:
            return points.points_ledger(self._w.db, self._w.store_id(store), customer_id)
        return list(reports.customer_report(self._w.db, self._w.store_id(store), customer_id).ledger)

    def expiring(self, store: str, customer_id: str) -> list[Lot]:
        """What is left of the customer's points lots that will expire, soonest first
        (none when the store's points never expire). Store credit does not expire."""
        return points.points_expiring(self._w.db, self._w.clock(), self._w.store_id(store), customer_id)
