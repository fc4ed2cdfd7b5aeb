"""The dashboard's counts per hour, and every store's key figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

#: (hour in UTC as 'YYYY-MM-DD HH', a number, another number)
HourRow = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class StoreFigures:
    """A store's key figures on the list of stores."""

    customers: int = 0
    orders: int = 0  # orders that counted since the window's start
    milestones: int = 0  # milestones reached since then
    credit: int = 0  # credit outstanding: every balance in the store's currency, in minor units


class DashboardTx(Protocol):
    """The dashboard's counts per hour."""

    def hourly_firings(self, store_id: int, since: datetime) -> list[HourRow]: ...
    def hourly_credit(self, store_id: int, since: datetime) -> list[HourRow]: ...
    def hourly_points(self, store_id: int, since: datetime) -> list[HourRow]: ...
    def hourly_codes(self, store_id: int, since: datetime) -> list[HourRow]: ...
    def hourly_attempts(self, store_id: int, since: datetime) -> list[HourRow]: ...
    def store_figures(self, since: datetime) -> dict[int, StoreFigures]: ...
