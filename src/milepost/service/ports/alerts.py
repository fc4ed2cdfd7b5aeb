"""Alerts raised for a store's operators."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from milepost.domain.records import (
    Alert,
)


class AlertsTx(Protocol):
    """Alerts raised for a store's operators."""

    def alerts(
        self,
        store_id: int,
        status: str | None = "open",
        limit: int = 100,
        before_id: int | None = None,
        assignee: str | None = None,
    ) -> list[Alert]: ...
    def alert(self, store_id: int, alert_id: int) -> Alert | None: ...
    def acknowledge_alert(self, store_id: int, alert_id: int, by: str, now: datetime) -> bool: ...
    def resolve_alert(self, store_id: int, alert_id: int, by: str, now: datetime) -> bool: ...
    def alert_exists(self, store_id: int, alert_id: int) -> bool: ...
    def raise_alert(
        self,
        store_id: int,
        message: str,
        now: datetime,
        *,
        dedupe_key: str | None = None,
        customer_id: int | None = None,
        firing_id: int | None = None,
    ) -> int | None: ...
