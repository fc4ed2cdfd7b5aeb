"""The scheduler: runs the sweeps that came due, one after the other, each failure logged
and left for the next run (delivery, or the next sweep, goes on)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from milepost.scheduler.cadence import is_due
from milepost.scheduler.sweeps import Sweep
from milepost.service.ports import Storage

log = logging.getLogger("milepost.scheduler")


class Scheduler:
    """Keeps when each sweep last ran (in memory: a restart runs every sweep at once)."""

    def __init__(
        self,
        db: Storage,
        clock: Callable[[], datetime],
        sweeps: Sequence[Sweep],
        store_ids: Sequence[int] | None = None,
        name: str = "scheduler",
    ) -> None:
        self.db, self.clock, self.sweeps = db, clock, tuple(sweeps)
        self.store_ids = tuple(store_ids) if store_ids else None  # None: every store
        self.name = name
        self.last_run: dict[str, datetime] = {}

    def run_due(self) -> int:
        """Run each sweep whose cadence says it is due; how many ran."""
        now, ran = self.clock(), 0
        for sweep in self.sweeps:
            if is_due(sweep.cadence, self.last_run.get(sweep.name), now):
                self.last_run[sweep.name] = now
                self.run(sweep)
                ran += 1
        return ran

    def run_all(self) -> None:
        """Every sweep now, due or not (`milepost worker` tests, an operator's nudge)."""
        for sweep in self.sweeps:
            self.run(sweep)

    def run(self, sweep: Sweep) -> None:
        try:
            done = sweep.run(self.db, self.clock(), self.store_ids)
        except Exception:  # the next run tries again
            log.exception("%s: the %s sweep failed", self.name, sweep.name)
            return
        if done:
            log.info("%s: %s", self.name, done)
