"""Milepost's own events: what it did, recorded in the same event store as what it was
told, in the same transaction, so automations (an event trigger), aggregates, webhook
subscriptions and a customer's history use them like any other event.

Each is a row of `events` with source 'milepost', its type the internal name
(`INTERNAL_EVENTS`), its payload `{"type": name, "data": {...}}` (the body a
subscribed webhook endpoint receives too) and an id derived from what it describes
(`order.paid:<order id>`, `<milestone key>:customer.rewarded`, ...): deriving it again
(a replayed or duplicated event, a retried batch) writes nothing twice.

- `of_batch`: what an ingest batch's own events did: customers first seen or changed,
  orders created, counted (paid), cancelled or refunded;
- `emit`: what a firing did (service/effects.py, service/clawback.py): one event, and
  one message per subscribed endpoint;
- `raise_alert`: an alert raised outside a firing (an empty pool, a dead letter), and
  its `alert.created`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from hashlib import sha256
from typing import Any, Protocol

import orjson

from milepost.domain.construct import Applied, OrderSlot
from milepost.domain.events import CustomerEvent, OrderEvent
from milepost.domain.ids import format_id
from milepost.domain.records import CustomerState
from milepost.service.ports import AlertsTx, BatchWrite, InternalEventRow, InternalEventsTx, OutboxRow

_CUSTOMER = "store, customer {id, email, name}"
_ORDER = f"{_CUSTOMER}, order {{id, total, currency, refunded, cancelled, counted_at}}"
_MILESTONE = "milestone {id, name, program_id, order_count_event_id, metric, version, count, occurrence}"
_FIRING = f"{_CUSTOMER}, {_MILESTONE}, order_id"
_CODE = f"{_FIRING}, code, discount, expires_at"
_RESERVED = "reserved: emitted by segments and distributions"

#: Every internal event: what it says, and the fields of its `data` (docs/reference/events.md
#: gives each in full). The segment and distribution events are reserved.
INTERNAL_EVENTS: dict[str, tuple[str, str]] = {
    "customer.created": ("Milepost saw the customer for the first time", f"{_CUSTOMER}, attributes"),
    "customer.updated": ("the customer's profile, consents or attributes changed", f"{_CUSTOMER}, changed [field]"),
    "customer.deleted": ("the customer was deleted", "reserved: Milepost deletes no customer yet"),
    "order.created": ("Milepost saw the order for the first time", _ORDER),
    "order.paid": ("the order reached the store's counting status", _ORDER),
    "order.canceled": ("the order was cancelled", _ORDER),
    "order.updated": ("the order was refunded, in part or in full", f"{_ORDER}, refund {{amount, full}}"),
    "milestone.reached": ("a program, order count event or automation fired for the customer", _FIRING),
    "customer.rewarded": ("a firing gave the customer credit, points or a code", f"{_FIRING}, reward {{type, ...}}"),
    "reward.issued": ("a firing issued a discount code", _CODE),
    "reward.clawed_back": ("a refund or cancellation took a milestone's rewards back", f"{_FIRING}, clawed back"),
    "coupon.assigned": ("a code from a promotion pool was assigned to the customer", f"{_CODE}, pool"),
    "redemption.succeeded": (
        "a code was redeemed at checkout",
        "store, code, customer {id}, order_id, discount, redeemed_at",
    ),
    "redemption.failed": ("a code was refused at checkout", "store, code, customer {id}, order_id, status, reason"),
    "alert.created": (
        "an alert was raised for the store's operators",
        "alert {id, message, assignee}, customer (and a firing's fields when a firing raised it)",
    ),
    "delivery.failed": (
        "the relay gave a message (email, SMS, webhook) up",
        "delivery {id, channel, key, attempts, why, error, endpoint_id, milestone_id}",
    ),
    "customer.segment.entered": ("the customer entered a segment", _RESERVED),
    "customer.segment.left": ("the customer left a segment", _RESERVED),
    "distribution.email.sent": ("a distribution's email was sent", _RESERVED),
    "distribution.email.failed": ("a distribution's email failed", _RESERVED),
    "distribution.sms.sent": ("a distribution's text was sent", _RESERVED),
    "distribution.sms.failed": ("a distribution's text failed", _RESERVED),
    "distribution.webhook.sent": ("a distribution's webhook was sent", _RESERVED),
    "distribution.webhook.failed": ("a distribution's webhook failed", _RESERVED),
}
MAX_KEY = 200


def event_key(key: str) -> str:
    """An internal event's id from what it describes (`order.paid:<order id>`); a long one
    hashed to fit the column, after its name."""
    if len(key) <= MAX_KEY:
        return key
    return f"{key.partition(':')[0]}:{sha256(key.encode()).hexdigest()}"


def customer_data(store_key: str, c: CustomerState) -> dict[str, Any]:
    return {"store": store_key, "customer": {"id": c.external_id, "email": c.email, "name": c.name}}


def of_batch(
    store_key: str,
    source: str,
    applied: Sequence[Applied],
    customers: Mapping[str, CustomerState],
    orders: Mapping[str, OrderSlot],
    counted_before: set[str],
) -> list[InternalEventRow]:
    """What the batch's events did to customers and orders, as internal events."""
    found: list[InternalEventRow] = []
    first: dict[int, Applied] = {}
    for a in applied:
        first.setdefault(a.customer.id, a)
    for c in customers.values():
        if c.is_new and c.id in first:
            when = first[c.id].event.occurred_at
            found.append(
                InternalEventRow(
                    "customer.created",
                    event_key(f"customer.created:{c.external_id}"),
                    c.id,
                    when,
                    {**customer_data(store_key, c), "attributes": c.attributes},
                )
            )
    seen_orders: dict[str, CustomerState] = {}  # the batch's orders, and their customer
    for a in applied:
        e, c = a.event, a.customer
        if isinstance(e, CustomerEvent) and not c.is_new and e.profile:
            data = {**customer_data(store_key, c), "changed": sorted(name for name, _ in e.profile)}
            found.append(_row("customer.updated", (source, e.key), c.id, e.occurred_at, data))
        elif isinstance(e, OrderEvent):
            found.extend(_order_events(store_key, source, a, e, orders[e.order_id], e.order_id not in seen_orders))
            seen_orders[e.order_id] = c
    for oid, c in seen_orders.items():  # reached the counting status in this batch
        slot = orders[oid]
        if slot.state.counted_at is not None and oid not in counted_before:
            data = {**customer_data(store_key, c), "order": _order(oid, slot)}
            found.append(
                InternalEventRow("order.paid", event_key(f"order.paid:{oid}"), c.id, slot.state.counted_at, data, oid)
            )
    return found


def _order_events(
    store_key: str, source: str, a: Applied, e: OrderEvent, slot: OrderSlot, first_in_batch: bool
) -> Iterable[InternalEventRow]:
    created = first_in_batch and not slot.stored
    if not created and e.type not in ("order.cancelled", "order.refunded"):
        return  # most of them: an order seen before, paid or completed (order.paid comes after)
    data = {**customer_data(store_key, a.customer), "order": _order(e.order_id, slot)}
    if created:
        yield InternalEventRow(
            "order.created", event_key(f"order.created:{e.order_id}"), a.customer.id, e.occurred_at, data, e.order_id
        )
    if e.type == "order.cancelled":
        yield InternalEventRow(
            "order.canceled", event_key(f"order.canceled:{e.order_id}"), a.customer.id, e.occurred_at, data, e.order_id
        )
    elif e.type == "order.refunded":
        refund = {"amount": e.refund_amount, "full": e.refund_amount is None}
        yield _row(
            "order.updated", (source, e.key), a.customer.id, e.occurred_at, {**data, "refund": refund}, e.order_id
        )


def _row(
    name: str,
    about: tuple[str, str],
    customer_id: int,
    when: datetime,
    data: dict[str, Any],
    order_id: str | None = None,
) -> InternalEventRow:
    return InternalEventRow(name, event_key(f"{name}:{about[0]}:{about[1]}"), customer_id, when, data, order_id)


def _order(order_id: str, slot: OrderSlot) -> dict[str, Any]:
    s = slot.state
    return {
        "id": order_id,
        "total": s.total,
        "currency": s.currency,
        "refunded": s.refunded,
        "cancelled": s.cancelled,
        "counted_at": s.counted_at,
    }


def emit(
    batch: BatchWrite,
    wanted: dict[str, list[int]],
    kind: str,
    key: str,
    who: tuple[int, int | None],
    data: dict[str, Any],
) -> None:
    """The internal event `kind` about `key` (a firing's action), with its messages
    (`record`); `who` is the customer and the firing."""
    row = InternalEventRow(kind, event_key(f"{key}:{kind}"), who[0], batch.now, data, data.get("order_id"))
    record(batch, wanted, row, who[1])


def record(
    batch: BatchWrite, wanted: dict[str, list[int]], row: InternalEventRow, firing_id: int | None = None
) -> None:
    """An internal event in the batch, and one message of it for each endpoint subscribed
    to it (`wanted`, from service/effects.py `subscribers`), keyed `<event id>:<endpoint id>`."""
    batch.internal.append(row)
    endpoints = wanted.get(row.name, ())
    body = orjson.dumps({"type": row.name, "data": row.data}, default=str).decode() if endpoints else ""
    for endpoint_id in endpoints:
        batch.outbox.append(
            OutboxRow(f"{row.key}:{endpoint_id}", "webhook", row.customer_id, firing_id, body, endpoint_id)
        )


class AlertTx(AlertsTx, InternalEventsTx, Protocol):
    """Raising an alert and recording it."""


def raise_alert(
    tx: AlertTx,
    store_id: int,
    message: str,
    now: datetime,
    *,
    dedupe_key: str | None = None,
    customer: tuple[int, str | None] | None = None,
    firing_id: int | None = None,
) -> int | None:
    """An alert outside a firing's actions (`tx.raise_alert`), and its `alert.created`
    when it is new; `customer`: their id and the store's id of them (None when the caller
    does not have it: the event then names no customer in its data)."""
    customer_id = customer[0] if customer else None
    alert_id = tx.raise_alert(
        store_id, message, now, dedupe_key=dedupe_key, customer_id=customer_id, firing_id=firing_id
    )
    if alert_id is not None:
        alert = {"id": format_id("alert", alert_id), "message": message, "assignee": None}
        data = {"customer": {"id": customer[1]} if customer and customer[1] else None, "alert": alert}
        tx.insert_internal_events(
            store_id, [InternalEventRow("alert.created", event_key(f"alert:{alert_id}"), customer_id, now, data)], now
        )
    return alert_id
