"""Store credit spent on orders and corrected by operators: idempotent, never below zero
unless the store allows it."""

from __future__ import annotations

from datetime import datetime

from milepost.domain.records import LedgerEntry
from milepost.errors import Conflict, InsufficientBalance, NotFound, ValidationError
from milepost.service.ports import LedgerRow, Storage


def spend_credit(
    db: Storage,
    now: datetime,
    store_id: int,
    customer_id: str,
    amount: int,
    *,
    key: str,
    order_id: str | None = None,
    note: str | None = None,
) -> LedgerEntry:
    """The store reports `amount` of credit used (on an order)."""
    _positive(amount)
    return _post(db, now, store_id, customer_id, -amount, "spend", key, order_id=order_id, note=note)


def adjust_credit(
    db: Storage,
    now: datetime,
    store_id: int,
    customer_id: str,
    amount: int,
    *,
    key: str,
    reason: str,
    actor: str | None = None,
) -> LedgerEntry:
    """An operator's correction, up or down, with the reason written down."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise ValidationError(
            "the adjustment must be a non-zero integer of minor units", {"amount": "non-zero integer"}
        )
    if not reason or not reason.strip():
        raise ValidationError("an adjustment needs a reason", {"reason": "is required"})
    return _post(db, now, store_id, customer_id, amount, "adjustment", key, note=reason.strip(), actor=actor)


def _positive(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError("the amount must be a positive integer of minor units", {"amount": "positive integer"})


def _post(
    db: Storage, now: datetime, store_id: int, customer_id: str, amount: int, reason: str, key: str, **extra: str | None
) -> LedgerEntry:
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
        done = tx.ledger_entries(store_id=store_id, key=ledger_key)
        if done:
            if done[0].amount != amount or done[0].customer_id != customer_id:
                raise Conflict(f"the key {key!r} was used for a different {reason}")
            return done[0]
        balance = tx.balances(customer.id).get(store.currency, 0)
        if amount < 0 and balance + amount < 0 and not store.allow_negative_credit:
            raise InsufficientBalance(
                f"{customer_id} has {balance} {store.currency} of credit; {-amount} cannot be taken"
            )
        row = LedgerRow(customer.id, amount, store.currency, reason, ledger_key, **extra)
        tx.insert_ledger(store_id, [row], now)
        return tx.ledger_entries(store_id=store_id, key=ledger_key)[0]
