"""Points expiry: lots per customer and marking them spent by time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from milepost.service.ports.rows import PointsLot


class ExpiryTx(Protocol):
    """Points expiry: lots per customer and marking them spent by time."""

    def expiry_candidates(
        self, store_id: int, after: datetime | None, until: datetime, after_customer: int, limit: int
    ) -> list[tuple[int, str]]: ...
    def points_lots(self, customer_ids: Iterable[int]) -> dict[int, list[PointsLot]]: ...
    def mark_points_expired(self, store_id: int, until: datetime, since: datetime | None) -> None: ...
