"""What the service needs from storage, and the rows it hands over.

The SQL adapter (`milepost.adapters.storage`) implements these for SQLite
and PostgreSQL; the service never imports a driver.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from milepost.domain.construct import OrderSlot
from milepost.domain.due import Blocked
from milepost.domain.events import Event
from milepost.domain.journeys import Progress
from milepost.domain.records import CustomerState, Store
from milepost.domain.rules import Rule
from milepost.service.rows import POINTS_UNIT, CodeRow, FiredMilestone, FiringRow, LedgerRow, OutboxRow

__all__ = ["POINTS_UNIT", "CodeRow", "FiredMilestone", "FiringRow", "LedgerRow", "OutboxRow"]


@dataclass(frozen=True, slots=True)
class PointsLot:
    """A points entry as the expiry walk reads it (domain/expiry.py)."""

    id: int
    points: int
    reason: str
    idempotency_key: str
    created_at: datetime
    order_id: str | None


@dataclass(frozen=True, slots=True)
class ClawableFiring:
    """A firing of a program with a clawback policy, not clawed back yet."""

    id: int
    rule_name: str
    customer_id: int
    order_id: str
    fired_at: datetime
    clawback_days: int


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger entry (credit or points) as a clawback needs it."""

    customer_id: int
    firing_id: int | None
    amount: int  # minor units of credit, or points
    currency: str | None  # None for points
    reason: str
    idempotency_key: str


@dataclass(slots=True)
class BatchWrite:
    """Everything one batch writes, in one transaction."""

    store_id: int
    now: datetime
    counting_rank: int
    #: the store earns points (rate above 0) or the batch took some back: points earned and
    #: orders' points rates are written; otherwise they are left as they are
    earning_points: bool = False
    events: list[tuple[Event, str, int, str]] = field(default_factory=list)  # event, source, customer id, payload
    customers: list[CustomerState] = field(default_factory=list)
    orders: list[tuple[str, OrderSlot]] = field(default_factory=list)
    activities: list[tuple[str, str, int, datetime]] = field(default_factory=list)  # type, item, customer, when
    journeys: list[tuple[int, int, Progress]] = field(default_factory=list)  # rule, customer, progress now
    firings: list[FiringRow] = field(default_factory=list)
    ledger: list[LedgerRow] = field(default_factory=list)  # credit and points, each row in its unit
    tags_added: list[tuple[int, str]] = field(default_factory=list)
    tags_removed: list[tuple[int, str]] = field(default_factory=list)
    # id, customer, firing, message, assignee (a user's email or None)
    alerts: list[tuple[int, int, int | None, str, str | None]] = field(default_factory=list)
    codes: list[CodeRow] = field(default_factory=list)
    outbox: list[OutboxRow] = field(default_factory=list)
    workflow_runs: list[tuple[str, int, int]] = field(default_factory=list)  # workflow, customer, firing
    clawbacks: list[tuple[int, str | None]] = field(default_factory=list)  # firing clawed back, its debt (JSON)
    voided_codes: list[tuple[int, str]] = field(default_factory=list)  # code row id, why


class BatchTx(Protocol):
    """The reads and the one write of an ingest batch, inside one transaction."""

    def lock_store(self, store_id: int, exclusive: bool = False) -> Store: ...
    def lock_customers(self, store_id: int, external_ids: Iterable[str]) -> None: ...
    def existing_event_keys(self, store_id: int, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]: ...
    def load_customers(self, store_id: int, external_ids: Iterable[str]) -> dict[str, CustomerState]: ...
    def load_orders(self, store_id: int, external_ids: Iterable[str]) -> dict[str, OrderSlot]: ...
    def load_activities(self, store_id: int, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]: ...
    def load_rules(self, store_id: int, active_only: bool = True) -> list[Rule]: ...
    def blocked(self, candidates: Iterable[tuple[int, int, int]]) -> Blocked: ...
    def load_journey_progress(
        self, rule_ids: Iterable[int], customer_ids: Iterable[int]
    ) -> dict[tuple[int, int], Progress]: ...
    def load_tags(self, customer_ids: Iterable[int]) -> dict[int, frozenset[str]]: ...
    def next_ids(self, table: str, n: int) -> list[int]: ...
    def subscriptions(self, store_id: int) -> list[tuple[int, frozenset[str]]]: ...
    def endpoint_ids_by_url(self, store_id: int) -> dict[str, int]: ...
    def clawable_firings(self, pairs: set[tuple[int, str]]) -> list[ClawableFiring]: ...
    def clawback_entries(self, customer_ids: Iterable[int]) -> tuple[list[Entry], list[Entry]]: ...
    def unused_codes(self, firing_ids: Iterable[int]) -> list[tuple[int, int, str]]: ...
    def fired_milestones(self, firing_ids: list[int]) -> list[FiredMilestone]: ...
    def write_batch(self, batch: BatchWrite) -> None: ...


class Storage(Protocol):
    dialect: str
    rule_indexes: dict[int, tuple[int, Any]]  # a cache the service keeps per store, by rules version
    ingest_lanes: int  # how many batches of a stream may be stored at once (customers shared out)

    def write(self, rollback: bool = False) -> AbstractContextManager[Any]:
        """A read-write transaction: committed at the end of the block, or with `rollback`
        rolled back (the block's work runs and leaves no trace)."""
        ...

    def read(self) -> AbstractContextManager[Any]: ...
