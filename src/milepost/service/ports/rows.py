"""The rows the service hands to storage in one batch, and those it reads back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from milepost.domain.construct import OrderSlot
from milepost.domain.events import Event
from milepost.domain.journeys import Progress
from milepost.domain.records import CustomerState
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
    counted_at: datetime  # when its order counted, by event time (else when it fired)
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


@dataclass(frozen=True, slots=True)
class WaitRow:
    """The rest of an automation's branch, waiting for its day (a "wait N days" action)."""

    id: int
    rule_id: int
    customer_id: int
    occurrence: int  # of the firing that reached the wait
    step: int  # the wait action's position in the branch
    branch: str
    due_day: date


class InternalEventRow(NamedTuple):
    """One of Milepost's own events (docs/reference/events.md), as the event store keeps
    it: source 'milepost', `key` its id (derived from what it describes, so deriving it
    again writes nothing), payload `{"type": name, "data": data}`."""

    name: str
    key: str
    customer_id: int | None
    occurred_at: datetime
    data: dict[str, Any]
    order_id: str | None = None


@dataclass(frozen=True, slots=True)
class EventName:
    """An event name of the store's catalogue: how many events had it, the latest when."""

    name: str
    internal: bool  # one of Milepost's own events (docs/reference/events.md), not one sent to it
    count: int
    last_seen_at: datetime


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
    waits: list[WaitRow] = field(default_factory=list)  # automations' branches waiting for a later day
    internal: list[InternalEventRow] = field(default_factory=list)  # Milepost's own events
