"""Ingest a batch: validate, fold in memory, write everything in one transaction."""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import orjson

from milepost.domain.engine import Applied, Decided, JourneyState, OrderSlot, decide_firings, fold_batch
from milepost.domain.events import ACTIVITY_TYPES, Event, OrderEvent, Rejection, TrackEvent, parse_event, tuple_new
from milepost.domain.records import CustomerState, Store
from milepost.domain.rules import RuleIndex
from milepost.errors import Conflict, RetryableStorageError
from milepost.service.clawback import claw_back
from milepost.service.effects import Subscriptions, effects_of
from milepost.service.ports import BatchTx, BatchWrite, FiringRow, PointsRow, Storage

DUPLICATE, ACCEPTED, REJECTED = "duplicate", "accepted", "rejected"


class EventResult(NamedTuple):
    """What became of one event of a batch."""

    index: int  # type: ignore[assignment]  # the field shadows tuple.index, which nothing here calls
    key: str | None
    status: str  # accepted | duplicate | rejected
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
    def rejected(self) -> tuple[EventResult, ...]:
        return tuple(r for r in self.results if r.status == REJECTED)


def ingest_batch(
    db: Storage, store_id: int, raw_events: Sequence[Any], now: datetime, source: str = "api", attempts: int = 5
) -> BatchResult:
    """Store a batch of events for one store and react to them, exactly once.

    Invalid events are rejected one by one; the valid ones are kept. Events
    already stored (same source and id) are reported as duplicates and change
    nothing. A deadlock or lost race retries the whole batch.
    """
    parsed, results = _validate(raw_events, now)
    for attempt in range(1, attempts + 1):
        try:
            outcome, firings = _ingest_valid(db, store_id, parsed, raw_events, source, now)
            break
        except (RetryableStorageError, Conflict):
            # nothing of the attempt was committed: the whole batch can run again
            if attempt == attempts:
                raise
    results.update(outcome)
    return BatchResult(tuple(map(results.__getitem__, range(len(raw_events)))), tuple(firings))


def _validate(raw_events: Sequence[Any], now: datetime) -> tuple[list[tuple[int, Event]], dict[int, EventResult]]:
    results: dict[int, EventResult] = {}
    parsed: list[tuple[int, Event]] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_events):
        event = parse_event(raw, index, now)
        if isinstance(event, Rejection):
            results[index] = EventResult(index, event.key, REJECTED, event.field, event.reason)
        elif event.key in seen:
            results[index] = EventResult(index, event.key, DUPLICATE)
        else:
            seen.add(event.key)
            parsed.append((index, event))
    return parsed, results


def _ingest_valid(
    db: Storage,
    store_id: int,
    parsed: list[tuple[int, Event]],
    raw_events: Sequence[Any],
    source: str,
    now: datetime,
) -> tuple[dict[int, EventResult], list[dict[str, Any]]]:
    """One attempt: everything the valid events cause, in one transaction."""
    with db.write() as tx:
        store = tx.lock_store(store_id)
        # Locks first, then the duplicate check: a concurrent batch carrying the
        # same event has committed by the time we look.
        tx.lock_customers(store_id, {e.customer_id for _, e in parsed})
        known = tx.existing_event_keys(store_id, [(source, e.key) for _, e in parsed])
        results = {i: EventResult(i, e.key, DUPLICATE) for i, e in parsed if (source, e.key) in known}
        fresh = [(i, e) for i, e in parsed if (source, e.key) not in known]
        if not fresh:
            return results, []
        customers = _customers(tx, store_id, fresh)
        orders = tx.load_orders(store_id, [e.order_id for _, e in fresh if isinstance(e, OrderEvent)])
        activities = tx.load_activities(
            store_id, [(e.type, e.item) for _, e in fresh if isinstance(e, TrackEvent) and e.type in ACTIVITY_TYPES]
        )
        rules, subscriptions = store_config(db, tx, store)
        journeys = None
        if rules.journeys:
            ids = [c.id for c in customers.values() if not c.is_new]
            journeys = JourneyState(tx.load_journey_progress([j.id for j in rules.journeys], ids))
        counting = {oid for oid, slot in orders.items() if slot.state.counts(store.counting_rank)}
        applied, rejected = fold_batch(fresh, store, customers, orders, rules, now, activities, journeys)
        decided = _decide(tx, applied)
        batch = _batch_write(tx, store, now, source, raw_events, applied, customers, orders, decided, subscriptions)
        if journeys is not None:
            batch.journeys = [(r, c, journeys.progress[(r, c)]) for r, c in sorted(journeys.changed)]
        tx.write_batch(batch)
        stopped = _stopped(orders, counting, store, batch.firings) if rules.clawback else set()
        if stopped:  # orders fully refunded or cancelled: their milestones may be clawed back, this
            # batch's own too (an order paid and refunded in one batch), so after it is written
            clawbacks = BatchWrite(store.id, now, store.counting_rank)
            claw_back(tx, store, clawbacks, stopped, {c.id: c.external_id for c in customers.values()}, now)
            tx.write_batch(clawbacks)
    return _report(results, applied, rejected, decided.firings, batch.firings)


def _report(
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


def _stopped(
    orders: dict[str, OrderSlot], counting: set[str], store: Store, fired: list[FiringRow]
) -> set[tuple[int, str]]:
    """(customer id, order id) of the orders that counted, before the batch or long enough
    in it to fire a milestone, and no longer do."""
    rank = store.counting_rank
    crossed = {f.order_id for f in fired if f.order_id is not None and f.order_id in orders}
    return {(orders[oid].customer_id, oid) for oid in counting | crossed if not orders[oid].state.counts(rank)}


def store_config(db: Storage, tx: BatchTx, store: Store) -> tuple[RuleIndex, Subscriptions]:
    """The store's active rules, indexed, and its webhook subscriptions: loaded once per
    change to them (any process's change bumps the version this transaction read with
    the store's lock)."""
    cached = db.rule_indexes.get(store.id)
    if cached is not None and cached[0] == store.rules_version:
        return cached[1]
    subscriptions = Subscriptions(tuple(tx.subscriptions(store.id)), tx.endpoint_ids_by_url(store.id))
    # switched-off programs only for their clawback policy: RuleIndex skips them
    config = (RuleIndex(tx.load_rules(store.id, active_only=False)), subscriptions)
    db.rule_indexes[store.id] = (store.rules_version, config)
    return config


def _customers(tx: BatchTx, store_id: int, fresh: list[tuple[int, Event]]) -> dict[str, CustomerState]:
    wanted = {e.customer_id for _, e in fresh}
    found = tx.load_customers(store_id, wanted)
    missing = sorted(wanted - found.keys())
    for new_id, external_id in zip(tx.next_ids("customers", len(missing)), missing, strict=True):
        found[external_id] = CustomerState(id=new_id, external_id=external_id, is_new=True)
    return found


@dataclass(slots=True)
class _Decisions:
    firings: list[Decided]
    tags_before: dict[int, frozenset[str]]
    tags_after: dict[int, frozenset[str]]


def _decide(tx: BatchTx, applied: list[Applied]) -> _Decisions:
    candidates = {(c.rule.id, c.rule.arm_seq, a.customer.id) for a in applied for c in a.crossings}
    if not candidates:
        return _Decisions([], {}, {})
    blocked = tx.blocked(candidates)
    before = tx.load_tags({customer for _, _, customer in candidates})
    after = dict(before)
    return _Decisions(decide_firings(applied, after, blocked), before, after)


def _batch_write(
    tx: BatchTx,
    store: Store,
    now: datetime,
    source: str,
    raw_events: Sequence[Any],
    applied: list[Applied],
    customers: dict[str, CustomerState],
    orders: dict[str, OrderSlot],
    decided: _Decisions,
    subscriptions: Subscriptions,
) -> BatchWrite:
    batch = BatchWrite(store.id, now, store.counting_rank)
    used: set[int] = set()
    for a in applied:
        used.add(a.customer.id)
        batch.events.append((a.event, source, a.customer.id, _payload(raw_events[a.index])))
        if a.points:  # the points the event's order earns changed: earned, or taken back
            key, order_id = f"earn:{source}:{a.event.key}", getattr(a.event, "order_id", None)
            batch.points.append(PointsRow(a.customer.id, a.points, "earn", key, order_id=order_id))
    batch.earning_points = store.points_per_unit > 0 or bool(batch.points)
    batch.customers = [c for c in customers.values() if c.changed or (c.is_new and c.id in used)]
    batch.orders = [(oid, slot) for oid, slot in orders.items() if slot.changed]
    batch.activities = [
        (a.event.type, a.event.item, a.customer.id, a.event.occurred_at)  # type: ignore[union-attr]
        for a in applied
        if a.counted
    ]
    firing_ids = tx.next_ids("firings", len(decided.firings))
    effects_of(batch, decided.firings, firing_ids, store, subscriptions, lambda n: tx.next_ids("alerts", n))
    for customer_id, tags in decided.tags_after.items():
        before = decided.tags_before.get(customer_id, frozenset())
        batch.tags_added.extend((customer_id, tag) for tag in sorted(tags - before))
        batch.tags_removed.extend((customer_id, tag) for tag in sorted(before - tags))
    return batch


def _payload(raw: Any) -> str:
    return orjson.dumps(raw, default=str).decode()


def ingest(
    db: Storage,
    store_id: int,
    raw_events: Iterable[Any],
    clock: Callable[[], datetime],
    source: str = "api",
    batch_size: int = 1000,
    attempts: int = 5,
    lanes: int | None = None,
) -> Iterator[BatchResult]:
    """Ingest a stream of events in batches of up to `batch_size`, one transaction
    each; yields each batch's result, in which `index` is the event's position in
    the whole stream.

    With `lanes` above 1 (by default the storage's `ingest_lanes`: 2 on PostgreSQL;
    SQLite has one writer, so 1) the customers are shared out between the lanes by
    their id, and each lane stores its own batches, one after the other, on a thread
    and connection of its own: while the server works on one lane's batch, this
    process prepares the other's. A customer's events all go to one lane, so they
    apply in stream order; two customers' events may commit in either order, as
    from two clients of the API. If a batch fails, batches of other lanes may be
    stored already; ingesting the stream again is safe (stored events come back as
    duplicates)."""
    lanes = max(1, lanes if lanes is not None else db.ingest_lanes)
    if lanes == 1:
        offset = 0
        for chunk in _chunks(raw_events, batch_size):
            result = ingest_batch(db, store_id, chunk, clock(), source, attempts)
            yield _in_stream(result, range(offset, offset + len(chunk)))
            offset += len(chunk)
        return
    workers = [ThreadPoolExecutor(1, thread_name_prefix=f"milepost-ingest-{n}") for n in range(lanes)]
    try:
        in_flight: deque[Future[BatchResult]] = deque()
        filling: list[list[tuple[int, Any]]] = [[] for _ in range(lanes)]

        def send(lane: int) -> None:
            batch, filling[lane] = filling[lane], []
            positions = [position for position, _ in batch]
            events = [raw for _, raw in batch]
            work = workers[lane].submit(_lane_batch, db, store_id, events, positions, clock, source, attempts)
            in_flight.append(work)

        for position, raw in enumerate(raw_events):
            lane = lane_of(raw, lanes)
            filling[lane].append((position, raw))
            if len(filling[lane]) >= batch_size:
                send(lane)
                while len(in_flight) > lanes:
                    yield in_flight.popleft().result()
        for lane in range(lanes):
            if filling[lane]:
                send(lane)
        while in_flight:
            yield in_flight.popleft().result()
    finally:
        for worker in workers:
            worker.shutdown(wait=True, cancel_futures=True)


def _lane_batch(
    db: Storage,
    store_id: int,
    events: list[Any],
    positions: list[int],
    clock: Callable[[], datetime],
    source: str,
    attempts: int,
) -> BatchResult:
    return _in_stream(ingest_batch(db, store_id, events, clock(), source, attempts), positions)


def lane_of(raw: Any, lanes: int) -> int:
    """The lane of an event's customer: a stable hash of the id as sent (events that
    name none, and so will be rejected, go to the first lane)."""
    customer = raw.get("customer_id") if isinstance(raw, dict) else None
    if customer is None:
        return 0
    return zlib.crc32(str(customer).encode()) % lanes


def _in_stream(result: BatchResult, positions: Sequence[int]) -> BatchResult:
    """A batch's result with each event's index its position in the stream."""
    return BatchResult(tuple(r._replace(index=positions[r.index]) for r in result.results), result.firings)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
