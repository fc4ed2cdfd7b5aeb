"""Coupon pools: their codes, counted, filled and assigned."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from milepost.domain.pools import Pool


class PoolsTx(Protocol):
    """Coupon pools: their codes, counted, filled and assigned one at a time."""

    def insert_pool(
        self, store_id: int, key: str, name: str, discount: str, low: int | None, now: datetime
    ) -> None: ...
    def pools(self, store_id: int, key: str | None = None, lock: bool = False) -> list[tuple[int, Pool]]: ...
    def set_pool_threshold(self, pool_id: int, low: int | None) -> None: ...
    def taken_codes(self, store_id: int, texts: Iterable[str]) -> set[str]: ...
    def insert_pool_codes(self, store_id: int, pool_id: int, codes: list[str], now: datetime) -> None: ...
    def claim_pool_code(self, pool_id: int, customer_id: int, firing_id: int, now: datetime) -> str | None: ...
