"""OrderState folding in any order, and fold_order's effect on a customer's totals."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from milepost.domain.aggregates import Aggregates, fold_order
from milepost.domain.events import STATUS_RANK, OrderEvent
from milepost.domain.orders import OrderState, apply

T0 = datetime(2026, 1, 1, tzinfo=UTC)
PAID = STATUS_RANK["paid"]
COMPLETED = STATUS_RANK["completed"]


def ev(kind: str, minutes: int = 0, total: int | None = 1000, refund: int | None = None) -> OrderEvent:
    return OrderEvent(
        f"k-{kind}-{minutes}",
        f"order.{kind}",
        "c1",
        "o1",
        T0 + timedelta(minutes=minutes),
        total if kind not in ("refunded", "cancelled") else None,
        "USD" if total else None,
        refund,
    )


def fold(events, rank=PAID) -> OrderState:
    state = None
    for e in events:
        state = apply(state, e, rank)
    return state


def test_placed_does_not_count_paid_does():
    assert not fold([ev("placed")]).counts(PAID)
    assert fold([ev("placed"), ev("paid", 5)]).counts(PAID)


def test_paid_before_placed_ends_in_the_same_state_as_placed_before_paid():
    in_order = fold([ev("placed", 0), ev("paid", 5)])
    reversed_ = fold([ev("paid", 5), ev("placed", 0)])
    assert in_order == reversed_
    assert reversed_.rank == PAID and reversed_.counts(PAID)


@pytest.mark.parametrize("perm", list(itertools.permutations(["placed", "paid", "completed", "delivered"])))
def test_status_folding_is_order_independent(perm):
    state = fold([ev(kind, i) for i, kind in enumerate(perm)])
    assert state.rank == STATUS_RANK["delivered"]
    assert state.counted_at == T0 + timedelta(
        minutes=min(perm.index("paid"), perm.index("completed"), perm.index("delivered"))
    )


def test_counted_at_is_the_earliest_counting_event_even_when_it_arrives_late():
    state = fold([ev("completed", 30), ev("paid", 10)])
    assert state.counted_at == T0 + timedelta(minutes=10)


def test_completed_store_counts_only_completed_or_delivered():
    assert not fold([ev("paid")], COMPLETED).counts(COMPLETED)
    assert fold([ev("paid"), ev("completed", 1)], COMPLETED).counts(COMPLETED)
    assert fold([ev("delivered")], COMPLETED).counts(COMPLETED)
    assert fold([ev("paid", 3)], COMPLETED).counted_at is None


def test_full_refund_stops_counting_partial_refund_lowers_spent_only():
    partial = fold([ev("paid"), ev("refunded", 1, refund=300)])
    assert partial.counts(PAID) and partial.spent(PAID) == 700
    full = fold([ev("paid"), ev("refunded", 1)])
    assert not full.counts(PAID) and full.spent(PAID) == 0


def test_partial_refunds_adding_up_to_the_total_are_a_full_refund():
    state = fold([ev("paid"), ev("refunded", 1, refund=600), ev("refunded", 2, refund=400)])
    assert state.refunded == 1000
    assert state.fully_refunded and not state.counts(PAID)


def test_refund_before_paid_is_remembered():
    state = fold([ev("refunded", 0), ev("paid", 1)])
    assert not state.counts(PAID)


def test_cancel_is_final_in_any_order():
    assert not fold([ev("paid"), ev("cancelled", 1)]).counts(PAID)
    assert not fold([ev("cancelled"), ev("paid", 1)]).counts(PAID)
    assert not fold([ev("paid"), ev("cancelled", 1), ev("delivered", 2)]).counts(PAID)


def test_total_is_kept_by_events_that_state_none():
    state = fold([ev("paid", total=1500), ev("completed", 1, total=None)])
    assert state.total == 1500


# -- fold_order -------------------------------------------------------------------------------


def step(agg, before, event, rank=PAID):
    after = apply(before, event, rank)
    return fold_order(agg, before, after, rank), after


def test_fold_order_counts_a_paid_order_once():
    agg, state = step(Aggregates(), None, ev("paid", 5, total=2500))
    assert agg == Aggregates(1, 2500, T0 + timedelta(minutes=5), T0 + timedelta(minutes=5))
    agg2, state = step(agg, state, ev("completed", 9, total=None))  # another status of the same order
    assert (agg2.order_count, agg2.amount_spent) == (1, 2500)


def test_fold_order_ignores_orders_that_do_not_count_yet():
    agg = Aggregates(2, 900)
    assert fold_order(agg, None, apply(None, ev("placed"), PAID), PAID) is agg


def test_fold_order_partial_refund_lowers_spent_not_count():
    agg, state = step(Aggregates(), None, ev("paid", total=1000))
    agg, _ = step(agg, state, ev("refunded", 1, refund=250))
    assert (agg.order_count, agg.amount_spent) == (1, 750)


def test_fold_order_full_refund_and_cancel_uncount():
    agg, state = step(Aggregates(3, 5000), None, ev("paid", total=1000))
    assert (agg.order_count, agg.amount_spent) == (4, 6000)
    refunded, _ = step(agg, state, ev("refunded", 1))
    cancelled, _ = step(agg, state, ev("cancelled", 1))
    assert (refunded.order_count, refunded.amount_spent) == (3, 5000)
    assert (cancelled.order_count, cancelled.amount_spent) == (3, 5000)


def test_fold_order_first_and_last_order_times():
    agg, _ = step(Aggregates(), None, ev("paid", 50))
    agg, _ = step(agg, None, ev("paid", 10))
    agg, _ = step(agg, None, ev("paid", 30))
    assert agg.first_order_at == T0 + timedelta(minutes=10)
    assert agg.last_order_at == T0 + timedelta(minutes=50)


def test_metric_reads_a_named_total():
    assert Aggregates(4, 900).metric("order_count") == 4
    assert Aggregates(4, 900).metric("amount_spent") == 900
