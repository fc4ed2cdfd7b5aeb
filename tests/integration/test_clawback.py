"""The per-program clawback policy, on every backend: a program's credit, points and
unused codes taken back when the order that crossed its threshold is fully refunded (or
cancelled) within its days; never below zero unless the store allows it (the rest is a
debt, on an admin alert); once; the milestone stays in the log."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from milepost_kit import buy, cancelled, key, paid, refunded

from milepost import Milepost
from milepost.adapters.storage import tables as t
from milepost.errors import ValidationError

CREDIT = {"type": "credit", "amount": 1500}
POINTS = {"type": "points", "points": 500}
CODE = {"type": "code", "discount": {"kind": "percentage", "percent": 10}}


def program(mp: Milepost, store: str, *actions, clawback_days: int | None = 30, threshold: int = 1) -> int:
    details = mp.create_program(
        store,
        name="First order",
        metric="order_count",
        threshold=threshold,
        actions=list(actions or [CREDIT]),
        clawback_days=clawback_days,
    )
    return details.rule.id


def entries(mp: Milepost, store: str, customer: str = "c1") -> list[tuple[int, str]]:
    return [(e.amount, e.reason) for e in mp.customer(store, customer).ledger]


def balance(mp: Milepost, store: str, customer: str = "c1") -> int:
    return mp.customer(store, customer).balances.get("USD", 0)


def firing_row(mp: Milepost, store: str):  # type: ignore[no-untyped-def]
    f = t.firings.c
    with mp.db.engine.connect() as conn:
        (row,) = conn.execute(sa.select(t.firings).where(f.store_id == mp.store(store).id)).all()
        return row


def test_credit_is_taken_back_on_a_full_refund_within_the_days(mp, store, clock):
    program(mp, store)
    buy(mp, store, "c1", 1)  # c1-o0 crosses the threshold
    clock.advance(days=29)

    mp.ingest(store, [refunded("c1", "c1-o0")])

    ledger = mp.customer(store, "c1").ledger
    assert sorted((e.amount, e.reason) for e in ledger) == [(-1500, "clawback"), (1500, "milestone")]
    given = next(e for e in ledger if e.reason == "milestone")
    taken = next(e for e in ledger if e.reason == "clawback")
    assert taken.firing_id == given.firing_id and taken.order_id == "c1-o0"  # points to the original
    assert taken.idempotency_key == f"clawback:{given.idempotency_key}"
    assert balance(mp, store) == 0
    row = firing_row(mp, store)
    assert row.clawed_back_at is not None and row.clawback_debt is None
    assert len(mp.customer(store, "c1").milestones) == 1  # the milestone stays in the log
    assert mp.alerts(store) == []


def test_keep_is_the_default(mp, store):
    program(mp, store, clawback_days=None)
    buy(mp, store, "c1", 1)
    mp.ingest(store, [refunded("c1", "c1-o0")])
    assert entries(mp, store) == [(1500, "milestone")]
    assert firing_row(mp, store).clawed_back_at is None


def test_a_refund_after_the_days_takes_nothing_back(mp, store, clock):
    program(mp, store, clawback_days=30)
    buy(mp, store, "c1", 1)
    clock.advance(days=31)
    mp.ingest(store, [refunded("c1", "c1-o0")])
    assert entries(mp, store) == [(1500, "milestone")]


def test_a_partial_refund_takes_nothing_back(mp, store):
    program(mp, store)
    buy(mp, store, "c1", 1, total=1000)
    mp.ingest(store, [refunded("c1", "c1-o0", 400)])
    assert entries(mp, store) == [(1500, "milestone")]
    mp.ingest(store, [refunded("c1", "c1-o0", 600)])  # refunds adding up to the total: a full refund
    assert sorted(entries(mp, store)) == [(-1500, "clawback"), (1500, "milestone")]


def test_only_the_order_that_crossed_the_threshold_counts(mp, store):
    program(mp, store)
    buy(mp, store, "c1", 2)
    mp.ingest(store, [refunded("c1", "c1-o1")])  # not the order that crossed
    assert entries(mp, store) == [(1500, "milestone")]


def test_points_are_taken_back(mp, store):
    program(mp, store, POINTS)
    buy(mp, store, "c1", 1)
    mp.ingest(store, [cancelled("c1", "c1-o0")])
    points = mp.points_ledger(store, "c1")
    assert sorted((e.points, e.reason) for e in points) == [(-500, "clawback"), (500, "milestone")]
    assert mp.customer(store, "c1").points_balance == 0


def test_unredeemed_codes_are_voided_redeemed_ones_left_alone(mp, store):
    program(mp, store, CODE)
    buy(mp, store, "c1", 1)
    buy(mp, store, "c2", 1)
    (redeemed,) = mp.codes(store, "c2")
    mp.redeem_code(store, redeemed.code, "c2", order_id="c2-o9", key=key())

    mp.ingest(store, [refunded("c1", "c1-o0"), refunded("c2", "c2-o0")])

    (voided,) = mp.codes(store, "c1")
    assert voided.voided_at is not None and voided.void_reason == "clawed back: order c1-o0 refunded"
    (kept,) = mp.codes(store, "c2")
    assert kept.voided_at is None and kept.redeemed_at is not None


def test_credit_already_spent_is_taken_back_down_to_zero_and_the_rest_is_a_debt(mp, store):
    program(mp, store)
    buy(mp, store, "c1", 1)
    mp.spend_credit(store, "c1", 1000, key=key())

    mp.ingest(store, [refunded("c1", "c1-o0")])

    assert sorted(entries(mp, store)) == [(-1000, "spend"), (-500, "clawback"), (1500, "milestone")]
    assert balance(mp, store) == 0
    row = firing_row(mp, store)
    assert json.loads(row.clawback_debt) == {"credit": 1000}
    (alert,) = mp.alerts(store)
    assert alert.customer_id == "c1" and alert.firing_id == row.id
    assert "c1" in alert.message and "10.00" in alert.message and f"firing {row.id}" in alert.message


def test_points_already_spent_leave_a_debt(mp, store):
    program(mp, store, POINTS)
    buy(mp, store, "c1", 1)
    mp.spend_points(store, "c1", 500, key=key())
    mp.ingest(store, [refunded("c1", "c1-o0")])
    assert mp.customer(store, "c1").points_balance == 0
    assert json.loads(firing_row(mp, store).clawback_debt) == {"points": 500}
    (alert,) = mp.alerts(store)
    assert "500 points" in alert.message


def test_a_store_that_allows_negative_credit_takes_it_all_back(mp):
    store = f"s-{key()}"
    mp.create_store(store, "Neg", currency="USD", allow_negative_credit=True)
    program(mp, store)
    buy(mp, store, "c1", 1)
    mp.spend_credit(store, "c1", 1500, key=key())
    mp.ingest(store, [refunded("c1", "c1-o0")])
    assert balance(mp, store) == -1500
    assert firing_row(mp, store).clawback_debt is None and mp.alerts(store) == []


@pytest.mark.parametrize("again", ["same event", "then cancelled", "same batch"])
def test_a_clawback_happens_once(mp, store, again):
    program(mp, store, CREDIT, POINTS)
    buy(mp, store, "c1", 1)
    refund = refunded("c1", "c1-o0")
    if again == "same batch":
        mp.ingest(store, [refund, cancelled("c1", "c1-o0")])
    else:
        mp.ingest(store, [refund])
        mp.ingest(store, [refund if again == "same event" else cancelled("c1", "c1-o0")])
    assert sorted(entries(mp, store)) == [(-1500, "clawback"), (1500, "milestone")]
    assert sorted((e.points, e.reason) for e in mp.points_ledger(store, "c1")) == [
        (-500, "clawback"),
        (500, "milestone"),
    ]


def test_a_second_crossing_after_a_clawback_is_not_clawed_back_twice(mp, store):
    # at most once per customer: the refunded order's milestone does not fire again
    program(mp, store)
    buy(mp, store, "c1", 1)
    mp.ingest(store, [refunded("c1", "c1-o0")])
    mp.ingest(store, [paid("c1", "c1-o1")])
    mp.ingest(store, [refunded("c1", "c1-o1")])
    assert sorted(entries(mp, store)) == [(-1500, "clawback"), (1500, "milestone")]


def test_the_policy_is_set_and_changed_on_the_program(mp, store):
    rule_id = program(mp, store, clawback_days=None)
    assert mp.program(store, rule_id).rule.clawback_days is None
    assert mp.update_program(store, rule_id, clawback_days=14).rule.clawback_days == 14
    assert mp.update_program(store, rule_id, name="Renamed").rule.clawback_days == 14
    assert mp.update_program(store, rule_id, clawback_days=0).rule.clawback_days is None
    with pytest.raises(ValidationError):
        program(mp, store, clawback_days=-1)
    event = mp.create_order_count_event(store, count=3, name="Third", actions=[CREDIT], clawback_days=7)
    assert event.rule.clawback_days == 7


def test_a_later_policy_applies_to_milestones_still_within_its_days(mp, store, clock):
    rule_id = program(mp, store, clawback_days=None)
    buy(mp, store, "c1", 1)
    mp.update_program(store, rule_id, clawback_days=10)
    clock.advance(days=5)
    mp.ingest(store, [refunded("c1", "c1-o0")])
    assert sorted(entries(mp, store)) == [(-1500, "clawback"), (1500, "milestone")]


def test_a_debt_alert_beside_a_milestone_alert_in_the_same_batch(mp, store):
    program(mp, store)
    mp.create_program(store, name="Hello", metric="order_count", threshold=1, actions=[{"type": "alert"}])
    buy(mp, store, "c1", 1)
    mp.acknowledge_alert(store, mp.alerts(store)[0].id, by="test")
    mp.spend_credit(store, "c1", 1500, key=key())

    result = mp.ingest(store, [refunded("c1", "c1-o0"), paid("c2", "c2-o0")])

    assert result.accepted == 2
    messages = sorted(a.message for a in mp.alerts(store))
    assert len(messages) == 2 and any("debt" in m for m in messages)
