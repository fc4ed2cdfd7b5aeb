"""What ingest reports: each event's outcome, with the milestones it caused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from milepost.domain.construct import Applied, Decided
from milepost.domain.events import Rejection
from milepost.domain.tuples import tuple_new
from milepost.service.ports import FiringRow

DUPLICATE, ACCEPTED, REJECTED, CONFLICT = "duplicate", "accepted", "rejected", "conflict"
#: why an event id sent before with other content is refused
REUSED_ID = "was sent before with other content; an event id names one event, so send a new id for a new event"


class EventResult(NamedTuple):
    """What became of one event of a batch."""

    index: int  # type: ignore[assignment]  # the field shadows tuple.index, which nothing here calls
    key: str | None
    status: str  # accepted | duplicate | conflict | rejected
    field: str | None = None
    reason: str | None = None
    milestones: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class BatchResult:
    results: tuple[EventResult, ...]
    firings: tuple[dict[str, Any], ...] = field(default=())

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def accepted(self) -> int:
        return self.count(ACCEPTED)

    @property
    def duplicates(self) -> int:
        return self.count(DUPLICATE)

    @property
    def conflicts(self) -> tuple[EventResult, ...]:
        """The events whose id was sent before with other content: nothing of them is stored."""
        return tuple(r for r in self.results if r.status == CONFLICT)

    @property
    def rejected(self) -> tuple[EventResult, ...]:
        return tuple(r for r in self.results if r.status == REJECTED)


def report(
    results: dict[int, EventResult],
    applied: list[Applied],
    rejected: list[Rejection],
    decided: list[Decided],
    rows: list[FiringRow],
) -> tuple[dict[int, EventResult], list[dict[str, Any]]]:
    """Each event's outcome, with the milestones it caused."""
    milestones: dict[int, list[dict[str, Any]]] = {}
    fired = []
    for d, row in zip(decided, rows, strict=True):
        info = {
            "firing_id": row.id,
            "rule_id": d.firing.rule.id,
            "name": d.firing.rule.name,
            "kind": d.firing.rule.kind,
            "value": d.firing.value,
            "occurrence": d.firing.occurrence,
            "customer_id": d.applied.customer.external_id,
            "order_id": row.order_id,
        }
        milestones.setdefault(d.applied.index, []).append(info)
        fired.append(info)
    for r in rejected:
        results[r.index] = EventResult(r.index, r.key, REJECTED, r.field, r.reason)
    for a in applied:
        found = milestones.get(a.index)
        results[a.index] = tuple_new(
            EventResult, (a.index, a.event.key, ACCEPTED, None, None, () if found is None else tuple(found))
        )
    return results, fired
