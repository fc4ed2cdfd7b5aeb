"""Who enters an automation, and by which branch: the customers its trigger found (a
day's candidates, or the customer a firing starts it for), checked against the audience,
each given the crossing of the first branch whose condition holds, for the firing
pipeline. The audience and branches read the profile, tags, metrics, and the store's
aggregates as of the day in each customer's own calendar. A customer in the audience and
in no branch is a miss (`no_branch`, with the conditions each branch failed): no firing, so
they may qualify another day or start; `record` writes a page's misses in one statement."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

import orjson

from milepost.domain.aggregates import METRICS
from milepost.domain.automation_misses import NO_BRANCH, Miss, no_branch
from milepost.domain.automations import Automation, Branch, Profile, choose_branch, holds, zone_of
from milepost.domain.construct import Applied
from milepost.domain.events import TrackEvent
from milepost.domain.records import CustomerState, Store
from milepost.domain.rules import Crossing, Rule
from milepost.service import aggregate_values
from milepost.service.ports import BatchTx


@dataclass(frozen=True, slots=True)
class Entered:
    applied: list[Applied]  # each customer in the audience and a branch, with its crossing
    audience: int  # in the audience
    missed: list[Miss]  # in the audience, in no branch

    @property
    def skipped(self) -> int:
        return len(self.missed)


def enter(
    tx: BatchTx,
    store: Store,
    rule: Rule,
    automation: Automation,
    day: date,
    as_of: datetime,
    due: list[CustomerState],
    occurrence: Callable[[CustomerState], int],
) -> Entered:
    """The customers in the audience, each with the crossing of the branch they take, at
    its `occurrence` (a day's number; the firing that started it)."""
    profiles = profiles_of(tx, store, automation, due, day)
    found, audience, missed = list[Applied](), 0, list[Miss]()
    for c in due:
        profile = profiles[c.id]
        if not holds(automation.audience, profile):
            continue
        audience += 1
        branch = choose_branch(automation, profile)
        if branch is None:
            missed.append(Miss(c, NO_BRANCH, no_branch(automation, profile)))
            continue
        as_branch = resumed(rule, automation, branch, 0)
        n = occurrence(c)
        event = TrackEvent(f"automation:{rule.id}:{n}", "custom", c.external_id, as_of, "automation", {"day": str(day)})
        found.append(Applied(len(found), event, c, [Crossing(as_branch, 0, n)]))
    return Entered(found, audience, missed)


def profiles_of(
    tx: BatchTx, store: Store, automation: Automation, due: list[CustomerState], day: date
) -> dict[int, Profile]:
    """What the automation's conditions read of each customer, as of `day`."""
    tags = tx.load_tags([c.id for c in due])
    values = _aggregates(tx, store, automation.aggregates(), due, day)
    return {
        c.id: Profile(
            c.email,
            c.email_consent,
            c.sms_consent,
            tags.get(c.id, frozenset()),
            {m: c.aggregates.metric(m) for m in METRICS},
            c.attributes,
            values.get(c.id, {}),
        )
        for c in due
    }


def record(tx: BatchTx, store: Store, rule: Rule, day: date, misses: list[Miss], now: datetime) -> None:
    """The misses of a page of the day, in one statement (a second run of the day adds none)."""
    rows = [(m.customer.id, m.reason, orjson.dumps(m.detail).decode()) for m in misses]
    tx.insert_automation_misses(store.id, rule.id, day, rows, now)


def resumed(rule: Rule, automation: Automation, branch: Branch, at: int) -> Rule:
    """The automation's rule as the branch it runs, from the action at position `at` (0:
    the whole branch; after a wait, the action after it)."""
    return replace(
        rule,
        name=automation.name,
        actions=branch.actions,
        branch=branch.name,
        on_failure=branch.on_failure,
        resume_at=at,
    )


def _aggregates(
    tx: BatchTx, store: Store, names: set[str], due: list[CustomerState], day: date
) -> dict[int, dict[str, int]]:
    """The store's aggregates as of `day` in each customer's own calendar (their time
    zone's, as the trigger found them), so a first purchase on D-365 in the customer's
    zone is inside the 365 days before D there."""
    if not names or not due:
        return {}
    by_zone: dict[str, list[int]] = {}
    for c in due:
        by_zone.setdefault(zone_of(c.attributes, store.timezone).key, []).append(c.id)
    values: dict[int, dict[str, int]] = {}
    for zone, ids in by_zone.items():
        values |= aggregate_values.values_for(tx, replace(store, timezone=zone), names, ids, day)
    return values
