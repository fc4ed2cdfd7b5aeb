"""What a firing starts: the automations that are not daily, started for the firing's
customer in the same transaction, through the same pipeline.

- **Trigger Workflow**: a firing's `trigger_workflow` action naming an automation's key
  starts it ("10th order: start the VIP onboarding workflow"); a name that is no
  automation's only records the workflow run, as before.
- **Milestone**: an automation whose trigger is `{"type": "milestone", "program": P}`
  starts when program P (its id: `prg_123`, `oce_123` for an order count event, or `123`)
  fires.

Each start's occurrence is the starting firing's id, so one firing starts an automation
once. What an automation's own firing does starts nothing further (no loops). The
audience and branch are checked as for a daily trigger (service/automation_entry.py), as
of the store-local day of the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from milepost.domain.automations import Automation
from milepost.domain.construct import Applied, Decided
from milepost.domain.ids import format_id
from milepost.domain.records import CustomerState, Store
from milepost.service.automation_entry import enter
from milepost.service.automations import loaded
from milepost.service.ports import BatchTx


def started(
    tx: BatchTx, store: Store, now: datetime, decided: Sequence[Decided], firing_ids: Sequence[int]
) -> list[Applied]:
    """The automations the firings start, each an applied change for the pipeline."""
    firings = [(d, f) for d, f in zip(decided, firing_ids, strict=True) if d.firing.rule.kind != "automation"]
    if not firings:
        return []
    live = [(rule, a) for rule, a in loaded(tx, store) if a.active and not a.trigger.daily]
    if not live:
        return []
    day = now.astimezone(ZoneInfo(store.timezone)).date()
    found: list[Applied] = []
    for d, firing_id in firings:
        for rule, automation in live:
            if not automation.live_on(day) or not _starts(automation, d):
                continue
            entered = enter(tx, store, rule, automation, day, now, [d.applied.customer], _at(firing_id))
            for applied in entered.applied:
                found.append(Applied(len(found), applied.event, applied.customer, applied.crossings))
    return found


def _at(firing_id: int) -> Callable[[CustomerState], int]:
    return lambda customer: firing_id


def _starts(automation: Automation, d: Decided) -> bool:
    trigger, rule = automation.trigger, d.firing.rule
    if trigger.type == "milestone":
        ids = (str(rule.id), format_id("program", rule.id), format_id("order_count_event", rule.id))
        return trigger.program in ids
    return any(i.type == "trigger_workflow" and i.get("workflow") == automation.key for i in d.firing.intents)
