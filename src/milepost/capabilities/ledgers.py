"""`mp.ledgers`: a customer's store credit and points, one ledger with a unit: "credit"
(minor units of the store's currency) or "points". Spends and adjustments are idempotent
by `key`: the same key again answers the first entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, overload

from milepost.capabilities.wiring import Capability
from milepost.domain.expiry import Lot
from milepost.domain.records import LedgerEntry, PointsEntry
from milepost.service import ledger

UNITS = ledger.UNITS

Entry = ledger.Entry


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
        account = ledger.Account(ledger.book(unit), self._w.store_id(store), customer_id)
        return ledger.spend(self._w.db, self._w.clock(), account, amount, key=key, order_id=order_id, note=note)

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
        account = ledger.Account(ledger.book(unit), self._w.store_id(store), customer_id)
        return ledger.adjust(self._w.db, self._w.clock(), account, amount, key=key, reason=reason, actor=actor)

    @overload
    def entries(self, store: str, customer_id: str, *, unit: Literal["credit"]) -> list[LedgerEntry]: ...
    @overload
    def entries(self, store: str, customer_id: str, *, unit: Literal["points"]) -> list[PointsEntry]: ...
    @overload
    def entries(self, store: str, customer_id: str, *, unit: str) -> list[LedgerEntry] | list[PointsEntry]: ...
    def entries(self, store: str, customer_id: str, *, unit: str) -> Sequence[Entry]:
        """The customer's entries of `unit`, oldest first; their sum is the balance (per
        currency, for credit)."""
        return ledger.entries(self._w.db, ledger.book(unit), self._w.store_id(store), customer_id)

    def expiring(self, store: str, customer_id: str) -> list[Lot]:
        """What is left of the customer's points lots that will expire, soonest first
        (none when the store's points never expire). Store credit does not expire."""
        return ledger.expiring(self._w.db, self._w.clock(), self._w.store_id(store), customer_id)
