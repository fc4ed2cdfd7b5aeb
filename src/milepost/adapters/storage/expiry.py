"""The reads and marks of the points expiry sweep (scheduler/expiry.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.service.ports.rows import PointsLot


class ExpiryQueries(TxBase):
    def expiry_candidates(
        self, store_id: int, after: datetime | None, until: datetime, after_customer: int, limit: int
    ) -> list[tuple[int, str]]:
        """(id, external id) of the customers, by id after `after_customer`, who earned
        points after `after` (the last sweep's mark; None: ever) and at or before `until`."""
        led, cus = t.points_ledger.c, t.customers.c
        earned = select(led.customer_id).where(
            led.store_id == store_id, led.points > 0, led.created_at <= until, led.customer_id > after_customer
        )
        if after is not None:
            earned = earned.where(led.created_at > after)
        ids = earned.group_by(led.customer_id).order_by(led.customer_id).limit(limit).subquery()
        q = select(cus.id, cus.external_id).join(ids, ids.c.customer_id == cus.id).order_by(cus.id)
        return [(r.id, r.external_id) for r in self.conn.execute(q)]

    def points_lots(self, customer_ids: Iterable[int]) -> dict[int, list[PointsLot]]:
        """Every points entry of the customers, as the expiry walk reads them."""
        ids = sorted(set(customer_ids))
        found: dict[int, list[PointsLot]] = defaultdict(list)
        if not ids:
            return found
        led = t.points_ledger.c
        q = select(led.id, led.customer_id, led.points, led.reason, led.idempotency_key, led.created_at, led.order_id)
        for r in self.conn.execute(q.where(led.customer_id.in_(ids))):
            found[r.customer_id].append(
                PointsLot(r.id, r.points, r.reason, r.idempotency_key, self.from_ts(r.created_at), r.order_id)  # type: ignore[arg-type]
            )
        return found

    def mark_points_expired(self, store_id: int, until: datetime, since: datetime | None) -> None:
        """Note that every lot earned at or before `until` is settled, unless the store's
        period changed since the sweep read it (`since`): then the next sweep looks at all."""
        st = t.stores.c
        self.conn.execute(
            update(t.stores)
            .where(st.id == store_id, st.points_expire_since == since)
            .values(points_expired_until=until)
        )
