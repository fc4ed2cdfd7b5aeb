"""Small builders and probes shared by the integration tests."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from milepost import Milepost
from milepost.adapters.storage import tables as t
from milepost.config import Settings


def key() -> str:
    return uuid.uuid4().hex


def order_event(
    kind: str,
    customer: str,
    order: str,
    total: int | None = 1000,
    *,
    id: str | None = None,
    at: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    raw: dict[str, Any] = {"id": id or key(), "type": f"order.{kind}", "customer_id": customer, "order_id": order}
    if total is not None and kind not in ("refunded", "cancelled"):
        raw["total"], raw["currency"] = total, "USD"
    if at is not None:
        raw["occurred_at"] = at
    raw.update(extra)
    return raw


def paid(customer: str, order: str, total: int = 1000, **kw: Any) -> dict[str, Any]:
    return order_event("paid", customer, order, total, **kw)


def refunded(customer: str, order: str, amount: int | None = None, **kw: Any) -> dict[str, Any]:
    extra = {"refund_amount": amount} if amount is not None else {}
    return order_event("refunded", customer, order, None, **kw, **extra)


def cancelled(customer: str, order: str, **kw: Any) -> dict[str, Any]:
    return order_event("cancelled", customer, order, None, **kw)


def orders(customer: str, n: int, start: int = 0, total: int = 1000) -> list[dict[str, Any]]:
    """`n` paid orders for `customer`, numbered from `start`."""
    return [paid(customer, f"{customer}-o{i}", total) for i in range(start, start + n)]


def buy(mp: Milepost, store: str, customer: str, n: int, start: int = 0, total: int = 1000):
    result = mp.ingest(store, orders(customer, n, start, total))
    assert result.accepted == n, result.rejected
    return result


def rule(
    mp: Milepost,
    store: str,
    count: int,
    *actions: dict[str, Any],
    name: str | None = None,
    conditions: list[dict[str, Any]] | None = None,
    active: bool = True,
) -> int:
    actions = actions or ({"type": "add_tag", "tag": f"reached-{count}"},)
    details = mp.order_count_events.create(
        store, count=count, name=name or f"{count} orders", actions=list(actions), conditions=conditions, active=active
    )
    return details.rule.id


def fired(mp: Milepost, store: str, customer: str) -> list[tuple[int, int]]:
    """(rule id, value) of every milestone the customer reached, oldest first."""
    return [(m.rule_id, m.value) for m in mp.customers.get(store, customer).milestones]


def count_rows(mp: Milepost, store: str, table: sa.Table) -> int:
    """The store's rows of `table`; of `events`, those it was sent (not Milepost's own)."""
    store_id = mp.stores.get(store).id
    query = sa.select(sa.func.count()).select_from(table).where(table.c.store_id == store_id)
    if table is t.events:
        query = query.where(table.c.source != "milepost")
    with mp.db.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def store_counts(mp: Milepost, store: str) -> dict[str, int]:
    """How many rows the store has in every table that ingest writes."""
    tables = (t.events, t.customers, t.orders, t.firings, t.credit_ledger, t.alerts, t.outbox, t.workflow_runs)
    counts = {tbl.name: count_rows(mp, store, tbl) for tbl in tables}
    store_id = mp.stores.get(store).id
    with mp.db.engine.connect() as conn:
        counts["customer_tags"] = conn.execute(
            sa.select(sa.func.count())
            .select_from(t.customer_tags.join(t.customers, t.customers.c.id == t.customer_tags.c.customer_id))
            .where(t.customers.c.store_id == store_id)
        ).scalar_one()
    return counts


def firing_pairs(mp: Milepost, store: str) -> list[tuple[int, str, int, int]]:
    """(rule id, customer id, value, rule version) of every firing in the store, straight from the table."""
    store_id = mp.stores.get(store).id
    f, c = t.firings, t.customers
    q = (
        sa.select(f.c.rule_id, c.c.external_id, f.c.value, f.c.rule_version)
        .join(c, c.c.id == f.c.customer_id)
        .where(f.c.store_id == store_id)
        .order_by(f.c.id)
    )
    with mp.db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(q)]


def drain(mp: Milepost, store: str, **changes: Any) -> int:
    """Deliver everything the store's outbox holds, to private addresses too, without
    jitter; the messages delivered."""
    settings = Settings(**{"webhooks_allow_private": True, "delivery_jitter": 0, "delivery_concurrency": 4, **changes})
    worker = mp.worker(settings=settings, stores=[store])
    try:
        worker.drain()
        return worker.delivered
    finally:
        worker.close()
