"""Segments through the Python API, on every backend: their members found by the database
from the stored history, as of now; each kind of filter; groups as alternatives; static
snapshots; a preview before saving; and the refusals."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
import sqlalchemy as sa
from milepost_kit import key, paid

from milepost import Milepost
from milepost.adapters.storage import tables as t
from milepost.domain.segments import FIRST_REDEMPTION
from milepost.errors import Conflict, NotFound, ValidationError


def ingest(mp: Milepost, store: str, *events: dict) -> None:
    result = mp.ingest(store, list(events))
    assert result.accepted == len(events), result.rejected


def custom(customer: str, name: str, at: str | None = None, **properties) -> dict:
    raw = {"id": key(), "type": "custom", "customer_id": customer, "name": name, "properties": properties}
    return raw | ({"occurred_at": at} if at else {})


def created(customer: str, **profile) -> dict:
    return {"id": key(), "type": "customer.created", "customer_id": customer, **profile}


def internal(mp: Milepost, store: str, customer: str, name: str, **payload) -> None:
    """An event Milepost records of itself (source 'milepost', its name as the type)."""
    store_id = mp.stores.get(store).id
    now = mp.clock()
    with mp.db.engine.begin() as conn:
        cid = conn.execute(
            sa.select(t.customers.c.id).where(t.customers.c.store_id == store_id, t.customers.c.external_id == customer)
        ).scalar_one()
        row = {"store_id": store_id, "source": "milepost", "external_id": key(), "type": name, "customer_id": cid}
        conn.execute(
            t.events.insert().values(**row, occurred_at=now, received_at=now, payload=orjson.dumps(payload).decode())
        )


def ids(members) -> list[str]:
    return [m.external_id for m in members]


def event(name: str, condition: str = "more_than", value: int = 0, **kw) -> dict:
    return {"type": "event", "event": name, "metric": "has_occurred", "condition": condition, "value": value} | kw


def test_the_example_that_ships_new_customers_who_just_made_their_first_redemption(mp, store):
    # Given: ana signed up and redeemed once, bo signed up and redeemed twice, cy only signed up
    ingest(mp, store, created("ana", name="Ana", email="ana@example.com"), created("bo"), created("cy"))
    internal(mp, store, "ana", "redemption.succeeded", code="A1")
    internal(mp, store, "bo", "redemption.succeeded", code="B1")
    internal(mp, store, "bo", "redemption.succeeded", code="B2")

    # When
    segment = mp.segments.create(store, FIRST_REDEMPTION)

    # Then
    assert (segment.kind, mp.segments.size(store, segment.key)) == ("auto", 1)
    [member] = mp.segments.members(store, segment.key)
    assert (member.external_id, member.name, member.email) == ("ana", "Ana", "ana@example.com")


def test_a_segment_is_created_listed_changed_and_deleted(mp, store):
    ingest(mp, store, custom("a", "cart_abandoned"), custom("b", "wishlist"))
    made = mp.segments.create(store, {"key": "carts", "name": "Abandoned carts", "filters": [event("cart_abandoned")]})

    assert [s.key for s in mp.segments.list(store)] == ["carts"] and made.created_at is not None
    with pytest.raises(Conflict):
        mp.segments.create(store, {"key": "carts", "name": "Again", "filters": [event("x")]})
    changed = mp.segments.update(store, "carts", {"name": "Wishers", "filters": [event("wishlist")]})
    assert changed.name == "Wishers" and mp.segments.get(store, "carts") == changed
    assert ids(mp.segments.members(store, "carts")) == ["b"]
    with pytest.raises(ValidationError) as caught:
        mp.segments.update(store, "carts", {"kind": "static"})
    assert caught.value.problems == {"kind": "cannot be changed"}
    mp.segments.delete(store, "carts")
    assert mp.segments.list(store) == []
    with pytest.raises(NotFound):
        mp.segments.members(store, "carts")


def test_an_event_filter_counts_within_days_compares_properties_and_reads_days_since_the_last(mp, store, clock):
    # Given: now is 2026-03-01 12:00 UTC
    ingest(
        mp,
        store,
        custom("old", "cart_abandoned", "2026-02-01T12:00:00Z", value=80),  # 28 days ago
        custom("new", "cart_abandoned", "2026-02-27T12:00:00Z", value=80),  # 2 days ago
        custom("small", "cart_abandoned", "2026-02-28T12:00:00Z", value=20),  # 1 day ago
        custom("small", "cart_abandoned", "2026-02-28T13:00:00Z", value="90"),  # a text, not a number
    )
    big = [{"property": "properties.value", "op": ">", "value": 50}]

    def members(*filters: dict) -> list[str]:
        return ids(mp.segments.preview(store, {"filters": list(filters)}).members)

    assert members(event("cart_abandoned", where=big)) == ["new", "old"]
    assert members(event("cart_abandoned", within_days=7)) == ["new", "small"]
    assert members(event("cart_abandoned", "exactly", 2)) == ["small"]
    assert members(event("cart_abandoned", "less_than", 2)) == ["new", "old"]
    last = {"type": "event", "event": "cart_abandoned", "metric": "last_occurred"}
    assert members(last | {"condition": "more_than", "value": 7}) == ["old"]
    assert members(last | {"condition": "exactly", "value": 2}) == ["new"]
    assert members(last | {"condition": "less_than", "value": 2}) == ["small"]
    # time alone moves them: six days on, "new" too was last seen more than 7 days ago
    clock.advance(timedelta(days=6))
    assert members(last | {"condition": "more_than", "value": 7}) == ["new", "old"]


def test_tags_attributes_metrics_and_milestones(mp, store):
    ingest(
        mp,
        store,
        created("ada", attributes={"city": "Paris", "plan": "pro", "age": 41, "vip": True, "joined": "2025-05-01"}),
        created("bob", attributes={"city": "Lyon", "age": 29, "vip": False}),
        created("cyd", attributes={"city": ""}),
        paid("ada", "o1", 5000),
        paid("ada", "o2", 5000),
    )
    program = mp.programs.create(
        store, name="Second order", metric="order_count", threshold=2, actions=[{"type": "alert"}]
    )
    ingest(mp, store, paid("bob", "o3", 100), paid("bob", "o4", 100))  # bob reaches it after it exists
    mp.customers.tag(store, "bob", add=["vip"])

    def members(f: dict) -> list[str]:
        return ids(mp.segments.preview(store, {"filters": [f]}).members)

    attr = {"type": "attribute", "attribute": "city"}
    assert members(attr | {"op": "=", "value": "Paris"}) == ["ada"]
    assert members(attr | {"op": "!=", "value": "Paris"}) == ["bob", "cyd"]
    assert members(attr | {"op": "contains", "value": "ar"}) == ["ada"]
    assert members(attr | {"op": "is_set"}) == ["ada", "bob"]  # an empty text is not set
    assert members({"type": "attribute", "attribute": "age", "op": ">", "value": 30}) == ["ada"]
    assert members({"type": "attribute", "attribute": "age", "op": "<", "value": 30}) == ["bob"]
    assert members({"type": "attribute", "attribute": "vip", "op": "=", "value": True}) == ["ada"]
    assert members({"type": "attribute", "attribute": "joined", "op": "<", "value": "2026-01-01"}) == ["ada"]
    assert members({"type": "tag", "op": "has", "tag": "vip"}) == ["bob"]
    assert members({"type": "tag", "op": "lacks", "tag": "vip"}) == ["ada", "cyd"]
    assert members({"type": "metric", "metric": "amount_spent", "condition": "more_than", "value": 1000}) == ["ada"]
    assert members({"type": "metric", "metric": "order_count", "condition": "exactly", "value": 0}) == ["cyd"]
    reached = {"type": "milestone", "program": program.rule.id}
    assert members(reached) == ["bob"]
    assert members(reached | {"reached": False}) == ["ada", "cyd"]


def test_an_aggregate_filter_reads_the_value_as_of_today(mp, store):
    mp.aggregates.create(store, "orders_30d", name="Orders, 30 days", source="orders", window_days=30)
    mp.aggregates.create(store, "spent_30d", name="Spent, 30 days", source="orders", function="sum", window_days=30)
    ingest(
        mp,
        store,
        paid("a", "a1", 700, at="2026-02-20T12:00:00Z"),
        paid("a", "a2", 700, at="2026-02-21T12:00:00Z"),
        paid("b", "b1", 9000, at="2026-02-25T12:00:00Z"),
        paid("c", "c1", 100, at="2026-01-01T12:00:00Z"),  # outside the window
        paid("d", "d1", 100, at="2026-03-01T11:00:00Z"),  # today: not yet counted
    )

    def members(f: dict) -> list[str]:
        return ids(mp.segments.preview(store, {"filters": [f]}).members)

    assert members({"type": "aggregate", "aggregate": "orders_30d", "condition": "more_than", "value": 1}) == ["a"]
    assert members({"type": "aggregate", "aggregate": "spent_30d", "condition": "more_than", "value": 5000}) == ["b"]
    assert members({"type": "aggregate", "aggregate": "orders_30d", "condition": "exactly", "value": 0}) == ["c", "d"]


def test_groups_are_alternatives_and_a_segment_may_name_another(mp, store):
    ingest(mp, store, custom("a", "cart_abandoned"), custom("b", "wishlist"), custom("c", "other"))
    mp.customers.tag(store, "c", add=["vip"])
    mp.segments.create(store, {"key": "carts", "name": "Carts", "filters": [event("cart_abandoned")]})
    groups = [
        {"filters": [{"type": "segment", "segment": "carts"}]},
        {"filters": [event("wishlist")]},
    ]
    either = mp.segments.create(store, {"key": "either", "name": "Carts or wishes", "groups": groups})

    assert ids(mp.segments.members(store, "either")) == ["a", "b"]
    outside = [{"type": "segment", "segment": "either", "member": False}]
    assert ids(mp.segments.preview(store, {"filters": outside}).members) == ["c"]
    assert either.refers_to() == {"carts"}
    with pytest.raises(Conflict, match="named by the segments 'either'"):
        mp.segments.delete(store, "carts")
    with pytest.raises(ValidationError) as caught:  # carts → either → carts
        mp.segments.update(store, "carts", {"filters": [{"type": "segment", "segment": "either"}]})
    assert caught.value.problems == {"filters[0].segment": "refers back to this segment (carts → either → carts)"}


def test_a_static_segment_keeps_the_members_it_had_when_created(mp, store):
    ingest(mp, store, custom("a", "cart_abandoned"))
    mp.segments.create(
        store, {"key": "then", "name": "Carts then", "kind": "static", "filters": [event("cart_abandoned")]}
    )
    mp.segments.create(store, {"key": "now", "name": "Carts now", "filters": [event("cart_abandoned")]})

    ingest(mp, store, custom("b", "cart_abandoned"))

    assert ids(mp.segments.members(store, "then")) == ["a"]
    assert ids(mp.segments.members(store, "now")) == ["a", "b"]
    assert ids(mp.segments.preview(store, {"filters": [{"type": "segment", "segment": "then"}]}).members) == ["a"]
    assert (mp.segments.size(store, "then"), mp.segments.size(store, "now")) == (1, 2)


def test_members_come_in_pages_and_the_preview_counts_them_all(mp, store):
    ingest(mp, store, *[custom(f"c{i:02}", "seen") for i in range(12)])
    mp.segments.create(store, {"key": "seen", "name": "Seen", "filters": [event("seen")]})

    first = mp.segments.members(store, "seen", limit=5)
    second = mp.segments.members(store, "seen", after=first[-1].external_id, limit=10)

    assert ids(first) + ids(second) == [f"c{i:02}" for i in range(12)]
    preview = mp.segments.preview(store, {"filters": [event("seen")]}, limit=3)
    assert (preview.size, ids(preview.members)) == (12, ["c00", "c01", "c02"])
    assert mp.segments.list(store)[0].key == "seen"  # a preview saves nothing
    assert len(mp.segments.list(store)) == 1


def test_what_a_definition_names_must_exist_in_the_store(mp, store):
    other = f"o-{key()}"
    mp.stores.create(other, "Other", currency="USD", timezone="UTC")
    mp.segments.create(other, {"key": "theirs", "name": "Theirs", "filters": [event("x")]})
    mp.aggregates.create(other, "agg", name="Agg", source="orders")

    with pytest.raises(ValidationError) as caught:
        mp.segments.create(
            store,
            {
                "key": "mine",
                "name": "Mine",
                "filters": [
                    {"type": "segment", "segment": "theirs"},
                    {"type": "aggregate", "aggregate": "agg", "condition": "exactly", "value": 1},
                    {"type": "milestone", "program": "prg_424242"},
                    event("x", within_days=-1),
                ],
            },
        )

    assert set(caught.value.problems) == {
        "filters[0].segment",
        "filters[1].aggregate",
        "filters[2].program",
        "filters[3].within_days",
    }
    with pytest.raises(NotFound):
        mp.segments.get(store, "theirs")
