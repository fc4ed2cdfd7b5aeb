"""Ingest a batch: validate, fold in memory, write everything in one transaction.

The events' own rows (events, customers, orders, activities, points earned) are
built here; what they fire, and what orders that stopped counting give back, goes
through the firing pipeline (service/pipeline.py)."""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

import orjson

from milepost.domain.construct import Applied, OrderSlot
from milepost.domain.engine import JourneyState, fold_batch
from milepost.domain.events import ACTIVITY_TYPES, Event, OrderEvent, Rejection, TrackEvent, parse_event
from milepost.domain.records import CustomerState, Store
from milepost.errors import Conflict, RetryableStorageError
from milepost.service import internal_events, pipeline, segment_membership
from milepost.service.automation_starts import startable
from milepost.service.effects import subscribers
from milepost.service.internal_events import record
from milepost.service.pipeline import Changes, store_config
from milepost.service.ports import POINTS_UNIT, BatchTx, BatchWrite, LedgerRow, Storage
from milepost.service.results import CONFLICT, DUPLICATE, REJECTED, REUSED_ID, BatchResult, EventResult, report


def ingest_batch(
    db: Storage,
    store_id: int,
    raw_events: Sequence[Any],
    now: datetime,
    source: str = "api",
    attempts: int = 5,
    dry_run: bool = False,
) -> BatchResult:
    """Store a batch of events for one store and react to them, exactly once.

    Invalid events are rejected one by one; the valid ones are kept. An event
    already stored (same source and id, earlier or in the batch) is a duplicate when
    its content is the same (`same_content`), else a conflict; neither changes
    anything. A deadlock or lost race retries the whole batch. With `dry_run`, the
    very same work runs in a transaction that is rolled back: the result says what
    the batch would do, and nothing is stored.
    """
    parsed, results = _validate(raw_events, now)
    for attempt in range(1, attempts + 1):
        try:
            outcome, firings = _ingest_valid(db, store_id, parsed, raw_events, source, now, dry_run)
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
    seen: dict[str, int] = {}  # each event id, and where the batch first has it
    for index, raw in enumerate(raw_events):
        event = parse_event(raw, index, now)
        if isinstance(event, Rejection):
            results[index] = EventResult(index, event.key, REJECTED, event.field, event.reason)
        elif event.key in seen:
            first = raw_events[seen[event.key]]
            results[index] = _again(index, event.key, same_content(_payload(first), raw))
        else:
            seen[event.key] = index
            parsed.append((index, event))
    return parsed, results


def _again(index: int, key: str, same: bool) -> EventResult:
    """The outcome of an event id sent again: a duplicate, or a conflict with other content."""
    if same:
        return EventResult(index, key, DUPLICATE)
    return EventResult(index, key, CONFLICT, "id", REUSED_ID)


def same_content(stored: str, raw: Any) -> bool:
    """Whether an event as sent, `raw`, is the one stored as `stored` (its JSON as first
    received): the same fields with the same values, whatever their order or the JSON's
    spacing. Nothing is left out: a field the server fills when it is missing
    (`occurred_at`) compares as sent, so the same event sent again without it is the same."""
    payload = _payload(raw)
    if payload == stored:
        return True
    return _canonical(orjson.loads(stored)) == _canonical(orjson.loads(payload))


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _ingest_valid(
    db: Storage,
    store_id: int,
    parsed: list[tuple[int, Event]],
    raw_events: Sequence[Any],
    source: str,
    now: datetime,
    dry_run: bool,
) -> tuple[dict[int, EventResult], list[dict[str, Any]]]:
    """One attempt: everything the valid events cause, in one transaction."""
    with db.write(rollback=dry_run) as tx:
        store = tx.lock_store(store_id)
        # Locks first, then the duplicate check: a concurrent batch carrying the
        # same event has committed by the time we look.
        tx.lock_customers(store_id, {e.customer_id for _, e in parsed})
        known = tx.stored_events(store_id, [(source, e.key) for _, e in parsed])
        results = {
            i: _again(i, e.key, same_content(known[(source, e.key)], raw_events[i]))
            for i, e in parsed
            if (source, e.key) in known
        }
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
        counted_before = {oid for oid, slot in orders.items() if slot.state.counted_at is not None}
        applied, rejected = fold_batch(fresh, store, customers, orders, rules, now, activities, journeys)
        batch = _batch_write(store, now, source, raw_events, applied, customers, orders)
        wanted = subscribers(subscriptions.events)
        for row in internal_events.of_batch(store.key, source, applied, customers, orders, counted_before):
            record(batch, wanted, row)
        if journeys is not None:
            batch.journeys = [(r, c, journeys.progress[(r, c)]) for r, c in sorted(journeys.changed)]
        changes = Changes(applied, orders, counting, rules.clawback, automations=startable(db, tx, store))
        decided = pipeline.run(tx, store, batch, changes, subscriptions)
        names = segment_membership.event_names(batch.events) | {row.name for row in batch.internal}
        segment_membership.refresh(tx, store_id, (c.id for c in customers.values()), now, names)
    return report(results, applied, rejected, decided, batch.firings)


def _customers(tx: BatchTx, store_id: int, fresh: list[tuple[int, Event]]) -> dict[str, CustomerState]:
    wanted = {e.customer_id for _, e in fresh}
    found = tx.load_customers(store_id, wanted)
    missing = sorted(wanted - found.keys())
    for new_id, external_id in zip(tx.next_ids("customers", len(missing)), missing, strict=True):
        found[external_id] = CustomerState(id=new_id, external_id=external_id, is_new=True)
    return found


def _batch_write(
    store: Store,
    now: datetime,
    source: str,
    raw_events: Sequence[Any],
    applied: list[Applied],
    customers: dict[str, CustomerState],
    orders: dict[str, OrderSlot],
) -> BatchWrite:
    """What the events themselves write: the events, their customers, orders and
    activities, and the points orders earn; the firing pipeline adds what they fire."""
    batch = BatchWrite(store.id, now, store.counting_rank)
    used: set[int] = set()
    earned = False
    for a in applied:
        used.add(a.customer.id)
        batch.events.append((a.event, source, a.customer.id, _payload(raw_events[a.index])))
        if a.points:  # the points the event's order earns changed: earned, or taken back
            key, order_id = f"earn:{source}:{a.event.key}", getattr(a.event, "order_id", None)
            batch.ledger.append(LedgerRow(a.customer.id, a.points, POINTS_UNIT, "earn", key, order_id=order_id))
            earned = True
    batch.earning_points = store.points_per_unit > 0 or earned
    batch.customers = [c for c in customers.values() if c.changed or (c.is_new and c.id in used)]
    batch.orders = [(oid, slot) for oid, slot in orders.items() if slot.changed]
    batch.activities = [
        (a.event.type, a.event.item, a.customer.id, a.event.occurred_at)  # type: ignore[union-attr]
        for a in applied
        if a.counted
    ]
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
