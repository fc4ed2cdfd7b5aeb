"""The dashboard's counts per hour."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

#: (hour in UTC as 'YYYY-MM-DD HH', a number, another number)
HourRow = tuple[str, int, int]


class DashboardTx(Protocol):
    """The dashboard's counts per hour."""

    def hourly_firings(self, store_id: int, since: datetime) -> list[HourRow]: ...
    def hourly_credit(self, store_id: int, since: datetime) -> list[HourRow]: ...
    def hourly_points(self, store_id: int, since: datetime) -> list[HourRow]: ...
    def hourly_codes(self, store_id: int, since: datetime) -> list[HourRow]: ...
    def hourly_attempts(self, store_id: int, since: datetime) -> list[HourRow]: ...
