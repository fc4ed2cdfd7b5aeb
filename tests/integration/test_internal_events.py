"""Milepost's own events, in the event store with the events it was sent: recorded once
in the transaction of what they describe, in a customer's history and the catalogue,
starting event automations, and a chain of automations cut at five generations."""

from __future__ import annotations

import uuid
from collections import Counter

import orjson
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milepost import Milepost
from milepost.adapters.storage import tables as t


def internal_events(mp: Milepost, store: str) -> dict[str, tuple[str, dict]]:
    """Each internal event of the store by id: (type, data)."""
    e = t.events
    query = sa.select(e.c.external_id, e.c.type, e.c.payload).where(
        e.c.store_id == mp.stores.get(store).id, e.c.source == "milepost"
    )
    with mp.db.engine.connect() as conn:
        rows = list(conn.execute(query))
    found = {r.external_id: (r.type, orjson.loads(r.payload)) for r in rows}
    assert len(found) == len(rows)
    assert all(payload["type"] == kind for kind, payload in found.values())
    return {key: (kind, payload["data"]) for key, (kind, payload) in found.items()}


def kinds(mp: Milepost, store: str) -> Counter[str]:
    return Counter(kind for kind, _ in internal_events(mp, store).values())


def automation(mp: Milepost, store: str, key: str, name: str, event: str, action: dict) -> None:
    """An automation on the event `event` whose one branch does `action`."""
    trigger = {"type": "event", "event": event}
    mp.automations.create(
        store, {"key": key, "name": name, "trigger": trigger, "branches": [{"name": "all", "actions": [action]}]}
    )


def paid(event_id: str, customer: str, order: str, total: int = 2000) -> dict:
    return {"id": event_id, "type": "order.paid", "customer_id": customer, "order_id": order, "total": total}


def test_customers_and_orders_are_recorded_once_with_their_data(mp: Milepost, store: str) -> None:
    batch = [
        paid("e1", "ada", "o1"),
        {"id": "e2", "type": "order.placed", "customer_id": "ada", "order_id": "o2", "total": 900},
    ]
    mp.ingest(store, batch)
    later = [
        {"id": "e3", "type": "customer.updated", "customer_id": "ada", "email": "ada@example.com"},
        {"id": "e4", "type": "order.refunded", "customer_id": "ada", "order_id": "o1", "refund_amount": 500},
        {"id": "e5", "type": "order.cancelled", "customer_id": "ada", "order_id": "o2"},
    ]
    mp.ingest(store, later)
    mp.ingest(store, batch + later)  # sent again: duplicates, nothing more recorded

    found = internal_events(mp, store)
    assert kinds(mp, store) == Counter(
        {
            "customer.created": 1,
            "order.created": 2,
            "order.paid": 1,
            "customer.updated": 1,
            "order.updated": 1,
            "order.canceled": 1,
        }
    )
    _, data = found["order.paid:o1"]
    assert data["customer"] == {"id": "ada", "email": None, "name": None}
    assert data["order"]["id"] == "o1" and data["order"]["total"] == 2000 and data["store"] == store
    assert found["customer.updated:api:e3"][1]["changed"] == ["email"]
    assert found["order.updated:api:e4"][1]["refund"] == {"amount": 500, "full": False}
    assert "order.paid:o2" not in found  # placed, never paid


def test_a_firing_records_what_it_did_and_the_history_and_catalogue_show_it(mp: Milepost, store: str) -> None:
    mp.pools.create(store, "spring", name="Spring", discount={"kind": "percentage", "percent": 10})
    mp.pools.import_codes(store, "spring", ["SPR-1"])
    credit = {"type": "credit", "amount": 500, "currency": "USD"}
    mp.order_count_events.create(
        store, count=1, name="Welcome", actions=[credit, {"type": "pool_code", "pool": "spring"}]
    )

    mp.ingest(store, [paid("e1", "ada", "o1"), {"id": "w1", "type": "custom", "customer_id": "ada", "name": "wish"}])

    counted = kinds(mp, store)
    assert counted["milestone.reached"] == 1
    assert counted["customer.rewarded"] == 2  # the credit and the code
    assert counted["reward.issued"] == 1 and counted["coupon.assigned"] == 1
    [(_, assigned)] = [v for v in internal_events(mp, store).values() if v[0] == "coupon.assigned"]
    assert (assigned["code"], assigned["pool"], assigned["milestone"]["name"]) == ("SPR-1", "spring", "Welcome")
    history = mp.customers.events(store, "ada", limit=50)
    assert {(e.source, e.type) for e in history} >= {("milepost", "coupon.assigned"), ("api", "custom")}
    names = {(n.name, n.internal): n.count for n in mp.events.names(store)}
    assert names[("order.paid", False)] == 1 and names[("order.paid", True)] == 1
    assert names[("wish", False)] == 1 and names[("milestone.reached", True)] == 1
    assert ("custom", False) not in names


def test_a_redemption_is_recorded(mp: Milepost, store: str) -> None:
    mp.order_count_events.create(
        store, count=1, name="Welcome", actions=[{"type": "code", "discount": {"kind": "percentage", "percent": 10}}]
    )
    mp.ingest(store, [paid("e1", "ada", "o1")])
    [code] = mp.codes.list(store, "ada")

    mp.codes.redeem(store, code.code, "ada", order_id="o2", key="k1")
    mp.codes.redeem(store, code.code, "ada", order_id="o2", key="k1")  # asked again: the same redemption

    assert kinds(mp, store)["redemption.succeeded"] == 1


def test_an_automation_starts_on_an_internal_event(mp: Milepost, store: str) -> None:
    automation(mp, store, "big_order", "Big order", "order.created", {"type": "add_tag", "tag": "ordered"})

    mp.ingest(store, [paid("e1", "ada", "o1"), paid("e2", "ada", "o2")])
    mp.ingest(store, [paid("e1", "ada", "o1")])  # a duplicate starts nothing

    rule_id = mp.automations.get(store, "big_order").id
    assert "ordered" in mp.customers.get(store, "ada").tags
    assert [m.rule_id for m in mp.customers.get(store, "ada").milestones].count(rule_id) == 2


def test_an_automation_its_own_events_start_again_stops_at_five_generations_with_an_alert(
    mp: Milepost, store: str
) -> None:
    mp.order_count_events.create(store, count=1, name="First order", actions=[{"type": "add_tag", "tag": "first"}])
    automation(mp, store, "echo", "Echo", "milestone.reached", {"type": "add_tag", "tag": "echoed"})

    mp.ingest(store, [paid("e1", "ada", "o1")])

    rule_id = mp.automations.get(store, "echo").id
    assert [m.rule_id for m in mp.customers.get(store, "ada").milestones].count(rule_id) == 5
    [alert] = [a for a in mp.alerts.list(store) if "generations" in a.message]
    assert "Echo → Echo → Echo → Echo → Echo → Echo" in alert.message and alert.customer_id == "ada"
    assert kinds(mp, store)["alert.created"] == 1

    mp.ingest(store, [paid("e2", "bob", "o2")])  # another loop: the open alert says it already
    assert len([a for a in mp.alerts.list(store) if "generations" in a.message]) == 1


def test_a_pool_automation_on_coupon_assigned_is_cut_too(mp: Milepost, store: str) -> None:
    mp.pools.create(store, "spring", name="Spring", discount={"kind": "percentage", "percent": 10})
    mp.pools.import_codes(store, "spring", [f"SPR-{i}" for i in range(20)])
    mp.order_count_events.create(store, count=1, name="Welcome", actions=[{"type": "pool_code", "pool": "spring"}])
    automation(mp, store, "more", "One more code", "coupon.assigned", {"type": "pool_code", "pool": "spring"})

    mp.ingest(store, [paid("e1", "ada", "o1")])

    assert len(mp.codes.list(store, "ada")) == 6  # the program's, and five generations of the automation's
    assert kinds(mp, store)["coupon.assigned"] == 6


def test_a_name_stores_send_too_starts_an_automation_once(mp: Milepost, store: str) -> None:
    automation(mp, store, "paid", "Paid", "order.paid", {"type": "add_tag", "tag": "paid"})

    mp.ingest(store, [paid("e1", "ada", "o1")])

    rule_id = mp.automations.get(store, "paid").id
    assert [m.rule_id for m in mp.customers.get(store, "ada").milestones].count(rule_id) == 1


EVENTS = st.lists(
    st.tuples(st.sampled_from(["c1", "c2", "c3"]), st.integers(0, 5), st.booleans()), min_size=1, max_size=12
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=EVENTS, order=st.randoms(use_true_random=False), cut=st.integers(1, 6))
def test_any_order_and_duplicates_record_each_internal_event_once(mp: Milepost, events, order, cut) -> None:
    store = mp.stores.create(f"s{uuid.uuid4().hex[:12]}", "Shop").key
    sent = []
    for customer, n, custom in events:
        if custom:
            sent.append({"id": f"w-{customer}-{n}", "type": "custom", "customer_id": customer, "name": "wish"})
        else:
            sent.append(paid(f"p-{customer}-{n}", customer, f"{customer}-o{n}"))
    stream = sent + order.sample(sent, k=len(sent) // 2)  # some sent twice
    order.shuffle(stream)

    for start in range(0, len(stream), cut):
        mp.ingest(store, stream[start : start + cut])

    distinct = {e["id"]: e for e in sent}.values()
    customers = {e["customer_id"] for e in distinct}
    orders = {e["order_id"] for e in distinct if e["type"] == "order.paid"}
    expected = (
        {f"customer.created:{c}" for c in customers}
        | {f"order.created:{o}" for o in orders}
        | {f"order.paid:{o}" for o in orders}
    )
    assert set(internal_events(mp, store)) == expected
    counts = {(n.name, n.internal): n.count for n in mp.events.names(store)}
    assert counts.get(("order.paid", True), 0) == len(orders)
    assert counts.get(("customer.created", True), 0) == len(customers)
    assert counts.get(("wish", False), 0) == sum(1 for e in distinct if e["type"] == "custom")
