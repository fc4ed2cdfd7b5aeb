"""Clawback: taking a milestone's rewards back when the order that earned it is refunded.

A reversal never takes a ledger below zero unless the store allows it: what does not
fit stays with the customer as a debt, which an admin is told about.

The policy's days are measured by event time, so that events sent late or backfilled
are judged as when they happened: from when the crossing order counted (the
`occurred_at` of the event that brought it to the counting status) to the refund or
cancellation that stopped it (that event's `occurred_at`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from milepost.domain.events import OrderEvent


class Reversal(NamedTuple):
    taken: int  # what the reversal takes back (a positive amount)
    debt: int  # what it could not take back


def reverse(amount: int, balance: int, allow_negative: bool) -> Reversal:
    """Take back `amount` from a ledger at `balance`: all of it when the store allows a
    negative balance or it fits, else down to zero."""
    if allow_negative or amount <= balance:
        return Reversal(amount, 0)
    taken = max(min(amount, balance), 0)
    return Reversal(taken, amount - taken)


def within(counted_at: datetime, days: int, stopped_at: datetime) -> bool:
    """Whether an order that counted at `counted_at` and stopped counting at `stopped_at`
    is inside a clawback policy of `days` days."""
    return stopped_at - counted_at <= timedelta(days=days)


def stopped_at(events: Sequence[OrderEvent]) -> datetime | None:
    """When an order stopped counting, by event time, from the refunds and cancellations
    that stopped it: the first cancellation or full refund, else (refunds that add up to
    the total) the last refund. None when there is none."""
    final = [e.occurred_at for e in events if e.type == "order.cancelled" or (_refund(e) and e.refund_amount is None)]
    if final:
        return min(final)
    return max((e.occurred_at for e in events if _refund(e)), default=None)


def _refund(e: OrderEvent) -> bool:
    return e.type == "order.refunded"
