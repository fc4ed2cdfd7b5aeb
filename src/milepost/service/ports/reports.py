"""What happened to a customer: lines, tags, codes, milestones, messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from milepost.domain.delivery import Delivery
from milepost.domain.records import (
    CustomerLine,
    CustomerState,
    IssuedCode,
    MilestoneReached,
)
from milepost.service.ports.rows import FiredMilestone


class ReportsTx(Protocol):
    """What happened to a customer: lines, tags, codes, milestones, messages."""

    def email_reach(self, store_id: int) -> tuple[int, int, int]: ...
    def customers_by_email(self, store_id: int, email: str, limit: int) -> list[CustomerLine]: ...
    def customer(self, store_id: int, external_id: str) -> tuple[CustomerState, datetime] | None: ...
    def customer_tags(self, customer_id: int) -> list[str]: ...
    def issued_codes(self, customer_id: int) -> list[IssuedCode]: ...
    def fired_milestones(self, firing_ids: list[int]) -> list[FiredMilestone]: ...
    def milestone_log(
        self,
        store_id: int,
        *,
        customer_id: int | None = None,
        rule_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[MilestoneReached]: ...
    def firing_deliveries(self, store_id: int, firing_ids: list[int]) -> dict[tuple[int, int], Delivery]: ...
    def outbox_rows(self, store_id: int) -> list[dict[str, Any]]: ...
    def workflow_runs(self, store_id: int) -> list[dict[str, Any]]: ...
