"""How far a customer is from the milestones still ahead of them: "2 orders to the
5-Order Club". Pure: the caller gives the store's rules, the customer's aggregates and
the (rule, occurrence) pairs they already reached."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from milepost.domain.aggregates import Aggregates
from milepost.domain.rules import Rule

_KINDS = ("order_count", "program")  # milestones at a value of a metric


@dataclass(frozen=True, slots=True)
class Ahead:
    rule: Rule
    occurrence: int
    remaining: int  # how much of the metric is still missing
    value: int  # where the customer is


def ahead(
    rules: Iterable[Rule], aggregates: Aggregates, reached: set[tuple[int, int]], now: datetime, limit: int = 5
) -> list[Ahead]:
    """The nearest milestones each live rule still holds for the customer, nearest
    first (relative to their threshold), at most `limit`."""
    found = []
    for rule in rules:
        if rule.kind not in _KINDS or not rule.live_at(now):
            continue
        value = aggregates.metric(rule.metric)
        occurrence = rule.marks(value) + 1
        if rule.every is None and (occurrence > 1 or (rule.id, 1) in reached):
            continue  # one-time: reached, or already past
        mark = rule.mark(occurrence)
        found.append(Ahead(rule, occurrence, mark - value, value))
    found.sort(key=lambda a: (a.remaining / max(a.rule.mark(a.occurrence), 1), a.rule.id))
    return found[:limit]
