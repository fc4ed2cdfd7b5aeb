"""The ingest batch's rows: from what storage reads to the batch's objects, and from the
batch's objects to what it writes. This is the storage's work per row, kept out of the
query classes (mixins, which run interpreted) so that the compiled build (setup.py)
compiles it with the engine. `ts` turns a time into what the driver takes, `from_ts`
back (on SQLite, `SqliteTimes`, adapters/storage/times.py); `flag` a boolean.

Each builder's columns are named beside it (`*_COLUMNS`, `*_TYPES`), in the order
it builds: tests/unit/test_row_columns.py checks them against the tables
(adapters/storage/tables.py) and each value against the field it comes from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

from milepost.domain.aggregates import Aggregates
from milepost.domain.construct import OrderSlot
from milepost.domain.orders import OrderState
from milepost.domain.records import CustomerState
from milepost.domain.tuples import tuple_new
from milepost.service.ports.rows import POINTS_UNIT, BatchWrite, LedgerRow

Row = tuple[Any, ...]

#: What `customers_from_rows` reads, in its order.
CUSTOMER_COLUMNS = (
    "id, external_id, email, name, email_consent, sms_consent, attributes, "
    "order_count, amount_spent, first_order_at, last_order_at, profile_at, phone, "
    "review_count, referral_count, billing_cycles, points_earned"
)
#: What `orders_from_rows` reads, in its order.
ORDER_COLUMNS = (
    "customer_id, external_id, total, currency, refunded, full_refund, cancelled, status_rank, counted_at, points_rate"
)

#: The columns `customer_rows` writes, in its order, with their PostgreSQL types.
CUSTOMER_TYPES = (
    ("email", "text"),
    ("name", "text"),
    ("email_consent", "boolean"),
    ("sms_consent", "boolean"),
    ("attributes", "text"),
    ("order_count", "int"),
    ("amount_spent", "bigint"),
    ("first_order_at", "timestamptz"),
    ("last_order_at", "timestamptz"),
    ("profile_at", "timestamptz"),
    ("updated_at", "timestamptz"),
    ("phone", "text"),
    ("review_count", "int"),
    ("referral_count", "int"),
    ("billing_cycles", "int"),
)
CUSTOMER_TYPES_EARNING = (*CUSTOMER_TYPES, ("points_earned", "bigint"))
#: What a new customer's row holds before its CUSTOMER_TYPES values.
NEW_CUSTOMER_KEYS = ("id", "store_id", "external_id", "created_at")
PROFILE = frozenset({"email", "name", "email_consent", "sms_consent", "attributes", "profile_at", "phone"})
#: What an order or an activity changes of a customer: the columns but the profile.
COUNTS = tuple(t for t in CUSTOMER_TYPES if t[0] not in PROFILE)
COUNTS_EARNING = (*COUNTS, ("points_earned", "bigint"))
#: The columns `order_rows` writes, in its order, with their PostgreSQL types.
ORDER_TYPES = (
    ("total", "bigint"),
    ("currency", "text"),
    ("refunded", "bigint"),
    ("full_refund", "boolean"),
    ("cancelled", "boolean"),
    ("status_rank", "smallint"),
    ("counted_at", "timestamptz"),
    ("counts", "boolean"),
    ("updated_at", "timestamptz"),
)
ORDER_TYPES_EARNING = (*ORDER_TYPES, ("points_rate", "int"))
#: What a new order's row holds before its ORDER_TYPES values; a stored one's key after them.
NEW_ORDER_KEYS = ("store_id", "external_id", "customer_id", "created_at")
ORDER_KEY_TYPES = (("store_id", "int"), ("external_id", "text"))


def customers_from_rows(rows: list[Row], from_ts: Callable[[Any], datetime | None]) -> dict[str, CustomerState]:
    return {
        r[1]: CustomerState(
            r[0],
            r[1],
            tuple_new(Aggregates, (r[7], r[8], from_ts(r[9]), from_ts(r[10]), r[13], r[14], r[15], r[16])),
            r[2],
            r[3],
            bool(r[4]),
            bool(r[5]),
            orjson.loads(r[6]) if r[6] != "{}" else {},
            from_ts(r[11]),
            r[12],
        )
        for r in rows
    }


def orders_from_rows(rows: list[Row], from_ts: Callable[[Any], datetime | None]) -> dict[str, OrderSlot]:
    return {
        r[1]: OrderSlot(
            r[0],
            tuple_new(OrderState, (r[2], r[3], r[4], bool(r[5]), bool(r[6]), r[7], from_ts(r[8]), r[9])),
            stored=True,
        )
        for r in rows
    }


#: The columns `event_rows` writes, in its order.
EVENT_COLUMNS = (
    "store_id",
    "source",
    "external_id",
    "type",
    "customer_id",
    "order_id",
    "occurred_at",
    "received_at",
    "payload",
)
#: The columns `firing_rows` writes, in its order.
FIRING_COLUMNS = (
    "id",
    "store_id",
    "rule_id",
    "rule_version",
    "customer_id",
    "occurrence",
    "value",
    "order_id",
    "event_key",
    "fired_at",
    "actions",
)
#: What credit and points entries have in common, after their amount.
ENTRY_COLUMNS = ("reason", "firing_id", "order_id", "note", "idempotency_key", "actor", "created_at")
#: The columns `ledger_rows` writes, in its order: credit entries, and points entries.
CREDIT_COLUMNS = ("store_id", "customer_id", "amount", "currency", *ENTRY_COLUMNS)
POINTS_COLUMNS = ("store_id", "customer_id", "points", *ENTRY_COLUMNS)


def event_rows(b: BatchWrite, ts: Callable[[datetime | None], Any]) -> list[Row]:
    received, sid = ts(b.now), b.store_id
    return [
        (sid, source, e.key, e.type, cid, getattr(e, "order_id", None), ts(e.occurred_at), received, payload)
        for e, source, cid, payload in b.events
    ]


def customer_rows(
    b: BatchWrite, ts: Callable[[datetime | None], Any], flag: Callable[[Any], Any], dumps: Callable[[Any], str]
) -> tuple[list[Row], list[Row], list[Row]]:
    """The batch's customers: (new ones, those whose profile changed, those whose counts
    alone changed). Their values follow CUSTOMER_TYPES (COUNTS for the last list), after
    id, store, external id and creation time for new ones, before the id for the others."""
    now, earning = ts(b.now), b.earning_points
    new: list[Row] = []
    changed: list[Row] = []
    counted: list[Row] = []
    for c in b.customers:
        agg = c.aggregates
        if not c.is_new and not c.profile_changed:  # most of them: only the counts moved
            counts: Row = (
                agg.order_count,
                agg.amount_spent,
                ts(agg.first_order_at),
                ts(agg.last_order_at),
                now,
                agg.review_count,
                agg.referral_count,
                agg.billing_cycles,
            )
            counted.append((*counts, agg.points_earned, c.id) if earning else (*counts, c.id))
            continue
        values: Row = (
            c.email,
            c.name,
            flag(c.email_consent),
            flag(c.sms_consent),
            dumps(c.attributes) if c.attributes else "{}",
            agg.order_count,
            agg.amount_spent,
            ts(agg.first_order_at),
            ts(agg.last_order_at),
            ts(c.profile_at),
            now,
            c.phone,
            agg.review_count,
            agg.referral_count,
            agg.billing_cycles,
        )
        if earning:
            values = (*values, agg.points_earned)
        if c.is_new:
            new.append((c.id, b.store_id, c.external_id, now, *values))
        else:
            changed.append((*values, c.id))
    return new, changed, counted


def order_rows(
    b: BatchWrite, ts: Callable[[datetime | None], Any], flag: Callable[[Any], Any]
) -> tuple[list[Row], list[Row]]:
    """The batch's changed orders: (new ones, stored ones)."""
    now, earning, rank = ts(b.now), b.earning_points, b.counting_rank
    inserts: list[Row] = []
    updates: list[Row] = []
    for external_id, slot in b.orders:
        s = slot.state
        values: Row = (
            s.total,
            s.currency,
            s.refunded,
            flag(s.full_refund),
            flag(s.cancelled),
            s.rank,
            ts(s.counted_at),
            flag(s.counts(rank)),
            now,
        )
        if earning:
            values = (*values, s.points_rate)
        if slot.stored:
            updates.append((*values, b.store_id, external_id))
        else:
            inserts.append((b.store_id, external_id, slot.customer_id, now, *values))
    return inserts, updates


def firing_rows(b: BatchWrite, now: Any) -> list[Row]:
    sid = b.store_id
    return [
        (
            f.id,
            sid,
            f.rule_id,
            f.rule_version,
            f.customer_id,
            f.occurrence,
            f.value,
            f.order_id,
            f.event_key,
            now,
            f.actions,
        )
        for f in b.firings
    ]


def ledger_rows(store_id: int, rows: list[LedgerRow], created: Any) -> tuple[list[Row], list[Row]]:
    """Ledger rows for their unit's table: (credit entries, points entries)."""
    credit: list[Row] = []
    points: list[Row] = []
    for r in rows:
        entry = (r.reason, r.firing_id, r.order_id, r.note, r.idempotency_key, r.actor, created)
        if r.unit == POINTS_UNIT:
            points.append((store_id, r.customer_id, r.amount, *entry))
        else:
            credit.append((store_id, r.customer_id, r.amount, r.unit, *entry))
    return credit, points
