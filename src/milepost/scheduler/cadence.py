"""When a periodic job runs next: pure functions of (last run, now).

A cadence answers one question, `next_run(last_run, now)`: the first run is due at once
(`last_run` None) and each later one a fixed time after the previous. Daily automations
add a cadence of their own (the next local midnight, or a time of day, in the store's
time zone) and, for catch-up after downtime, a `last_run` read back from storage instead
of kept in memory; the scheduler's loop stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


class Cadence(Protocol):
    def next_run(self, last_run: datetime | None, now: datetime) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Every:
    """Every `seconds`, counted from the start of the previous run."""

    seconds: float

    def next_run(self, last_run: datetime | None, now: datetime) -> datetime:
        return now if last_run is None else last_run + timedelta(seconds=self.seconds)


def is_due(cadence: Cadence, last_run: datetime | None, now: datetime) -> bool:
    return cadence.next_run(last_run, now) <= now
