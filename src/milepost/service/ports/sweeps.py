"""The inactivity sweep: customers whose lapse is due."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class SweepsTx(Protocol):
    """The inactivity sweep: customers whose lapse is due."""

    def store_ids(self) -> list[int]: ...
    def inactive_customers(
        self, store_id: int, cutoff: datetime, after_id: int, limit: int
    ) -> list[tuple[int, str, datetime]]: ...
