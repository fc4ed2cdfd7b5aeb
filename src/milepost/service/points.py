"""Points: the ledger's entries, and their expiry. Points are spent and corrected like
store credit (service/ledger.py); orders earn them and milestones give them during
ingest (service/ingest.py, service/effects.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from milepost.domain.expiry import EXPIRE, Lot, due, upcoming
from milepost.domain.records import PointsEntry, Store
from milepost.errors import NotFound
from milepost.service.ports import POINTS_UNIT, LedgerRow, Storage

PAGE = 1_000


def points_ledger(db: Storage, store_id: int, customer_id: str) -> list[PointsEntry]:
    """The customer's points entries, oldest first; their sum is the balance."""
    with db.read() as tx:
        found = tx.customer(store_id, customer_id)
        if found is None:
            raise NotFound(f"no customer {customer_id!r} in this store")
        return tx.points_entries(customer_id=found[0].id)  # type: ignore[no-any-return]


# -- expiry -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expiry:
    stores: int  # stores with a period whose points could come due
    customers: int  # customers looked at
    points: int  # points expired


def expire_points(db: Storage, now: datetime, store_ids: list[int] | None = None) -> Expiry:
    """Expire the points that came due by `now` in the stores with an expiry period, oldest
    first (domain/expiry.py). `milepost worker` runs it with the inactivity sweep; it may
    run any number of times, from any number of processes: each lot expires once, by its
    key `expire:<key of the entry that gave it>`.

    A store keeps a mark: the lots earned at or before it are settled (expired or used
    up), so each sweep reads only the customers who earned points since the last one."""
    with db.read() as tx:
        stores = [tx.store(i) for i in (store_ids if store_ids is not None else tx.store_ids())]
    looked = customers = points = 0
    for store in stores:
        if store is None or store.points_expire_days is None:
            continue
        until = now - timedelta(days=store.points_expire_days)
        if _since(store) > until:
            continue  # the period started less than its days ago: nothing can be due
        looked += 1
        after = 0
        while True:
            with db.write() as tx:
                locked = tx.lock_store(store.id)
                if locked.points_expire_days != store.points_expire_days:
                    break  # changed meanwhile: the next sweep starts over with the new period
                page = tx.expiry_candidates(store.id, store.points_expired_until, until, after, PAGE)
                tx.lock_customers(store.id, [external for _, external in page])
                rows = expired_now(tx, locked, now, [customer_id for customer_id, _ in page])
                tx.insert_ledger(store.id, rows, now)
            customers += len(page)
            points -= sum(r.amount for r in rows)
            if len(page) < PAGE:
                with db.write() as tx:
                    tx.mark_points_expired(store.id, until, store.points_expire_since)
                break
            after = page[-1][0]
    return Expiry(looked, customers, points)


def expired_now(tx: Any, store: Store, now: datetime, customer_ids: list[int]) -> list[LedgerRow]:
    """The `expire` entries the customers' lots that came due by `now` need (none when
    the store has no expiry period)."""
    if store.points_expire_days is None or not customer_ids:
        return []
    rows = []
    for customer_id, entries in tx.points_lots(customer_ids).items():
        for lot in due(entries, store.points_expire_days, _since(store), now):
            note = f"{lot.points} points earned on {lot.earned_at:%Y-%m-%d} ({lot.reason}) expired"
            rows.append(
                LedgerRow(
                    customer_id,
                    -lot.points,
                    POINTS_UNIT,
                    EXPIRE,
                    f"{EXPIRE}:{lot.key}",
                    order_id=lot.order_id,
                    note=note,
                )
            )
    return rows


def points_expiring(db: Storage, now: datetime, store_id: int, customer_id: str) -> list[Lot]:
    """The customer's lots that will expire, with what is left of each, soonest first."""
    with db.read() as tx:
        store = tx.store(store_id)
        found = tx.customer(store_id, customer_id)
        if found is None:
            raise NotFound(f"no customer {customer_id!r} in this store")
        if store is None or store.points_expire_days is None:
            return []
        entries = tx.points_lots([found[0].id]).get(found[0].id, [])
    return upcoming(entries, store.points_expire_days, _since(store), now)


def _since(store: Store) -> datetime:
    return store.points_expire_since or datetime(1970, 1, 1, tzinfo=UTC)
