"""Sweeps: jobs that look at every customer of the stores for what time made due, as a
`Scheduler` (runner.py) runs them on a cadence. The daily run (daily.py) runs the same
two, inactivity and points expiry, as of a store-local date; workers run none.

Each `Sweep` is a name, a cadence and a function of (storage, now, store ids or None for
every store) that returns a line for the log when it did something. The sweeps' logic
lives beside it (scheduler/inactivity.py, scheduler/expiry.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from milepost.scheduler.cadence import Cadence
from milepost.scheduler.expiry import expire_points
from milepost.scheduler.inactivity import check_inactivity
from milepost.service.ports import Storage

Job = Callable[[Storage, datetime, Sequence[int] | None], str | None]


@dataclass(frozen=True, slots=True)
class Sweep:
    name: str  # in the log: "the inactivity sweep failed"
    run: Job
    cadence: Cadence


def fire_inactivity(db: Storage, now: datetime, store_ids: Sequence[int] | None) -> str | None:
    """The inactivity programs that came due (N days without an order)."""
    found = check_inactivity(db, now, list(store_ids) if store_ids else None)
    return f"inactivity programs fired {found.fired} milestones" if found.fired else None


def expire_due_points(db: Storage, now: datetime, store_ids: Sequence[int] | None) -> str | None:
    """The points whose lots reached their expiry."""
    expired = expire_points(db, now, list(store_ids) if store_ids else None)
    return f"{expired.points} points expired" if expired.points else None
