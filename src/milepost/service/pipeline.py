"""The one firing pipeline: every change that may fire a milestone, or take one back,
goes through `run`, and nothing else builds firings or their effects.

The changes come evaluated by the pure domain:

- ingest: each accepted event, with the rule crossings it caused (domain/engine.py
  `fold_batch`, domain/rules.py `evaluate`), and the batch's orders;
- the inactivity sweep: the lapses come due, one crossing each (domain/due.py `lapses`);
- the automations' daily run: the customers a trigger holds for on a day, each with
  the branch they take (scheduler/automations.py);
- clawback: the orders that stopped counting (fully refunded or cancelled), found
  among the batch's orders, whose milestones give back what they gave.

`run(tx, store, batch, changes, subscriptions)`, in the caller's transaction:

1. what may not fire: occurrences fired already, customers excluded when the rule was
   armed (`tx.blocked`), and the customers' tags (`tx.load_tags`);
2. decide (domain/engine.py `decide_firings`): at most once, not retroactive, the tag
   conditions, each firing seeing the tags the ones before it left;
3. waits: an automation's firing that reached a "wait N days" keeps the rest of its
   branch for the daily run of day + N (`_waiting`);
4. effects (service/effects.py): the firing rows, ledger rows (credit and points),
   codes (drawn, or taken from a pool: service/pool_claims.py; an automation's branch
   whose pool had no code is rebuilt first, domain/firing.py `fail_over`), alerts,
   workflow runs, recorded events and outbox rows;
5. tags: each customer's net change;
6. write `batch`, with what the caller put in it first (events, customers, orders);
7. start the automations the firings start, and those the accepted events of an ingest
   and the internal events step 6 wrote start (service/automation_starts.py), through
   this same `run`, one generation further; past `MAX_GENERATIONS` nothing more starts
   and one alert names the chain (the loop guard);
8. claw back the stopped orders' milestones (service/clawback.py) in a second write: a
   clawback reads back what step 6 wrote (an order paid and refunded in one batch).

Everything goes through `tx`: run in a transaction the caller rolls back
(`Database.write(rollback=True)`), it is the very same code with no effect, as a
simulation needs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from milepost.domain.clawback import stopped_at
from milepost.domain.construct import Applied, CustomerView, Decided, OrderSlot
from milepost.domain.engine import decide_firings
from milepost.domain.events import EVENT_TYPES, OrderEvent, TrackEvent
from milepost.domain.firing import fail_over, waiting_until
from milepost.domain.records import Store
from milepost.domain.rules import RuleIndex
from milepost.service.automation_starts import Live, started
from milepost.service.clawback import claw_back
from milepost.service.effects import Subscriptions, effects_of
from milepost.service.internal_events import raise_alert
from milepost.service.pool_claims import Claims, claim_pool_codes
from milepost.service.ports import BatchTx, BatchWrite, FiringRow, Storage, WaitRow

#: How many automation starts one ingested event (or one daily sweep's firing) may lead
#: to, each started by what the one before did (its internal events): the loop guard.
MAX_GENERATIONS = 5
INCOMING_TYPES = frozenset(EVENT_TYPES)


@dataclass(slots=True)
class Changes:
    """A batch of evaluated changes, as the pipeline takes them."""

    applied: list[Applied]  # events or lapses, each with the crossings it caused
    orders: dict[str, OrderSlot] = field(default_factory=dict)  # the batch's orders, as it left them
    counted: set[str] = field(default_factory=set)  # the orders among them that counted before it
    clawback: bool = False  # some program takes its rewards back when their order stops counting
    hold: dict[int, datetime] = field(default_factory=dict)  # customer id -> their messages wait until then
    # ingest: the store's automations a firing or an accepted event may start (None: read
    # them when a firing may start one)
    automations: Live | None = None
    # how many automation starts led here from what the caller ingested or swept (0: none),
    # and the names of the automations started at each of them (the loop guard's alert)
    depth: int = 0
    chain: tuple[str, ...] = ()


def run(tx: BatchTx, store: Store, batch: BatchWrite, changes: Changes, subscriptions: Subscriptions) -> list[Decided]:
    """Decide the firings the changes cause, append them and their effects to `batch`,
    write it, then claw back what the orders that stopped counting gave. Returns the
    firings, in order (their rows are `batch.firings`)."""
    decided, tags_before, tags_after = _decide(tx, changes.applied)
    firing_ids = tx.next_ids("firings", len(decided))
    claims = claim_pool_codes(tx, store.id, decided, firing_ids, batch.now)
    decided = _fail_over(decided, firing_ids, claims, tags_before, tags_after)
    decided = _waiting(tx, store, batch, decided)
    effects_of(
        batch,
        decided,
        firing_ids,
        store,
        subscriptions,
        lambda n: tx.next_ids("alerts", n),
        claims=claims,
        hold=changes.hold,
    )
    for customer_id, tags in tags_after.items():
        before = tags_before.get(customer_id, frozenset())
        batch.tags_added.extend((customer_id, tag) for tag in sorted(tags - before))
        batch.tags_removed.extend((customer_id, tag) for tag in sorted(before - tags))
    written = tx.write_batch(batch)
    wanted = _event_triggers(changes.automations)
    internal = _internal(batch, written, changes.applied, decided, wanted) if wanted != set() else []
    events = changes.applied if changes.depth == 0 else []  # a start is no event
    starts = started(tx, store, batch.now, decided, events, changes.automations, internal)
    if starts:  # automations the firings or the events start (Trigger Workflow, milestone, event)
        _start(tx, store, batch.now, starts, changes, subscriptions)
    stopped = _stopped(changes, store, batch.firings, batch.now) if changes.clawback else {}
    if stopped:
        clawbacks = BatchWrite(store.id, batch.now, store.counting_rank)
        names = {a.customer.id: a.customer.external_id for a in changes.applied}
        claw_back(tx, store, clawbacks, stopped, names)
        tx.write_batch(clawbacks)
    return decided


def _start(
    tx: BatchTx, store: Store, now: datetime, starts: list[Applied], changes: Changes, subscriptions: Subscriptions
) -> None:
    """Run the automations started, one generation further; past `MAX_GENERATIONS` (an
    automation whose own events start it again, or two that start each other) nothing more
    starts, and one alert names the chain."""
    names = ", ".join(sorted({c.rule.name for a in starts for c in a.crossings}))
    if changes.depth >= MAX_GENERATIONS:
        chain = " → ".join((*changes.chain, names))
        customer = starts[0].customer
        message = (
            f"Automations stopped after {MAX_GENERATIONS} generations started by one event of "
            f"{customer.external_id}: {chain}. Their triggers on Milepost's own events start each other; "
            "change a trigger or an audience."
        )
        rules = ",".join(sorted({str(c.rule.id) for a in starts for c in a.crossings}))
        raise_alert(
            tx,
            store.id,
            message,
            now,
            dedupe_key=f"automation-loop:{rules}",
            customer=(customer.id, customer.external_id),
        )
        return
    nested = Changes(starts, automations=changes.automations, depth=changes.depth + 1, chain=(*changes.chain, names))
    run(tx, store, BatchWrite(store.id, now, store.counting_rank), nested, subscriptions)


def _event_triggers(automations: Live | None) -> set[str] | None:
    """The event names the store's automations start on (None: not known, the daily sweeps
    read them when something may start one)."""
    if automations is None:
        return None
    return {a.trigger.event for _, a in automations if a.trigger.type == "event" and a.trigger.event}


def _internal(
    batch: BatchWrite, written: set[str], applied: list[Applied], decided: list[Decided], names: set[str] | None
) -> list[Applied]:
    """The internal events the batch wrote (not stored before) that may start an automation
    (`names`; None: any), as events: those of a customer of the batch, named as no event a
    store sends (an automation on `order.paid` starts on the store's own order.paid)."""
    if not written:
        return []
    people = {a.customer.id: a.customer for a in applied}
    people.update((d.applied.customer.id, d.applied.customer) for d in decided)
    found: list[Applied] = []
    for row in batch.internal:
        customer = people.get(row.customer_id) if row.customer_id is not None else None
        wanted = names is None or row.name in names
        if wanted and row.key in written and customer is not None and row.name not in INCOMING_TYPES:
            event = TrackEvent(row.key, row.name, customer.external_id, row.occurred_at, None, row.data)
            found.append(Applied(len(found), event, customer, []))
            written.discard(row.key)  # once, if the batch derived it twice
    return found


def _fail_over(
    decided: list[Decided],
    firing_ids: Sequence[int],
    claims: Claims,
    tags_before: dict[int, frozenset[str]],
    tags_after: dict[int, frozenset[str]],
) -> list[Decided]:
    """The automations' firings whose pool gave no code, rebuilt (domain/firing.py
    `fail_over`): the rest of the branch skipped, its on_failure list instead, and the
    customer's tags as that leaves them (an automation fires once per customer in a run)."""
    failed: dict[int, int] = {}
    for (firing_id, position), taken in claims.items():
        if taken.code is None and position < failed.get(firing_id, position + 1):
            failed[firing_id] = position
    if not failed:
        return decided
    out = []
    for d, firing_id in zip(decided, firing_ids, strict=True):
        at = failed.get(firing_id)
        if at is not None and d.firing.rule.kind == "automation":
            c = d.applied.customer
            view = CustomerView(c.external_id, c.name, c.email, tags_before.get(c.id, frozenset()), c.attributes)
            firing = fail_over(d.firing, at, claims[(firing_id, at)].pool, view)
            tags_after[c.id] = firing.tags_after
            d = Decided(d.applied, firing)
        out.append(d)
    return out


def _waiting(tx: BatchTx, store: Store, batch: BatchWrite, decided: list[Decided]) -> list[Decided]:
    """The automations' firings that reached a "wait N days": the rest of their branch
    kept as a wait due on the store-local day of the batch + N (the daily run of that day
    fires it), and the wait's outcome naming that day."""
    waits = [(i, d, w) for i, d in enumerate(decided) for w in d.firing.intents if w.type == "wait"]
    if not waits:
        return decided
    day = batch.now.astimezone(ZoneInfo(store.timezone)).date()
    out = list(decided)
    for wait_id, (i, d, intent) in zip(tx.next_ids("automation_waits", len(waits)), waits, strict=True):
        f, until = d.firing, day + timedelta(days=intent.get("days"))
        customer = d.applied.customer.id
        batch.waits.append(
            WaitRow(wait_id, f.rule.id, customer, f.occurrence, intent.position, f.rule.branch or "", until)
        )
        out[i] = Decided(d.applied, waiting_until(f, until.isoformat()))
    return out


def _decide(
    tx: BatchTx, applied: list[Applied]
) -> tuple[list[Decided], dict[int, frozenset[str]], dict[int, frozenset[str]]]:
    """The firings, and the tags of their customers before and after them."""
    candidates = {(c.rule.id, c.rule.arm_seq, a.customer.id) for a in applied for c in a.crossings}
    if not candidates:
        return [], {}, {}
    blocked = tx.blocked(candidates)
    before = tx.load_tags({customer for _, _, customer in candidates})
    after = dict(before)
    return decide_firings(applied, after, blocked), before, after


def _stopped(changes: Changes, store: Store, fired: list[FiringRow], now: datetime) -> dict[tuple[int, str], datetime]:
    """(customer id, order id) of the orders that counted, before the batch or long enough
    in it to fire a milestone, and no longer do; each with when it stopped, by the event
    time of the batch's refunds and cancellations of it."""
    orders, rank = changes.orders, store.counting_rank
    crossed = {f.order_id for f in fired if f.order_id is not None and f.order_id in orders}
    gone = {oid for oid in changes.counted | crossed if not orders[oid].state.counts(rank)}
    if not gone:
        return {}
    events: dict[str, list[OrderEvent]] = defaultdict(list)
    for a in changes.applied:
        if isinstance(a.event, OrderEvent) and a.event.order_id in gone:
            events[a.event.order_id].append(a.event)
    return {(orders[oid].customer_id, oid): stopped_at(events[oid]) or now for oid in gone}


def store_config(db: Storage, tx: BatchTx, store: Store) -> tuple[RuleIndex, Subscriptions]:
    """The store's active rules, indexed, and its webhook subscriptions: loaded once per
    change to them (any process's change bumps the version this transaction read with
    the store's lock)."""
    cached = db.rule_indexes.get(store.id)
    if cached is not None and cached[0] == store.rules_version:
        config: tuple[RuleIndex, Subscriptions] = cached[1]
        return config
    subscriptions = Subscriptions(tuple(tx.subscriptions(store.id)), tx.endpoint_ids_by_url(store.id))
    # switched-off programs only for their clawback policy: RuleIndex skips them
    config = (RuleIndex(tx.load_rules(store.id, active_only=False)), subscriptions)
    db.rule_indexes[store.id] = (store.rules_version, config)
    return config
