"""Reviews and custom events: stored with their payload, the customer created, nothing counted or fired."""

from __future__ import annotations

import orjson
import sqlalchemy as sa

from milepost import Milepost
from milepost.adapters.storage import tables as t

REVIEW = {"id": "rev-1", "type": "review.created", "customer_id": "c1", "product_id": "p-9", "rating": 5}
CUSTOM = {
    "id": "cus-1",
    "type": "custom",
    "customer_id": "c2",
    "name": "Wishlist Shared",
    "properties": {"items": ["p-1", "p-2"], "channel": "email"},
    "occurred_at": "2026-02-01T10:00:00Z",
}


def stored_events(mp: Milepost, store: str) -> dict[str, tuple]:
    """Each event the store was sent, by id: (type, order_id, payload)."""
    e = t.events
    query = sa.select(e.c.external_id, e.c.type, e.c.order_id, e.c.payload).where(
        e.c.store_id == mp.stores.get(store).id, e.c.source != "milepost"
    )
    with mp.db.engine.connect() as conn:
        return {r.external_id: (r.type, r.order_id, orjson.loads(r.payload)) for r in conn.execute(query)}


def test_a_review_and_a_custom_event_are_stored_and_create_their_customers(mp: Milepost, store: str) -> None:
    mp.order_count_events.create(store, count=1, name="First order", actions=[{"type": "alert"}])

    result = mp.ingest(store, [REVIEW, CUSTOM])

    assert (result.accepted, result.duplicates, result.rejected) == (2, 0, ())
    assert all(not r.milestones for r in result.results)
    events = stored_events(mp, store)
    assert events["rev-1"] == ("review.created", None, REVIEW)
    assert events["cus-1"] == ("custom", None, CUSTOM)
    for customer in ("c1", "c2"):
        report = mp.customers.get(store, customer)
        assert (report.order_count, report.amount_spent, report.milestones) == (0, 0, ())
    assert mp.alerts.list(store) == []


def test_resending_them_is_a_duplicate_and_a_changed_one_a_conflict_neither_changes_anything(
    mp: Milepost, store: str
) -> None:
    mp.ingest(store, [REVIEW, CUSTOM])

    again = mp.ingest(store, [REVIEW, {**CUSTOM, "name": "Changed"}])

    assert (again.accepted, again.duplicates, len(again.conflicts)) == (0, 1, 1)
    assert stored_events(mp, store)["cus-1"][2]["name"] == "Wishlist Shared"


def test_they_mix_with_orders_in_one_batch_and_leave_the_profile_alone(mp: Milepost, store: str) -> None:
    profile = {"id": "p1", "type": "customer.updated", "customer_id": "c1", "name": "Ada", "email": "ada@example.com"}
    paid = {"id": "o1", "type": "order.paid", "customer_id": "c1", "order_id": "o-1", "total": 1500}

    mp.ingest(store, [profile, REVIEW, {**CUSTOM, "customer_id": "c1"}, paid])

    report = mp.customers.get(store, "c1")
    assert (report.name, report.email, report.order_count, report.amount_spent) == (
        "Ada",
        "ada@example.com",
        1,
        1500,
    )
    assert sorted(stored_events(mp, store)) == ["cus-1", "o1", "p1", "rev-1"]
