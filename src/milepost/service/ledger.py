"""Store credit and points, by hand: the store reports what a customer spent (on an
order), an operator corrects a balance up or down with a reason written down.

Both ledgers work the same way: append-only, idempotent by key (the same key returns
the first entry; the same key with another amount or customer is refused), never below
zero unless the store allows it. Orders, refunds and milestones write to them during
ingest instead (service/ingest.py, service/effects.py, service/clawback.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from milepost.domain.records import LedgerEntry, PointsEntry, Store
from milepost.errors import Conflict, InsufficientBalance, NotFound, ValidationError
from milepost.service.points import expired_now
from milepost.service.ports import POINTS_UNIT, LedgerRow, Storage

E = TypeVar("E", LedgerEntry, PointsEntry)


class Book(Generic[E]):
    """What differs between the ledgers."""

    field = ""  # the input field errors name
    positive = ""  # what a spend of nothing is told
    nonzero = ""  # what an adjustment of nothing is told

    def allows_negative(self, store: Store) -> bool:
        raise NotImplementedError

    def prepare(self, tx: Any, store: Store, now: datetime, customer_id: int) -> None:
        """Bring the customer's ledger up to `now` before it is read."""

    def balance(self, tx: Any, store: Store, customer_id: int) -> int:
        raise NotImplementedError

    def describe(self, customer: str, store: Store, balance: int) -> str:
        raise NotImplementedError

    def find(self, tx: Any, store_id: int, key: str) -> list[E]:
        raise NotImplementedError

    def insert(self, tx: Any, store: Store, customer_id: int, amount: int, reason: str, key: str, extra: dict) -> None:
        raise NotImplementedError

    @staticmethod
    def amount(entry: E) -> int:
        return entry.amount if isinstance(entry, LedgerEntry) else entry.points


class _Credit(Book[LedgerEntry]):
    field = "amount"
    positive = "the amount must be a positive integer of minor units"
    nonzero = "the adjustment must be a non-zero integer of minor units"

    def allows_negative(self, store: Store) -> bool:
        return store.allow_negative_credit

    def balance(self, tx: Any, store: Store, customer_id: int) -> int:
        return int(tx.balances(customer_id).get(store.currency, 0))

    def describe(self, customer: str, store: Store, balance: int) -> str:
        return f"{customer} has {balance} {store.currency} of credit"

    def find(self, tx: Any, store_id: int, key: str) -> list[LedgerEntry]:
        return tx.ledger_entries(store_id=store_id, key=key)  # type: ignore[no-any-return]

    def insert(self, tx: Any, store: Store, customer_id: int, amount: int, reason: str, key: str, extra: dict) -> None:
        now = extra.pop("now")
        tx.insert_ledger(store.id, [LedgerRow(customer_id, amount, store.currency, reason, key, **extra)], now)


class _Points(Book[PointsEntry]):
    field = "points"
    positive = "the points must be a positive integer"
    nonzero = "the adjustment must be a non-zero integer of points"

    def allows_negative(self, store: Store) -> bool:
        return store.allow_negative_points

    def prepare(self, tx: Any, store: Store, now: datetime, customer_id: int) -> None:
        tx.insert_ledger(store.id, expired_now(tx, store, now, [customer_id]), now)  # not spent once expired

    def balance(self, tx: Any, store: Store, customer_id: int) -> int:
        return int(tx.points_balance(customer_id))

    def describe(self, customer: str, store: Store, balance: int) -> str:
        return f"{customer} has {balance} points"

    def find(self, tx: Any, store_id: int, key: str) -> list[PointsEntry]:
        return tx.points_entries(store_id=store_id, key=key)  # type: ignore[no-any-return]

    def insert(self, tx: Any, store: Store, customer_id: int, amount: int, reason: str, key: str, extra: dict) -> None:
        now = extra.pop("now")
        tx.insert_ledger(store.id, [LedgerRow(customer_id, amount, POINTS_UNIT, reason, key, **extra)], now)


CREDIT = _Credit()
POINTS = _Points()


def spend(
    db: Storage,
    now: datetime,
    book: Book[E],
    store_id: int,
    customer_id: str,
    amount: int,
    *,
    key: str,
    order_id: str | None = None,
    note: str | None = None,
) -> E:
    """The store reports `amount` spent by the customer (on an order)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError(book.positive, {book.field: "positive integer"})
    return _post(db, now, book, store_id, customer_id, -amount, "spend", key, order_id=order_id, note=note)


def adjust(
    db: Storage,
    now: datetime,
    book: Book[E],
    store_id: int,
    customer_id: str,
    amount: int,
    *,
    key: str,
    reason: str,
    actor: str | None = None,
) -> E:
    """An operator's correction, up or down, with the reason written down."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise ValidationError(book.nonzero, {book.field: "non-zero integer"})
    if not reason or not reason.strip():
        raise ValidationError("an adjustment needs a reason", {"reason": "is required"})
    return _post(db, now, book, store_id, customer_id, amount, "adjustment", key, note=reason.strip(), actor=actor)


def _post(
    db: Storage,
    now: datetime,
    book: Book[E],
    store_id: int,
    customer_id: str,
    amount: int,
    reason: str,
    key: str,
    **extra: str | None,
) -> E:
    if not key or not key.strip():
        raise ValidationError("an idempotency key is required", {"key": "is required"})
    ledger_key = f"{reason}:{key}"
    with db.write() as tx:
        store = tx.lock_store(store_id)
        tx.lock_customers(store_id, [customer_id])
        found = tx.customer(store_id, customer_id)
        if found is None:
            raise NotFound(f"no customer {customer_id!r} in this store")
        customer = found[0]
        done = book.find(tx, store_id, ledger_key)
        if done:
            if book.amount(done[0]) != amount or done[0].customer_id != customer_id:
                raise Conflict(f"the key {key!r} was used for a different {reason}")
            return done[0]
        book.prepare(tx, store, now, customer.id)
        balance = book.balance(tx, store, customer.id)
        if amount < 0 and balance + amount < 0 and not book.allows_negative(store):
            raise InsufficientBalance(f"{book.describe(customer_id, store, balance)}; {-amount} cannot be taken")
        book.insert(tx, store, customer.id, amount, reason, ledger_key, {**extra, "now": now})
        return book.find(tx, store_id, ledger_key)[0]
