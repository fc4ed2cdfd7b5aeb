"""Milestone rules as data, and their pure evaluation.

`evaluate(old, new, rules, now)` finds the rules whose threshold a change of
a customer's aggregates crossed upwards; `fire` (domain/firing.py) decides, for
one customer and one crossing, whether the rule's conditions hold and what its
actions mean; domain/due.py decides who an inactivity program is due for.
None does I/O: live ingest, the scheduler, simulation and backfill all
call the same functions. "Already fired" and "excluded at arming" are facts
the caller looks up in storage and passes in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from milepost.domain.actions import Action
from milepost.domain.aggregates import METRICS, Aggregates
from milepost.domain.journeys import Step
from milepost.domain.tuples import tuple_new
from milepost.errors import ValidationError

#: kind -> the metric it watches; None: the program names its metric. An order count
#: event is the milestone program on the number of orders that the admin lists apart.
RULE_KINDS: dict[str, str | None] = {
    "order_count": "order_count",
    "program": None,
    "journey": None,
    "inactivity": "order_count",  # its threshold is days without a counted order
}


@dataclass(frozen=True, slots=True)
class TagCondition:
    tag: str
    present: bool = True  # True: the customer has the tag; False: lacks it

    def holds(self, tags: frozenset[str]) -> bool:
        return (self.tag in tags) is self.present

    def as_dict(self) -> dict[str, Any]:
        return {"tag": self.tag, "has": self.present}


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    name: str
    threshold: int
    actions: tuple[Action, ...]
    conditions: tuple[TagCondition, ...] = ()
    active: bool = True
    version: int = 1
    arm_seq: int = 1  # bumped whenever the rule is armed anew (created, switched on, N changed)
    kind: str = "order_count"
    metric: str = "order_count"
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    every: int | None = None  # repeating: fires again at threshold + every, + 2 * every, ...
    steps: tuple[Step, ...] = ()  # a sequential journey's steps (kind "journey"); threshold = len(steps)
    clawback_days: int | None = None  # None: keep; N: take back if the order is fully refunded within N days
    # an automation's firing (kind "automation"): the branch it runs, and what runs instead of the rest of
    # the branch when a pool_code action at a position gets no code (domain/automations.py)
    branch: str | None = None
    on_failure: tuple[tuple[int, tuple[Action, ...]], ...] = ()
    resume_at: int = 0  # an automation's branch resumed after a wait: the position it goes on from

    def marks(self, value: int) -> int:
        """How many of the rule's marks `value` has reached (a one-time rule has one)."""
        if value < self.threshold:
            return 0
        return 1 if self.every is None else 1 + (value - self.threshold) // self.every

    def mark(self, occurrence: int) -> int:
        """The value at which `occurrence` fires."""
        return self.threshold + (occurrence - 1) * (self.every or 0)

    def live_at(self, now: datetime) -> bool:
        if not self.active:
            return False
        if self.starts_at is not None and now < self.starts_at:
            return False
        return self.ends_at is None or now < self.ends_at


class Crossing(NamedTuple):
    rule: Rule
    value: int  # the metric's value after the change
    occurrence: int = 1  # one-time rules have one occurrence


class RuleIndex:
    """Active rules grouped by metric and sorted by threshold, so finding the
    crossed ones costs a binary search, not a scan of every rule."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        rules = tuple(rules)
        #: some program, on or off, takes its rewards back when their order is refunded
        self.clawback = any(r.clawback_days is not None for r in rules)
        by_metric: dict[str, list[Rule]] = {}
        self._repeating: dict[str, list[Rule]] = {}  # few per store: each is looked at on every change
        self.journeys: tuple[Rule, ...] = ()  # each advances on a change of any of its steps' metrics
        journeys = []
        for rule in rules:
            if not rule.active:
                continue
            if rule.steps:
                journeys.append(rule)
                continue
            if rule.kind in ("inactivity", "automation"):  # no event crosses them: the daily run evaluates them
                continue
            target = by_metric if rule.every is None else self._repeating
            target.setdefault(rule.metric, []).append(rule)
        self.journeys = tuple(journeys)
        self._index = {
            metric: ([r.threshold for r in sorted_rules], sorted_rules)
            for metric, sorted_rules in (
                (m, sorted(rs, key=lambda r: (r.threshold, r.id))) for m, rs in by_metric.items()
            )
        }
        self.metrics = tuple(dict.fromkeys([*self._index, *self._repeating]))

    def __len__(self) -> int:
        one_time = sum(len(rules) for _, rules in self._index.values())
        return one_time + sum(map(len, self._repeating.values())) + len(self.journeys)

    def repeating(self, metric: str) -> list[Rule]:
        return self._repeating.get(metric, [])

    def crossed(self, metric: str, old: int, new: int) -> list[Rule]:
        """Rules on `metric` with old < threshold <= new."""
        entry = self._index.get(metric)
        if entry is None or new <= old:
            return []
        thresholds, rules = entry
        return rules[bisect_right(thresholds, old) : bisect_right(thresholds, new)]


#: The most days an inactivity program may wait (domain/due.py decides who is due).
MAX_INACTIVE_DAYS = 3650


#: A repeating program fires at most this many occurrences for one change (one event):
#: a mistyped $1,000,000 order on "every $100 spent" gives 100 rewards, not 10,000.
MAX_OCCURRENCES_PER_CHANGE = 100


def evaluate(old: Aggregates, new: Aggregates, rules: RuleIndex, now: datetime) -> list[Crossing]:
    """Every (rule, occurrence) whose mark the change old -> new crossed upwards."""
    found: list[Crossing] = []
    for metric in rules.metrics:
        before, after = getattr(old, metric), getattr(new, metric)
        if after > before:
            for rule in rules.crossed(metric, before, after):
                if rule.live_at(now):
                    found.append(tuple_new(Crossing, (rule, after, 1)))
            for rule in rules.repeating(metric):
                reached, had = rule.marks(after), rule.marks(before)
                if reached > had and rule.live_at(now):
                    last = min(reached, had + MAX_OCCURRENCES_PER_CHANGE)
                    found.extend(Crossing(rule, after, k) for k in range(had + 1, last + 1))
    return found


def validate_conditions(raw: Any) -> tuple[TagCondition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise ValidationError("conditions must be a list", {"conditions": "must be a list"})
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, TagCondition):
            out.append(item)
            continue
        if not isinstance(item, dict) or not isinstance(item.get("tag"), str) or not item["tag"].strip():
            raise ValidationError(f"conditions[{i}] needs a 'tag'", {f"conditions[{i}].tag": "is required"})
        has = item.get("has", True)
        if not isinstance(has, bool):
            raise ValidationError(
                f"conditions[{i}].has must be true or false", {f"conditions[{i}].has": "must be true or false"}
            )
        out.append(TagCondition(item["tag"].strip(), has))
    return tuple(out)


def validate_threshold(value: Any, metric: str) -> int:
    if metric not in METRICS:
        raise ValidationError(f"unknown metric {metric!r}", {"metric": f"must be one of {', '.join(METRICS)}"})
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            "the count must be a whole number of at least 1", {"threshold": "must be an integer >= 1"}
        )
    limit = MAX_THRESHOLD.get(metric, MAX_COUNT)
    if value > limit:
        reason = f"must be at most {limit:,} for {METRICS[metric]}"
        raise ValidationError(f"the threshold {reason}", {"threshold": reason})
    return value


#: The largest threshold per metric: counts are stored as 32-bit integers; amounts and
#: points as 64-bit.
MAX_COUNT = 1_000_000_000
MAX_THRESHOLD = {"amount_spent": 10**15, "points_earned": 10**15}
