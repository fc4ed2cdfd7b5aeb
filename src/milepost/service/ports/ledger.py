"""The ledger (credit per currency, and points): entries and balances."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from milepost.domain.records import (
    LedgerEntry,
    PointsEntry,
)
from milepost.service.ports.rows import LedgerRow


class LedgerTx(Protocol):
    """The ledger (credit per currency, and points): entries and balances."""

    def balances(self, customer_id: int) -> dict[str, int]: ...
    def firing_credit(self, store_id: int, external_id: str, firing_id: int) -> int: ...
    def ledger_entries(
        self, customer_id: int | None = None, store_id: int | None = None, key: str | None = None
    ) -> list[LedgerEntry]: ...
    def points_balance(self, customer_id: int) -> int: ...
    def firing_points(self, store_id: int, external_id: str, firing_id: int) -> int: ...
    def points_entries(
        self, customer_id: int | None = None, store_id: int | None = None, key: str | None = None
    ) -> list[PointsEntry]: ...
    def insert_ledger(self, store_id: int, rows: list[LedgerRow], now: datetime) -> None: ...
