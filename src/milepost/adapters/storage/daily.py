"""The marks of `milepost run-daily` (scheduler/daily.py): the store-local days it completed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase


class DailyQueries(TxBase):
    def last_daily_run(self, store_id: int) -> date | None:
        """The latest day the store's daily run completed (None: it never ran)."""
        runs = t.daily_runs.c
        found: date | None = self.conn.execute(select(func.max(runs.day)).where(runs.store_id == store_id)).scalar()
        return found

    def mark_daily_run(self, store_id: int, day: date, completed_at: datetime) -> bool:
        """Note the day completed; False when it already was (another run marked it)."""
        dialect_insert = pg_insert if self.pg else sqlite_insert
        row = {"store_id": store_id, "day": day, "completed_at": completed_at}
        return self.conn.execute(dialect_insert(t.daily_runs).values(row).on_conflict_do_nothing()).rowcount == 1
