"""A customer's ledger, in a unit: store credit (minor units of the store's currency) or
points. One mechanism: append-only, idempotent by key (the same key returns the first
entry; the same key with another amount or customer is refused), never below zero unless
the store allows it for that unit. What differs between the units is a `Book`.

By hand, the store reports what a customer spent (on an order) and an operator corrects
a balance up or down with a reason written down. Orders, refunds and milestones write to
the ledger during ingest instead (service/ingest.py, service/effects.py,
service/clawback.py). Points keep their expiry lots (domain/expiry.py): a lot that came
due is expired before points are spent, and the scheduler's sweep expires the rest
(scheduler/expiry.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from milepost.domain.expiry import EXPIRE, Lot, due, upcoming
from milepost.domain.records import LedgerEntry, PointsEntry, Store
from milepost.errors import Conflict, InsufficientBalance, ValidationError
from milepost.formatting import store_money
from milepost.service.existing import find_customer
from milepost.service.ports import POINTS_UNIT, LedgerRow, Storage

Entry = LedgerEntry | PointsEntry


class Book:
    """What differs between the units."""

    unit = ""  # "credit" or "points", as callers name it
    field = ""  # the input field errors name
    positive = ""  # what a spend of nothing is told
    nonzero = ""  # what an adjustment of nothing is told

    def allows_negative(self, store: Store) -> bool:
        """The store's setting for this unit: allow_negative_credit or allow_negative_points."""
        return bool(getattr(store, f"allow_negative_{self.unit}"))

    def prepare(self, tx: Any, store: Store, now: datetime, customer_id: int) -> None:
        """Bring the customer's ledger up to `now` before it is read."""

    def balance(self, tx: Any, store: Store, customer_id: int) -> int:
        raise NotImplementedError

    def describe(self, customer: str, store: Store, balance: int) -> str:
        raise NotImplementedError

    def show(self, store: Store, amount: int) -> str:
        """An amount of this unit as people read it."""
        return str(amount)

    def row_unit(self, store: Store) -> str:
        """The unit of the rows this book writes (a currency, or POINTS_UNIT)."""
        raise NotImplementedError

    def entries(
        self, tx: Any, *, customer_id: int | None = None, store_id: int | None = None, key: str | None = None
    ) -> list[Entry]:
        """The entries, oldest first, of a customer, or of a store's key."""
        raise NotImplementedError

    @staticmethod
    def amount(entry: Entry) -> int:
        return entry.amount if isinstance(entry, LedgerEntry) else entry.points


class _Credit(Book):
    unit = "credit"
    field = "amount"
    positive = "the amount must be a positive integer of minor units"
    nonzero = "the adjustment must be a non-zero integer of minor units"

    def balance(self, tx: Any, store: Store, customer_id: int) -> int:
        return int(tx.balances(customer_id).get(store.currency, 0))

    def describe(self, customer: str, store: Store, balance: int) -> str:
        return f"{customer} has {store_money(store, balance)} of credit"

    def show(self, store: Store, amount: int) -> str:
        return store_money(store, amount)

    def row_unit(self, store: Store) -> str:
        return store.currency

    def entries(self, tx: Any, **where: Any) -> list[Entry]:
        return tx.ledger_entries(**where)  # type: ignore[no-any-return]


class _Points(Book):
    unit = "points"
    field = "points"
    positive = "the points must be a positive integer"
    nonzero = "the adjustment must be a non-zero integer of points"

    def prepare(self, tx: Any, store: Store, now: datetime, customer_id: int) -> None:
        tx.insert_ledger(store.id, expired_now(tx, store, now, [customer_id]), now)  # not spent once expired

    def balance(self, tx: Any, store: Store, customer_id: int) -> int:
        return int(tx.points_balance(customer_id))

    def describe(self, customer: str, store: Store, balance: int) -> str:
        return f"{customer} has {balance} points"

    def row_unit(self, store: Store) -> str:
        return POINTS_UNIT

    def entries(self, tx: Any, **where: Any) -> list[Entry]:
        return tx.points_entries(**where)  # type: ignore[no-any-return]


CREDIT = _Credit()
POINTS = _Points()
UNITS = (CREDIT.unit, POINTS.unit)


def book(unit: str) -> Book:
    """The book of `unit` ("credit" or "points")."""
    if unit == CREDIT.unit:
        return CREDIT
    if unit == POINTS.unit:
        return POINTS
    raise ValidationError(f"unit must be one of {', '.join(UNITS)}", {"unit": "unknown unit"})


class Account(NamedTuple):
    """One customer's ledger in one unit: the unit's book, the store, the customer's external id."""

    book: Book
    store_id: int
    customer_id: str


def spend(
    db: Storage, now: datetime, account: Account, amount: int, key: str, order_id: str | None, note: str | None
) -> Entry:
    """The store reports `amount` spent by the customer (on an order)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError(account.book.positive, {account.book.field: "positive integer"})
    return _post(db, now, account, -amount, "spend", key, order_id=order_id, note=note)


def adjust(
    db: Storage, now: datetime, account: Account, amount: int, key: str, reason: str, actor: str | None
) -> Entry:
    """An operator's correction, up or down, with the reason written down."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise ValidationError(account.book.nonzero, {account.book.field: "non-zero integer"})
    if not reason or not reason.strip():
        raise ValidationError("an adjustment needs a reason", {"reason": "is required"})
    return _post(db, now, account, amount, "adjustment", key, note=reason.strip(), actor=actor)


def _post(db: Storage, now: datetime, account: Account, amount: int, reason: str, key: str, **row: Any) -> Entry:
    """Write the entry, unless its key was used already: then the first entry, if it is the
    same (`row`: the row's order id, note and actor)."""
    if not key or not key.strip():
        raise ValidationError("an idempotency key is required", {"key": "is required"})
    book, store_id, customer_id = account
    ledger_key = f"{reason}:{key}"
    with db.write() as tx:
        store = tx.lock_store(store_id)
        tx.lock_customers(store_id, [customer_id])
        customer = find_customer(tx, store_id, customer_id)
        done = book.entries(tx, store_id=store_id, key=ledger_key)
        if done:
            if book.amount(done[0]) != amount or done[0].customer_id != customer_id:
                raise Conflict(f"the key {key!r} was used for a different {reason}")
            return done[0]
        book.prepare(tx, store, now, customer.id)
        balance = book.balance(tx, store, customer.id)
        if amount < 0 and balance + amount < 0 and not book.allows_negative(store):
            taken = book.show(store, -amount)
            raise InsufficientBalance(f"{book.describe(customer_id, store, balance)}; {taken} cannot be taken")
        tx.insert_ledger(
            store.id, [LedgerRow(customer.id, amount, book.row_unit(store), reason, ledger_key, **row)], now
        )
        return book.entries(tx, store_id=store_id, key=ledger_key)[0]


def entries(db: Storage, book: Book, store_id: int, customer_id: str) -> list[Entry]:
    """The customer's entries, oldest first; their sum is the balance (per currency, for
    credit)."""
    with db.read() as tx:
        return book.entries(tx, customer_id=find_customer(tx, store_id, customer_id).id)


# -- points expiry --------------------------------------------------------------------------


def expiring(db: Storage, now: datetime, store_id: int, customer_id: str) -> list[Lot]:
    """The customer's points lots that will expire, with what is left of each, soonest first."""
    with db.read() as tx:
        store = tx.store(store_id)
        customer = find_customer(tx, store_id, customer_id)
        if store is None or store.points_expire_days is None:
            return []
        lots = tx.points_lots([customer.id]).get(customer.id, [])
    return upcoming(lots, store.points_expire_days, expiry_since(store), now)


def expired_now(tx: Any, store: Store, now: datetime, customer_ids: list[int]) -> list[LedgerRow]:
    """The `expire` entries the customers' lots that came due by `now` need (none when
    the store has no expiry period)."""
    if store.points_expire_days is None or not customer_ids:
        return []
    rows = []
    for customer_id, lots in tx.points_lots(customer_ids).items():
        for lot in due(lots, store.points_expire_days, expiry_since(store), now):
            note = f"{lot.points} points earned on {lot.earned_at:%Y-%m-%d} ({lot.reason}) expired"
            key = f"{EXPIRE}:{lot.key}"
            rows.append(LedgerRow(customer_id, -lot.points, POINTS_UNIT, EXPIRE, key, order_id=lot.order_id, note=note))
    return rows


def expiry_since(store: Store) -> datetime:
    """When the store's points expiry period started (lots earned before count from it)."""
    return store.points_expire_since or datetime(1970, 1, 1, tzinfo=UTC)
