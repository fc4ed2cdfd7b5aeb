"""A customer's running totals: the metrics that milestones are defined on.

A metric is a named integer on `Aggregates`; a new metric is a new field here
and a new fold, and the rule engine needs no change to use it.

`points_earned` is what purchases earned, over the customer's lifetime: a
refund takes an order's points back, spending them does not lower it, and
points a milestone gives do not count (a reward never cascades into another
milestone inside one batch, and "earned" means earned by buying).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from milepost.domain.orders import OrderState
from milepost.domain.tuples import tuple_new

#: Metric name -> what the store operator calls it.
METRICS = {
    "order_count": "number of orders",
    "amount_spent": "amount spent",
    "review_count": "number of reviews",
    "referral_count": "referrals completed",
    "billing_cycles": "subscription billing cycles paid",
    "points_earned": "points earned",
}


class Aggregates(NamedTuple):
    """Immutable; a tuple because ingest builds one per changed customer per event."""

    order_count: int = 0
    amount_spent: int = 0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    review_count: int = 0
    referral_count: int = 0
    billing_cycles: int = 0
    points_earned: int = 0

    def metric(self, name: str) -> int:
        value: int = getattr(self, name)
        return value


def fold_order(
    agg: Aggregates, before: OrderState | None, after: OrderState, counting_rank: int, unit: int = 100
) -> Aggregates:
    """The customer's totals after one of their orders changed from `before` to `after`;
    `unit` is one whole unit of the store's currency (points are earned per unit)."""
    was = before is not None and before.counts(counting_rank)
    now = after.counts(counting_rank)
    if not was and not now:
        return agg
    spent_before = before.net if was else 0  # type: ignore[union-attr]
    spent_after = after.net if now else 0
    if was and now and spent_before == spent_after and after.counted_at == before.counted_at:  # type: ignore[union-attr]
        return agg
    first, last = agg.first_order_at, agg.last_order_at
    when = after.counted_at
    if now and when is not None:
        first = when if first is None or when < first else first
        last = when if last is None or when > last else last
    return tuple_new(
        Aggregates,
        (
            agg.order_count + now - was,
            agg.amount_spent + spent_after - spent_before,
            first,
            last,
            agg.review_count,
            agg.referral_count,
            agg.billing_cycles,
            agg.points_earned + _points(before, after, counting_rank, unit) if after.points_rate else agg.points_earned,
        ),
    )


def _points(before: OrderState | None, after: OrderState, counting_rank: int, unit: int) -> int:
    """How the points the order earns changed."""
    was = before.points(counting_rank, unit) if before is not None else 0
    return after.points(counting_rank, unit) - was


def fold_activity(agg: Aggregates, metric: str) -> Aggregates:
    """The customer's totals after one more distinct activity counted on `metric`."""
    return agg._replace(**{metric: getattr(agg, metric) + 1})
