"""Points expiry: the sweep that expires the points lots that came due (domain/expiry.py),
oldest first. It may run any number of times, from any number of processes: each lot
expires once, by its key `expire:<key of the entry that gave it>`.

A store keeps a mark: the lots earned at or before it are settled (expired or used up),
so each sweep reads only the customers who earned points since the last one. What one
customer's lots owe is decided by the ledger (service/ledger.py, `expired_now`), which
also expires them before points are spent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from milepost.domain.records import Store
from milepost.service.ledger import expired_now, expiry_since
from milepost.service.ports import Storage

PAGE = 1_000


@dataclass(frozen=True, slots=True)
class Expiry:
    stores: int  # stores with a period whose points could come due
    customers: int  # customers looked at
    points: int  # points expired


def expire_points(db: Storage, now: datetime, store_ids: list[int] | None = None) -> Expiry:
    """Expire the points that came due by `now` in the stores with an expiry period."""
    with db.read() as tx:
        stores = [tx.store(i) for i in (store_ids if store_ids is not None else tx.store_ids())]
    looked = customers = points = 0
    for store in stores:
        if store is None or store.points_expire_days is None:
            continue
        until = now - timedelta(days=store.points_expire_days)
        if expiry_since(store) > until:
            continue  # the period started less than its days ago: nothing can be due
        looked += 1
        found, expired = _expire_store(db, now, store, until)
        customers += found
        points += expired
    return Expiry(looked, customers, points)


def _expire_store(db: Storage, now: datetime, store: Store, until: datetime) -> tuple[int, int]:
    """Expire one store's due lots, a page of customers per transaction; (customers, points)."""
    customers = points = after = 0
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
    return customers, points
