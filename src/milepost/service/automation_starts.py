"""What a firing starts: the automations that are not daily, started for the firing's
customer in the same transaction, through the same pipeline.

- **Trigger Workflow**: a firing's `trigger_workflow` action naming an automation's key
  starts it ("10th order: start the VIP onboarding workflow"); a name that is no
  automation's only records the workflow run, as before.
- **Milestone**: an automation whose trigger is `{"type": "milestone", "program": P}`
  starts when program P (its id: `prg_123`, `oce_123` for an order count event, or `123`)
  fires.

- **Event**: an automation whose trigger is `{"type": "event", "event": E, "where": {...}}`
  starts for the customer of every accepted event that matches (domain/automations.py
  `starts_on`), in the batch's transaction. A redelivered event is a duplicate that
  ingest never accepts, so one event starts an automation once.

Every start, by a firing or by an event, has the next *ordinal* of (automation,
customer) as its occurrence: one more than the highest occurrence the automation fired
at for the customer, read under the customer's lock that ingest (and every daily sweep)
holds, so it is unique and the same whenever the batch is retried; one firing or one
event starts an automation once because it happens once. One scheme for every start,
counted once per batch: an event automation a Trigger Workflow also starts, in the same
batch or not, never reuses an occurrence.

- **Internal events**: Milepost's own events the batch wrote (service/internal_events.py)
  start event automations as accepted events do (`started`'s `internal`).

What an automation's own firing does starts nothing by a Trigger Workflow, and its
recorded events (`record_event`) are written by the firing, not ingested; its internal
events may start automations, generation after generation, up to the pipeline's loop
guard (service/pipeline.py `MAX_GENERATIONS`). The audience and branch are checked as for
a daily trigger (service/automation_entry.py), as of the store-local day of the batch.
A customer in the audience and in no branch is in the run log of that day, started nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from milepost.domain.automations import Automation, starts_on
from milepost.domain.construct import Applied, Decided
from milepost.domain.ids import format_id
from milepost.domain.records import CustomerState, Store
from milepost.domain.rules import Rule
from milepost.service.automation_entry import enter, record
from milepost.service.automations import loaded
from milepost.service.ports import BatchTx, Storage

Live = tuple[tuple[Rule, Automation], ...]
Match = tuple[Applied, Rule, Automation]  # what started it (its customer's), the automation


def startable(db: Storage, tx: BatchTx, store: Store) -> Live:
    """The store's active automations that a firing or an event starts (not daily ones),
    loaded once per change to its rules (saving an automation bumps the store's rules
    version): ingest hands them to the pipeline, so a batch reads no automation row."""
    cached = db.automation_cache.get(store.id)
    if cached is not None and cached[0] == store.rules_version:
        found: Live = cached[1]
        return found
    found = _startable(tx, store)
    db.automation_cache[store.id] = (store.rules_version, found)
    return found


def _startable(tx: BatchTx, store: Store) -> Live:
    return tuple((rule, a) for rule, a in loaded(tx, store) if a.active and not a.trigger.daily)


def started(
    tx: BatchTx,
    store: Store,
    now: datetime,
    decided: Sequence[Decided],
    applied: Sequence[Applied],
    automations: Live | None,
    internal: Sequence[Applied] = (),
) -> list[Applied]:
    """The automations the batch starts, each an applied change for the pipeline at the
    next ordinal of (automation, customer): those its firings start (Trigger Workflow, a
    milestone trigger) and those its accepted events start. `automations`: the store's
    `startable` ones as ingest holds them; None (the daily sweeps): read when a firing may
    start one. `internal`: the internal events the batch wrote, which start event
    automations as the accepted events do."""
    day = now.astimezone(ZoneInfo(store.timezone)).date()
    firings = [d for d in decided if d.firing.rule.kind != "automation"]
    if (firings or internal) and automations is None:
        automations = _startable(tx, store)
    live = [(rule, a) for rule, a in automations or () if a.live_on(day)]
    return _enter(tx, store, now, day, _by_firings(firings, live) + _by_events([*applied, *internal], live))


def _by_firings(firings: Sequence[Decided], live: Sequence[tuple[Rule, Automation]]) -> list[Match]:
    return [(d.applied, rule, automation) for d in firings for rule, automation in live if _starts(automation, d)]


def _by_events(applied: Sequence[Applied], live: Sequence[tuple[Rule, Automation]]) -> list[Match]:
    events = [(rule, a) for rule, a in live if a.trigger.type == "event"]
    return [(a, rule, auto) for a in applied for rule, auto in events if starts_on(auto.trigger, a.event)]


def _enter(tx: BatchTx, store: Store, now: datetime, day: date, matched: Sequence[Match]) -> list[Applied]:
    """Each (what started it, automation) entered for its customer at the next ordinal."""
    if not matched:
        return []
    last = last_ordinals(tx, {(rule.id, rule.arm_seq, a.customer.id) for a, rule, _ in matched})
    found: list[Applied] = []
    for a, rule, automation in matched:
        n = last[(rule.id, a.customer.id)] = last.get((rule.id, a.customer.id), 0) + 1
        entered = enter(tx, store, rule, automation, day, now, [a.customer], at(n))
        found.extend(Applied(len(found), e.event, e.customer, e.crossings) for e in entered.applied)
        record(tx, store, rule, day, entered.missed, now)
    return found


def last_ordinals(tx: BatchTx, started: set[tuple[int, int, int]]) -> dict[tuple[int, int], int]:
    """(rule id, customer id) -> the highest occurrence the automation fired at for the
    customer, for each (rule id, arm_seq, customer id) of `started` it fired for; read
    under the customer's lock, so one more is the next start's ordinal."""
    last: dict[tuple[int, int], int] = {}
    for r, c, o in tx.blocked(started).fired:
        last[(r, c)] = max(last.get((r, c), 0), o)
    return last


def at(occurrence: int) -> Callable[[CustomerState], int]:
    return lambda customer: occurrence


def _starts(automation: Automation, d: Decided) -> bool:
    trigger, rule = automation.trigger, d.firing.rule
    if trigger.type == "milestone":
        ids = (str(rule.id), format_id("program", rule.id), format_id("order_count_event", rule.id))
        return trigger.program in ids
    return any(i.type == "trigger_workflow" and i.get("workflow") == automation.key for i in d.firing.intents)
