"""Who a program is due for, and what it may not fire for: pure.

No event marks the day a customer becomes inactive: a sweep asks storage for the
*candidates* (customers whose last counted order lies in a `due_window`: at or before
`cutoff`, and for the daily run after the previous day's cutoff -- bounds an index can
use) and these functions decide:

- `is_due`: the program has waited its days since the customer's last counted order;
- `lapse_of`: the lapse's number, its occurrence: the day of that order, so a new
  order starts a new lapse that can fire again once it is N days old;
- `lapses`: the due candidates as the firing pipeline takes them, one crossing each;
- `excluded_lapse`: not retroactive. The lapse a customer is already due in when the
  program is armed (created, switched on, its days changed) never fires for them: it
  is noted at arming, and `Blocked` refuses it at firing.

A threshold rule is due when a change crosses its threshold upwards (`evaluate`,
domain/rules.py). `Blocked` decides, for every kind of rule, what may not fire: an
occurrence that fired already (at most once), and what was already true when the rule
was armed (not retroactive) -- storage reads both facts for the candidates, and the
firing pipeline (service/pipeline.py) asks `Blocked.blocks` before each firing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from milepost.domain.construct import Applied
from milepost.domain.events import TrackEvent
from milepost.domain.records import CustomerState
from milepost.domain.rules import Crossing, Rule

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def lapse_of(last_order_at: datetime) -> int:
    """An inactivity program's occurrence: the lapse that began with the customer's last
    counted order, numbered by that order's day (days since 1970-01-01)."""
    return (last_order_at - _EPOCH).days


def cutoff(days: int, now: datetime) -> datetime:
    """The latest last order a customer inactive for `days` at `now` can have: the bound
    storage selects the candidates by."""
    return now - timedelta(days=days)


#: The last-order times (since, until] of the lapses a sweep looks at: since None, any.
Window = tuple[datetime | None, datetime]


def due_window(days: int, now: datetime, since: datetime | None) -> Window:
    """The last counted orders whose lapse is due at `now` and was not yet at `since` (None:
    every lapse due at `now`): the daily run of a day looks at the lapses that became due
    since the previous day's run, an index range, not at every quiet customer."""
    return (None if since is None else cutoff(days, since), cutoff(days, now))


def is_due(days: int, last_order_at: datetime | None, now: datetime) -> bool:
    """A program of `days` without an order is due for a customer whose last counted
    order is at least that old; never for one who has not ordered."""
    return last_order_at is not None and last_order_at <= cutoff(days, now)


def excluded_lapse(days: int, last_order_at: datetime | None, armed_at: datetime) -> int | None:
    """The lapse a program armed at `armed_at` never fires for this customer: the one they
    are already due in (None: none, they are not due)."""
    return lapse_of(last_order_at) if last_order_at is not None and is_due(days, last_order_at, armed_at) else None


def lapses(
    rule: Rule, candidates: Iterable[tuple[str, datetime | None]], customers: dict[str, CustomerState], now: datetime
) -> list[Applied]:
    """The candidates (external id, last counted order) the program is due for, each as an
    applied change with its one crossing: the lapse its last order began."""
    found: list[Applied] = []
    for external, last_order_at in candidates:
        if last_order_at is None or not is_due(rule.threshold, last_order_at, now):
            continue
        lapse = lapse_of(last_order_at)
        event = TrackEvent(
            f"inactivity:{rule.id}:{lapse}", "custom", external, now, "inactivity", {"days": rule.threshold}
        )
        found.append(Applied(len(found), event, customers[external], [Crossing(rule, rule.threshold, lapse)]))
    return found


@dataclass(slots=True)
class Blocked:
    """What storage says may not fire: occurrences that fired, and the customers a rule
    excluded when it was last armed, with their value then (None: wholly excluded)."""

    fired: set[tuple[int, int, int]] = field(default_factory=set)  # (rule, customer, occurrence)
    excluded: dict[tuple[int, int], int | None] = field(default_factory=dict)  # (rule, customer) -> value
    _pairs: set[tuple[int, int]] = field(default_factory=set)  # (rule, customer) of `fired`

    def __post_init__(self) -> None:
        self._pairs = {(r, c) for r, c, _ in self.fired}

    def blocks(self, rule: Rule, customer: int, occurrence: int) -> bool:
        pair = (rule.id, customer)
        if rule.kind == "automation":  # once per customer and day (the occurrence: the day's number)
            return (rule.id, customer, occurrence) in self.fired
        if rule.kind == "inactivity":  # once per lapse; the lapse they were in when armed never
            return (rule.id, customer, occurrence) in self.fired or self.excluded.get(pair, -1) == occurrence
        if rule.every is None:  # one-time: once per customer, ever
            return pair in self._pairs or pair in self.excluded
        if (rule.id, customer, occurrence) in self.fired:
            return True
        if pair not in self.excluded:
            return False
        armed_at = self.excluded[pair]
        return armed_at is None or rule.mark(occurrence) <= armed_at  # marks passed before arming

    def add(self, rule: Rule, customer: int, occurrence: int) -> None:
        self.fired.add((rule.id, customer, occurrence))
        self._pairs.add((rule.id, customer))
