"""Points earned, folded purely: an order's points follow its net amount at its own rate."""

from __future__ import annotations

from datetime import UTC, datetime

from milepost.domain.aggregates import Aggregates, fold_order
from milepost.domain.events import STATUS_RANK, OrderEvent
from milepost.domain.orders import OrderState, apply

T0 = datetime(2026, 1, 1, tzinfo=UTC)
PAID = STATUS_RANK["paid"]


def ev(kind: str, total: int | None = None, refund: int | None = None) -> OrderEvent:
    return OrderEvent(f"k-{kind}", f"order.{kind}", "c1", "o1", T0, total, "USD" if total else None, refund)


def test_an_order_earns_its_rate_per_whole_unit_while_it_counts():
    order = OrderState(total=2750, rank=PAID, points_rate=2)
    assert order.points(PAID, 100) == 54
    assert order.points(PAID, 1) == 5500  # a zero-decimal currency
    assert order._replace(points_rate=0).points(PAID, 100) == 0
    assert order._replace(cancelled=True).points(PAID, 100) == 0
    assert order._replace(rank=STATUS_RANK["placed"]).points(PAID, 100) == 0


def test_points_earned_moves_with_the_net_amount_and_apply_keeps_the_rate():
    paid = apply(None, ev("paid", total=5000), PAID)._replace(points_rate=1)
    agg = fold_order(Aggregates(), None, paid, PAID)
    assert agg.points_earned == 50
    refunded = apply(paid, ev("refunded", refund=1250), PAID)
    assert refunded.points_rate == 1
    assert fold_order(agg, paid, refunded, PAID).points_earned == 37
    assert fold_order(agg, paid, apply(paid, ev("cancelled"), PAID), PAID).points_earned == 0


def test_an_order_without_a_rate_leaves_points_earned_alone():
    paid = apply(None, ev("paid", total=5000), PAID)
    assert fold_order(Aggregates(points_earned=7), None, paid, PAID).points_earned == 7
