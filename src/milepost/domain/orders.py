"""An order's state, folded from its events in any order, and what it counts for.

Statuses only move forward (a later status implies the earlier ones), refunds
add up, cancellation is final. Folding is order-independent for everything
but the total, which the latest event that states one sets.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from milepost.domain.events import STATUS_RANK, OrderEvent
from milepost.domain.tuples import tuple_new

NOT_SEEN = -1


class OrderState(NamedTuple):
    """Immutable; a tuple because ingest builds one per event."""

    total: int | None = None
    currency: str | None = None
    refunded: int = 0
    full_refund: bool = False
    cancelled: bool = False
    rank: int = NOT_SEEN
    counted_at: datetime | None = None  # when it first reached the store's counting status
    points_rate: int = 0  # the store's points per unit when the order first counted; 0: earns none

    @property
    def fully_refunded(self) -> bool:
        if self.full_refund:
            return True
        return self.total is not None and self.total > 0 and self.refunded >= self.total

    def counts(self, counting_rank: int) -> bool:
        """True while the order counts towards the customer's order count."""
        return self.rank >= counting_rank and not self.cancelled and not self.fully_refunded

    def spent(self, counting_rank: int) -> int:
        """What the order adds to the amount spent (minor units)."""
        return self.net if self.counts(counting_rank) else 0

    def points(self, counting_rank: int, unit: int) -> int:
        """The points the order earns: its rate per whole `unit` of its net amount, while it counts."""
        if not self.points_rate or not self.counts(counting_rank):
            return 0
        return self.net // unit * self.points_rate

    @property
    def net(self) -> int:
        """The total less refunds, never below zero."""
        return max((self.total or 0) - self.refunded, 0)


def apply(order: OrderState | None, event: OrderEvent, counting_rank: int) -> OrderState:
    """The order's state after one more event."""
    state = order or _NEW
    kind = event.type
    if kind == "order.refunded":
        if event.refund_amount is None:
            return state._replace(full_refund=True)
        return state._replace(refunded=state.refunded + event.refund_amount)
    if kind == "order.cancelled":
        return state._replace(cancelled=True)
    rank = STATUS_RANK[kind.removeprefix("order.")]
    counted_at = state.counted_at
    if rank >= counting_rank and (counted_at is None or event.occurred_at < counted_at):
        counted_at = event.occurred_at
    return tuple_new(
        OrderState,
        (
            state.total if event.total is None else event.total,
            event.currency or state.currency,
            state.refunded,
            state.full_refund,
            state.cancelled,
            rank if rank > state.rank else state.rank,
            counted_at,
            state.points_rate,
        ),
    )


_NEW = OrderState()
