"""Points spent by customers and corrected by operators, like store credit: idempotent,
never below zero unless the store allows it. Orders earn points and milestones give
them during ingest (service/ingest.py, service/effects.py)."""

from __future__ import annotations

from datetime import datetime

from milepost.domain.records import PointsEntry
from milepost.errors import Conflict, InsufficientBalance, NotFound, ValidationError
from milepost.service.ports import PointsRow, Storage


def spend_points(
    db: Storage,
    now: datetime,
    store_id: int,
    customer_id: str,
    points: int,
    *,
    key: str,
    order_id: str | None = None,
    note: str | None = None,
) -> PointsEntry:
    """The store reports `points` redeemed (on an order)."""
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise ValidationError("the points must be a positive integer", {"points": "positive integer"})
    return _post(db, now, store_id, customer_id, -points, "spend", key, order_id=order_id, note=note)


def adjust_points(
    db: Storage,
    now: datetime,
    store_id: int,
    customer_id: str,
    points: int,
    *,
    key: str,
    reason: str,
    actor: str | None = None,
) -> PointsEntry:
    """An operator's correction, up or down, with the reason written down."""
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise ValidationError("the adjustment must be a non-zero integer of points", {"points": "non-zero integer"})
    if not reason or not reason.strip():
        raise ValidationError("an adjustment needs a reason", {"reason": "is required"})
    return _post(db, now, store_id, customer_id, points, "adjustment", key, note=reason.strip(), actor=actor)


def points_ledger(db: Storage, store_id: int, customer_id: str) -> list[PointsEntry]:
    """The customer's points entries, oldest first; their sum is the balance."""
    with db.read() as tx:
        found = tx.customer(store_id, customer_id)
        if found is None:
            raise NotFound(f"no customer {customer_id!r} in this store")
        return tx.points_entries(customer_id=found[0].id)  # type: ignore[no-any-return]


def _post(
    db: Storage, now: datetime, store_id: int, customer_id: str, points: int, reason: str, key: str, **extra: str | None
) -> PointsEntry:
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
        done = tx.points_entries(store_id=store_id, key=ledger_key)
        if done:
            if done[0].points != points or done[0].customer_id != customer_id:
                raise Conflict(f"the key {key!r} was used for a different {reason}")
            return done[0]  # type: ignore[no-any-return]
        balance = tx.points_balance(customer.id)
        if points < 0 and balance + points < 0 and not store.allow_negative_points:
            raise InsufficientBalance(f"{customer_id} has {balance} points; {-points} cannot be taken")
        tx.insert_points(store_id, [PointsRow(customer.id, points, reason, ledger_key, **extra)], now)
        return tx.points_entries(store_id=store_id, key=ledger_key)[0]  # type: ignore[no-any-return]
