"""Clawback over random sequences, on every backend: orders, full refunds, credit and
points spent, clock jumps, under programs with a one-day clawback policy (once and
repeating). Checked against an independent model after every sequence:

- exactly the firings whose crossing order was fully refunded within the policy's days
  (in a later batch, or in the same one) are clawed back, each once;
- what each clawback took plus the debt it recorded is what the firing gave;
- balances never go below zero, and equal the sum of their entries;
- a debt comes with an admin alert naming the firing.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milepost.adapters.storage import tables as t
from milepost.errors import InsufficientBalance

CREDIT, POINTS = 300, 200

steps = st.lists(
    st.one_of(
        st.tuples(st.just("order"), st.sampled_from(["c1", "c2"])),
        st.tuples(st.just("order"), st.sampled_from(["c1", "c2"])),
        st.tuples(st.just("order"), st.sampled_from(["c1", "c2"])),
        st.tuples(st.just("refund"), st.integers(0, 20)),
        st.tuples(st.just("refund"), st.integers(0, 20)),
        st.tuples(st.just("order and refund"), st.sampled_from(["c1", "c2"])),  # in one batch
        st.tuples(st.just("spend credit"), st.sampled_from(["c1", "c2"])),
        st.tuples(st.just("spend points"), st.sampled_from(["c1", "c2"])),
        st.tuples(st.just("wait"), st.sampled_from([6, 20])),  # hours
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, repeating=st.booleans())
def test_clawbacks_match_the_model(mp, clock, steps, repeating):
    store = f"cb-{uuid.uuid4().hex[:10]}"
    mp.stores.create(store, "Clawback store", currency="USD")
    mp.programs.create(
        store,
        name="Second order",
        metric="order_count",
        threshold=2,
        every=2 if repeating else None,
        actions=[{"type": "credit", "amount": CREDIT}, {"type": "points", "points": POINTS}],
        clawback_days=1,
    )
    orders: dict[str, tuple[str, bool]] = {}  # order -> (customer, refunded)
    crossing: dict[int, tuple[str, object]] = {}  # firing -> (order, fired at)
    expected: set[int] = set()

    for kind, arg in steps:
        if kind == "order":
            order = f"{arg}-o{len(orders)}"
            result = mp.ingest(store, [_event("order.paid", arg, order, total=1000)])
            orders[order] = (arg, False)
            for f in result.firings:
                crossing[f["firing_id"]] = (f["order_id"], clock())
        elif kind == "order and refund":
            order = f"{arg}-o{len(orders)}"
            result = mp.ingest(
                store, [_event("order.paid", arg, order, total=1000), _event("order.refunded", arg, order)]
            )
            orders[order] = (arg, True)
            expected |= {f["firing_id"] for f in result.firings}  # whatever fired on it, taken back at once
        elif kind == "refund":
            live = sorted(o for o, (_, refunded) in orders.items() if not refunded)
            if not live:
                continue
            order = live[arg % len(live)]
            customer = orders[order][0]
            mp.ingest(store, [_event("order.refunded", customer, order)])
            orders[order] = (customer, True)
            expected |= {f for f, (o, at) in crossing.items() if o == order and clock() - at <= timedelta(days=1)}
        elif kind in ("spend credit", "spend points"):
            try:
                if kind == "spend credit":
                    mp.ledgers.spend(store, arg, 250, unit="credit", key=uuid.uuid4().hex)
                else:
                    mp.ledgers.spend(store, arg, 150, unit="points", key=uuid.uuid4().hex)
            except InsufficientBalance:
                pass
            except Exception as e:  # a customer not created yet
                assert "no customer" in str(e)
        else:
            clock.advance(hours=arg)

    f = t.firings.c
    with mp.db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(f.id, f.clawed_back_at, f.clawback_debt).where(f.store_id == mp.stores.get(store).id)
        ).all()
    assert {r.id for r in rows if r.clawed_back_at is not None} == expected
    alerts = {a.firing_id for a in mp.alerts.list(store)}
    for customer in ("c1", "c2"):
        try:
            report = mp.customers.get(store, customer)
        except Exception:
            continue
        assert report.balances.get("USD", 0) == sum(e.amount for e in report.ledger) >= 0
        points = mp.ledgers.entries(store, customer, unit="points")
        assert report.points_balance == sum(e.points for e in points) >= 0
        for r in rows:
            taken_credit = -sum(e.amount for e in report.ledger if e.firing_id == r.id and e.reason == "clawback")
            taken_points = -sum(e.points for e in points if e.firing_id == r.id and e.reason == "clawback")
            if not any(e.firing_id == r.id for e in report.ledger):
                continue  # another customer's
            debt = json.loads(r.clawback_debt) if r.clawback_debt else {}
            if r.id in expected:
                assert taken_credit + debt.get("credit", 0) == CREDIT
                assert taken_points + debt.get("points", 0) == POINTS
                assert (r.id in alerts) is bool(debt), "a debt comes with an alert, and only a debt"
            else:
                assert taken_credit == taken_points == 0 and not debt


def _event(kind: str, customer: str, order: str, **extra: object) -> dict[str, object]:
    return {"id": uuid.uuid4().hex, "type": kind, "customer_id": customer, "order_id": order, **extra}
