"""What the dashboard charts read: counts and sums per hour over a recent window, each
from an index on (store, time). The service folds the hours into the store's days."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, case, func, literal_column, select

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.service.ports.dashboard import HourRow, StoreFigures


class DashboardQueries(TxBase):
    def _hours(
        self, table: Table, time: str, store_id: int, since: datetime, first: Any, second: Any, where: Any = True
    ) -> list[HourRow]:
        column = table.c[time]
        hour = (
            func.to_char(func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM-DD HH24'"))
            if self.pg
            else func.substr(column, literal_column("1"), literal_column("13"))  # '2026-05-01 12:00:00.000000+00:00'
        )
        q = (
            select(hour.label("hour"), first, second)
            .where(table.c.store_id == store_id, column >= since, where)
            .group_by(hour)
        )
        return [(r[0], int(r[1] or 0), int(r[2] or 0)) for r in self.conn.execute(q)]

    def hourly_firings(self, store_id: int, since: datetime) -> list[HourRow]:
        """Milestones reached per hour: (hour, firings, 0)."""
        return self._hours(t.firings, "fired_at", store_id, since, func.count(), 0)

    def hourly_credit(self, store_id: int, since: datetime) -> list[HourRow]:
        """Credit milestones gave per hour: (hour, minor units, entries)."""
        c = t.credit_ledger.c
        where = (c.amount > 0) & c.firing_id.is_not(None)
        return self._hours(t.credit_ledger, "created_at", store_id, since, func.sum(c.amount), func.count(), where)

    def hourly_points(self, store_id: int, since: datetime) -> list[HourRow]:
        """Points milestones gave per hour: (hour, points, entries)."""
        c = t.points_ledger.c
        where = (c.points > 0) & c.firing_id.is_not(None)
        return self._hours(t.points_ledger, "created_at", store_id, since, func.sum(c.points), func.count(), where)

    def hourly_codes(self, store_id: int, since: datetime) -> list[HourRow]:
        """Discount codes milestones issued per hour: (hour, codes, 0)."""
        c = t.codes.c
        return self._hours(t.codes, "issued_at", store_id, since, func.count(), 0, c.firing_id.is_not(None))

    def hourly_attempts(self, store_id: int, since: datetime) -> list[HourRow]:
        """Delivery attempts per hour, skips left out: (hour, attempts, attempts that sent)."""
        a = t.delivery_attempts.c
        sent = func.sum(case((a.outcome == "sent", 1), else_=0))
        return self._hours(
            t.delivery_attempts, "started_at", store_id, since, func.count(), sent, a.outcome != "skipped"
        )

    def store_figures(self, since: datetime) -> dict[int, StoreFigures]:
        """Every store's key figures by store id, in one statement: each table is read once,
        grouped by store (counted orders and milestones since `since`; credit outstanding in
        the store's currency), not once per store."""
        s = t.stores.c
        customers = _per_store(t.customers, func.count())
        orders = _per_store(t.orders, func.count(), t.orders.c.counts, t.orders.c.counted_at >= since)
        firings = _per_store(t.firings, func.count(), t.firings.c.fired_at >= since)
        ledger = t.credit_ledger.c
        credit = (
            select(ledger.store_id, func.sum(ledger.amount).label("n"))
            .join(t.stores, and_(s.id == ledger.store_id, s.currency == ledger.currency))
            .group_by(ledger.store_id)
            .subquery()
        )
        figures = [customers, orders, firings, credit]
        q = select(s.id, *(func.coalesce(f.c.n, 0) for f in figures)).select_from(t.stores)
        for f in figures:
            q = q.outerjoin(f, f.c.store_id == s.id)
        return {r[0]: StoreFigures(int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in self.conn.execute(q)}


def _per_store(table: Table, value: Any, *where: Any) -> Any:
    """`value` (a count) of `table`'s rows that match `where`, by store: a subquery with `store_id` and `n`."""
    return select(table.c.store_id, value.label("n")).where(*where).group_by(table.c.store_id).subquery()
