"""Aggregates: their definitions, and their values for a page of customers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from milepost.domain.aggregate_definitions import Aggregate


class AggregatesTx(Protocol):
    """The store's aggregate definitions, and one set-based read of values per aggregate."""

    def aggregates(self, store_id: int, key: str | None = None) -> list[Aggregate]: ...
    def insert_aggregate(self, store_id: int, a: Aggregate, now: datetime) -> None: ...
    def update_aggregate(self, store_id: int, a: Aggregate, now: datetime) -> None: ...
    def delete_aggregate(self, store_id: int, key: str) -> bool: ...
    def aggregate_values(
        self, store_id: int, a: Aggregate, customer_ids: Sequence[int], start: datetime | None, end: datetime
    ) -> dict[int, int]: ...
