"""The inactivity sweep: customers whose lapse is due; the days the daily run completed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from milepost.domain.due import Window


class SweepsTx(Protocol):
    """The inactivity sweep: customers whose lapse is due."""

    def store_ids(self) -> list[int]: ...
    def inactive_customers(
        self, store_id: int, window: Window, after: tuple[datetime, int] | None, limit: int
    ) -> list[tuple[int, str, datetime]]: ...
    def last_daily_run(self, store_id: int) -> date | None: ...
    def mark_daily_run(self, store_id: int, day: date, completed_at: datetime) -> bool: ...
