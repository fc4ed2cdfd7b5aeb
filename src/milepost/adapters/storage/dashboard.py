"""What the dashboard charts read: counts and sums per hour over a recent window, each
from an index on (store, time). The service folds the hours into the store's days."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, case, func, literal_column, select

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.service.ports.dashboard import HourRow


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
