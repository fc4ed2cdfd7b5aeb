"""Points expiry: points a customer earned expire a store-set number of days later,
oldest first.

Every positive points entry (an order's points, a milestone's, an operator's addition)
is a **lot** that expires `days` after it was earned, or after the store switched
expiry on, whichever is later: switching it on never expires years of points at once.
What is taken away (spent, refunded, clawed back, corrected down) comes out of the lots
oldest first, except where it belongs to one lot: a refund takes back the points of its
own order's lot, a clawback or an expiry those of the entry it reverses. So a lot that
comes due expires only what is left of it, and expiring never takes a balance below
zero. A taking that finds no lot left is a debt that the next lots pay first.

Pure: the caller loads the customer's entries and writes an `expire` entry, keyed
`expire:<the lot's key>` (so once), for each lot `due` returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

EXPIRE = "expire"
_TARGETED = ("expire:", "clawback:")  # a reversal of one entry: its key names that entry's


class Entry(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def points(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def idempotency_key(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def order_id(self) -> str | None: ...


@dataclass(slots=True)
class Lot:
    key: str  # the idempotency key of the entry that gave the points
    earned_at: datetime
    expires_at: datetime
    points: int  # what is left of it
    order_id: str | None = None
    reason: str = ""


def lots(entries: Iterable[Entry], days: int, since: datetime) -> list[Lot]:
    """The customer's lots with what is left of each, oldest first, after `entries`."""
    period = timedelta(days=days)
    found: list[Lot] = []
    by_key: dict[str, Lot] = {}
    debt = 0
    for e in sorted(entries, key=lambda e: (e.created_at, e.id)):
        if e.points > 0:
            expires = max(e.created_at, since) + period
            lot = Lot(e.idempotency_key, e.created_at, expires, e.points, e.order_id, e.reason)
            paid = min(debt, lot.points)
            lot.points -= paid
            debt -= paid
            found.append(lot)
            by_key[lot.key] = lot
            continue
        owed = -e.points
        for lot in _own_lots(e, by_key, found):
            taken = min(owed, lot.points)
            lot.points -= taken
            owed -= taken
        for lot in found:  # the rest, oldest first
            if not owed:
                break
            taken = min(owed, lot.points)
            lot.points -= taken
            owed -= taken
        debt += owed
    return found


def due(entries: Iterable[Entry], days: int, since: datetime, now: datetime) -> list[Lot]:
    """The lots whose time came by `now` with points left: what expires now."""
    return [lot for lot in lots(entries, days, since) if lot.points > 0 and lot.expires_at <= now]


def upcoming(entries: Iterable[Entry], days: int, since: datetime, now: datetime) -> list[Lot]:
    """The lots with points left that have not expired yet, soonest first."""
    return [lot for lot in lots(entries, days, since) if lot.points > 0 and lot.expires_at > now]


def _own_lots(e: Entry, by_key: dict[str, Lot], found: list[Lot]) -> list[Lot]:
    """The lots a taking belongs to before any other: the entry a reversal names, the
    points of the order a refund took back."""
    for prefix in _TARGETED:
        if e.idempotency_key.startswith(prefix):
            lot = by_key.get(e.idempotency_key[len(prefix) :])
            return [lot] if lot is not None else []
    if e.reason == "earn" and e.order_id is not None:
        return [lot for lot in found if lot.reason == "earn" and lot.order_id == e.order_id]
    return []
