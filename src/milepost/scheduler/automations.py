"""Automations' daily triggers in the daily run (scheduler/daily.py): each live automation
with a daily trigger, as of the start of the store-local day D, built the way the
inactivity sweep is (scheduler/inactivity.py), through the one firing pipeline.

Per page of customers, in one transaction:

1. storage selects the *candidates* by index: customers whose trigger instant (first
   counted order, sign-up, last counted order) lies in a UTC range that holds the
   local date D - days in every zone (domain/automations.py `candidate_window`); a
   date attribute trigger reads every customer, page by page;
2. the domain keeps exactly those the trigger holds for on D, in the customer's own
   time zone (`fires_on`), checks the audience and picks the branch, reading the
   profile, tags, metrics and the store's aggregates as of D in the customer's
   calendar (service/aggregate_values.py);
3. each becomes an applied change with one crossing: the automation, as the branch it
   takes, and the occurrence D's day number, so (automation, customer, day) fires at
   most once however often D runs, from however many machines;
4. `pipeline.run` decides and writes the firings and their effects; the customers'
   messages wait until the automation's local hour on D, in their own time zone (sent
   at once when it has passed).

Then the waits due (`_resume`): the rest of a branch after "wait N days", reached on
day D, runs on D + N as a firing of its own, whatever the automation's trigger. Its
occurrence is minus the wait's id (a `automation_waits` row, unique per (automation,
customer, occurrence, step)), so it fires at most once however often, and from however
many machines, D + N runs; the wait is marked resumed in the same transaction. It runs the
branch as the automation defines it that day, from the action after the wait, once it has
checked again, as every step of a flow is: the automation is still on (off: the rest is
stopped, "automation disabled"), the customer still matches its audience as of D + N
(else "left the audience", with the audience's conditions they fail), and the branch is
still in it. What is stopped fires nothing and is in the run log of D + N with its reason.
An automation whose active-from date is after D + N keeps its waits until it starts.

Each run of a day writes one `automation_runs` row: candidates, audience, firings,
"no branch", the rests stopped, and firings per branch (continuations included); and the
customers it fired nothing for, each with the reason (`automation_run_misses`, one
statement per page: in no branch, or a rest stopped).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from milepost.domain.automation_misses import BRANCH_GONE, DISABLED, LEFT_AUDIENCE, Miss, failed
from milepost.domain.automations import (
    Automation,
    Branch,
    Facts,
    candidate_window,
    day_number,
    fires_on,
    holds,
    instant_day,
    start_of_day,
    zone_of,
)
from milepost.domain.construct import Applied
from milepost.domain.events import TrackEvent
from milepost.domain.records import CustomerState, Store
from milepost.domain.rules import Crossing, Rule
from milepost.service import pipeline
from milepost.service.automation_entry import enter, profiles_of, record, resumed
from milepost.service.automations import loaded
from milepost.service.pipeline import Changes, store_config
from milepost.service.ports import BatchWrite, Storage, Tx

PAGE = 1_000


@dataclass(slots=True)
class Tally:
    """What one automation's run of a day did."""

    key: str
    candidates: int = 0
    audience: int = 0
    fired: int = 0
    skipped: int = 0  # in the audience, in no branch
    stopped: int = 0  # the rest of a branch after a wait, not run
    branches: Counter[str] = field(default_factory=Counter)


def run_automations(db: Storage, store: Store, day: date, clock: Callable[[], datetime]) -> list[Tally]:
    """Run every live automation with a daily trigger or waits for the store-local `day`;
    of one switched off, only stop the waits due."""
    with db.read() as tx:
        found = loaded(tx, store)
    due = [(rule, a) for rule, a in found if (a.trigger.daily or a.waits) and (a.live_on(day) or not a.active)]
    tallies = [(a, _run(db, store, rule, a, day, clock)) for rule, a in due]
    return [t for a, t in tallies if a.active or t.stopped]


def _run(
    db: Storage, store: Store, rule: Rule, automation: Automation, day: date, clock: Callable[[], datetime]
) -> Tally:
    started, tally = clock(), Tally(automation.key)
    for wanted, step in ((automation.trigger.daily and automation.active, _page), (automation.waits, _resume)):
        after, found = 0, PAGE
        while wanted and found == PAGE:
            found, after = step(db, store, rule, automation, day, after, tally, clock)
    if not automation.active and not tally.stopped:
        return tally
    with db.write() as tx:
        counts = {"candidates": tally.candidates, "audience": tally.audience, "fired": tally.fired}
        counts |= {"skipped": tally.skipped, "stopped": tally.stopped}
        tx.insert_automation_run(store.id, rule.id, day, counts, dict(tally.branches), started, clock())
    return tally


def _page(
    db: Storage,
    store: Store,
    rule: Rule,
    automation: Automation,
    day: date,
    after: int,
    tally: Tally,
    clock: Callable[[], datetime],
) -> tuple[int, int]:
    trigger = automation.trigger
    window = candidate_window(instant_day(trigger, day)) if trigger.instant else None
    as_of = start_of_day(day, ZoneInfo(store.timezone))
    with db.write() as tx:
        store = tx.lock_store(store.id)
        page = tx.automation_candidates(store.id, trigger.instant, window, after, PAGE)
        if not page:
            return 0, after
        externals = [external for _, external, _ in page]
        tx.lock_customers(store.id, externals)
        customers = tx.load_customers(store.id, externals)
        instants = {external: instant for _, external, instant in page}
        due = [c for e, c in customers.items() if fires_on(trigger, _facts(c, instants[e]), day, store.timezone)]
        tally.candidates += len(due)
        occurrence = day_number(day)
        entered = enter(tx, store, rule, automation, day, as_of, due, lambda c: occurrence)
        tally.audience, tally.skipped = tally.audience + entered.audience, tally.skipped + entered.skipped
        _fire(db, tx, store, automation, entered.applied, day, tally, clock)
        record(tx, store, rule, day, entered.missed, clock())
        return len(page), page[-1][0]


def _resume(
    db: Storage,
    store: Store,
    rule: Rule,
    automation: Automation,
    day: date,
    after: int,
    tally: Tally,
    clock: Callable[[], datetime],
) -> tuple[int, int]:
    """A page of the automation's waits due on `day`: the rest of each branch, fired, or
    stopped and why."""
    as_of = start_of_day(day, ZoneInfo(store.timezone))
    with db.write() as tx:
        store = tx.lock_store(store.id)
        page = tx.due_waits(store.id, rule.id, day, after, PAGE)
        if not page:
            return 0, after
        tx.lock_customers(store.id, [w.external_id for w in page])
        customers = tx.load_customers(store.id, [w.external_id for w in page])
        go, stopped = _rests(tx, store, automation, day, page, customers)
        applied: list[Applied] = []
        for w, branch in go:
            event = TrackEvent(f"automation:{rule.id}:wait:{w.id}", "custom", w.external_id, as_of, "automation")
            crossing = Crossing(resumed(rule, automation, branch, w.step + 1), 0, -w.id)
            applied.append(Applied(len(applied), event, customers[w.external_id], [crossing]))
        _fire(db, tx, store, automation, applied, day, tally, clock)
        record(tx, store, rule, day, stopped, clock())
        tally.stopped += len(stopped)
        tx.resume_waits([w.id for w in page], clock())
        return len(page), page[-1].id


def _rests(
    tx: Tx, store: Store, automation: Automation, day: date, page: list[Any], customers: dict[str, CustomerState]
) -> tuple[list[tuple[Any, Branch]], list[Miss]]:
    """The waits whose rest runs (with the branch as it is today), and those stopped: the
    automation off, the customer out of its audience as of `day`, the branch gone."""
    if not automation.active:
        return [], [Miss(customers[w.external_id], DISABLED, {"branch": w.branch}) for w in page]
    branches = {b.name: b for b in automation.branches}
    audience = automation.audience
    profiles = profiles_of(tx, store, automation, list(customers.values()), day) if audience else {}
    go: list[tuple[Any, Branch]] = []
    stopped: list[Miss] = []
    for w in page:
        c, branch = customers[w.external_id], branches.get(w.branch)
        if branch is None:
            stopped.append(Miss(c, BRANCH_GONE, {"branch": w.branch}))
        elif audience is not None and not holds(audience, profiles[c.id]):
            stopped.append(Miss(c, LEFT_AUDIENCE, {"branch": w.branch, "failed": failed(audience, profiles[c.id])}))
        elif w.step + 1 < len(branch.actions):
            go.append((w, branch))
    return go, stopped


def _fire(
    db: Storage,
    tx: Tx,
    store: Store,
    automation: Automation,
    applied: list[Applied],
    day: date,
    tally: Tally,
    clock: Callable[[], datetime],
) -> None:
    """The firings, through the one pipeline, as of the start of `day`; their messages held
    until the automation's local hour."""
    hold = _hold(automation, applied, day, store, clock()) if automation.send_at_local_hour is not None else {}
    _, subscriptions = store_config(db, tx, store)
    batch = BatchWrite(store.id, start_of_day(day, ZoneInfo(store.timezone)), store.counting_rank)
    decided = pipeline.run(tx, store, batch, Changes(applied, hold=hold), subscriptions)
    tally.fired += len(decided)
    tally.branches.update(d.firing.rule.branch or "" for d in decided)


def _facts(c: CustomerState, instant: datetime | None) -> Facts:
    """What the trigger reads; the candidate's own instant stands for its sign-up."""
    agg = c.aggregates
    return Facts(agg.first_order_at, agg.last_order_at, instant, c.attributes)


def _hold(
    automation: Automation, applied: list[Applied], day: date, store: Store, now: datetime
) -> dict[int, datetime]:
    """When each customer's messages may go: the automation's hour on `day`, in their own
    time zone; not held when that has passed."""
    hour = time(automation.send_at_local_hour or 0)
    out = {}
    for a in applied:
        at = datetime.combine(day, hour, tzinfo=zone_of(a.customer.attributes, store.timezone)).astimezone(UTC)
        if at > now:
            out[a.customer.id] = at
    return out
