"""Automations: their rows, their daily triggers' candidates, and the run log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol


class AutomationsTx(Protocol):
    def automation_rows(self, store_id: int, key: str | None = None) -> list[Any]: ...
    def automations_naming(self, store_id: int, field_name: str, value: str) -> list[str]: ...
    def automation_candidates(
        self, store_id: int, instant: str | None, window: tuple[datetime, datetime] | None, after_id: int, limit: int
    ) -> list[tuple[int, str, datetime | None]]: ...
    def customers_created_at(self, customer_ids: list[int]) -> dict[int, datetime]: ...
    def insert_automation_run(
        self,
        store_id: int,
        rule_id: int,
        day: date,
        counts: dict[str, int],
        branches: dict[str, int],
        started_at: datetime,
        finished_at: datetime,
    ) -> None: ...
    def automation_runs(self, store_id: int, rule_id: int, before_id: int | None, limit: int) -> list[Any]: ...
    def automation_firings(
        self, store_id: int, rule_id: int, occurrence: int, after_id: int, limit: int
    ) -> list[tuple[int, str, str]]: ...
    def due_waits(self, store_id: int, rule_id: int, day: date, after_id: int, limit: int) -> list[Any]: ...
    def resume_waits(self, wait_ids: list[int], now: datetime) -> None: ...
