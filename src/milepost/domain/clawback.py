"""Clawback: taking a milestone's rewards back when the order that earned it is refunded.

A reversal never takes a ledger below zero unless the store allows it: what does not
fit stays with the customer as a debt, which an admin is told about.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple


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


def within(fired_at: datetime, days: int, now: datetime) -> bool:
    """Whether a firing at `fired_at` is still inside a clawback policy of `days` days."""
    return now - fired_at <= timedelta(days=days)
