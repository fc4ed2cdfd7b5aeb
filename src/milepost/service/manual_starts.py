"""An automation started for one customer now, on request (the HTTP API, the CLI, the
admin's customer page), the way a Trigger Workflow action starts it
(service/automation_starts.py): under the customer's lock, at the next ordinal of
(automation, customer), the audience checked and the branch chosen as of the store-local
day (service/automation_entry.py), and the firing decided and applied by the one
pipeline (service/pipeline.py `run`).

Only an automation a firing can start is started this way: `manual`, `event` and
`milestone` triggers; a daily one runs on its days (its occurrences are day numbers).
Not started, the answer says why: switched off, not active yet, a daily trigger, not in
the audience, or in no branch; nothing is written.

Every start is written in the customer's event history as the custom event
"automation started" (source `start`), in the start's transaction. Its id is the
request's idempotency key (`key:<key>`) when there is one: the events' unique key
(store, source, id) then makes a retried request start the automation once, and answer
what the first one started, each action as it stands now. The same key for another
automation or customer is a Conflict (so is a race of one key for two customers: the
second insert breaks the unique key and its transaction, start included, is rolled
back). A request not started leaves no trace, so it may be retried, with the same key,
once the reason is gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from milepost.domain.automations import Automation
from milepost.domain.events import TrackEvent
from milepost.domain.ids import format_id
from milepost.domain.records import CustomerState, Store
from milepost.domain.rules import Rule
from milepost.errors import Conflict, NotFound, ValidationError
from milepost.service import pipeline
from milepost.service.automation_entry import enter
from milepost.service.automation_starts import at, last_ordinals
from milepost.service.automations import loaded_one
from milepost.service.ports import BatchWrite, Storage, Tx
from milepost.service.reports import as_delivered

SOURCE = "start"
MAX_KEY = 180  # an event id holds 200 characters, with "key:" before it
EVENT = "automation started"
#: Why an automation was not started, and what the answer says of it.
REASONS = {
    "disabled": "the automation is switched off",
    "not_active_yet": "the automation is not active yet",
    "daily_trigger": "the automation has a daily trigger: it starts on its days, not on request",
    "not_in_audience": "the customer is not in the automation's audience",
    "no_branch": "the customer is in the audience but in no branch",
}


@dataclass(frozen=True, slots=True)
class Start:
    """What a request to start an automation for a customer did."""

    automation: str
    customer_id: str
    started: bool
    reason: str | None = None  # not started: a key of REASONS
    branch: str | None = None
    firing_id: int | None = None  # started: the firing, in the milestone log
    actions: list[dict[str, Any]] = field(default_factory=list)  # started: what each action did, as it stands
    repeated: bool = False  # the answer of an earlier request with the same idempotency key

    @property
    def detail(self) -> str:
        if not self.started:
            return REASONS[self.reason or ""]
        return f"started for {self.customer_id} by the branch {self.branch!r}"


def start(
    db: Storage,
    now: datetime,
    store_id: int,
    key: str,
    customer_id: str,
    request_key: str | None = None,
    actor: str = "",
) -> Start:
    """Start automation `key` for the customer now (NotFound for an unknown automation or
    customer); `request_key`: the idempotency key, so a retry starts it once."""
    if request_key is not None and not (0 < len(request_key) <= MAX_KEY and "\x00" not in request_key):
        raise ValidationError(
            f"an idempotency key is 1 to {MAX_KEY} characters, without NUL", {"idempotency_key": "malformed"}
        )
    with db.write() as tx:
        store = tx.lock_store(store_id)
        rule, automation = loaded_one(tx, store, key)
        tx.lock_customers(store.id, [customer_id])
        customer = tx.load_customers(store.id, [customer_id]).get(customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id!r} in this store")
        record = f"key:{request_key}" if request_key is not None else None
        earlier = tx.stored_events(store.id, [(SOURCE, record)]) if record is not None else {}
        if record is not None and earlier:
            return _again(tx, store, rule, customer, key, earlier[(SOURCE, record)])
        day = now.astimezone(ZoneInfo(store.timezone)).date()
        reason = _refused(automation, day)
        if reason is not None:
            return Start(key, customer_id, False, reason)
        return _fire(db, tx, store, rule, automation, customer, day, now, record, actor)


def _fire(
    db: Storage,
    tx: Tx,
    store: Store,
    rule: Rule,
    automation: Automation,
    customer: CustomerState,
    day: date,
    now: datetime,
    record: str | None,
    actor: str,
) -> Start:
    """Enter the customer at the next ordinal, as a Trigger Workflow start does, fire the
    branch through the pipeline and record the start; or say why they did not enter."""
    key = automation.key
    n = last_ordinals(tx, {(rule.id, rule.arm_seq, customer.id)}).get((rule.id, customer.id), 0) + 1
    entered = enter(tx, store, rule, automation, day, now, [customer], at(n))
    if not entered.applied:
        return Start(key, customer.external_id, False, "not_in_audience" if not entered.audience else "no_branch")
    subscriptions = pipeline.store_config(db, tx, store)[1]
    batch = BatchWrite(store.id, now, store.counting_rank)
    pipeline.run(tx, store, batch, pipeline.Changes(entered.applied), subscriptions)
    (firing,) = batch.firings
    branch = entered.applied[0].crossings[0].rule.branch
    properties = {"automation": key, "branch": branch, "milestone_id": format_id("milestone", firing.id), "by": actor}
    _write_record(tx, store, now, customer, record or f"auto:{firing.id}", properties)
    return _answer(tx, store, rule, customer, key, firing.id)


def _refused(automation: Automation, day: date) -> str | None:
    if automation.trigger.daily:
        return "daily_trigger"
    if not automation.active:
        return "disabled"
    return None if automation.live_on(day) else "not_active_yet"


def _again(tx: Tx, store: Store, rule: Rule, customer: CustomerState, key: str, payload: str) -> Start:
    """The answer to a request whose idempotency key started an automation already."""
    properties = orjson.loads(payload).get("properties", {})
    if (properties.get("automation"), properties.get("customer_id")) != (key, customer.external_id):
        raise Conflict("this idempotency key started another automation or customer")
    firing_id = int(properties["milestone_id"].removeprefix("mst_"))
    return _answer(tx, store, rule, customer, key, firing_id, repeated=True)


def _answer(
    tx: Tx,
    store: Store,
    rule: Rule,
    customer: CustomerState,
    key: str,
    firing_id: int,
    repeated: bool = False,
) -> Start:
    """The start of firing `firing_id`, each action as it stands now (a queued message
    read from its delivery)."""
    found = tx.milestone_log(store.id, customer_id=customer.id, rule_id=rule.id, before_id=firing_id + 1, limit=1)
    (firing,) = as_delivered(tx, store.id, found)
    actions = list(firing.actions)
    branch = next((a.get("branch") for a in actions if a.get("branch")), None)
    return Start(key, customer.external_id, True, None, branch, firing.id, actions, repeated)


def _write_record(
    tx: Tx, store: Store, now: datetime, customer: CustomerState, event_id: str, properties: dict[str, Any]
) -> None:
    """The start in the customer's event history; its id is unique per store and source."""
    properties = {**properties, "customer_id": customer.external_id}
    event = TrackEvent(event_id, "custom", customer.external_id, now, EVENT, properties)
    raw = {"id": event_id, "type": "custom", "customer_id": customer.external_id, "name": EVENT}
    payload = orjson.dumps({**raw, "occurred_at": now.isoformat(), "properties": properties}).decode()
    batch = BatchWrite(store.id, now, store.counting_rank)
    batch.events.append((event, SOURCE, customer.id, payload))
    tx.write_batch(batch)
