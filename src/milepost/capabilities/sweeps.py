"""`mp.sweeps`: the passes over every customer that time alone makes due: inactivity
programs and points expiry. `run_daily` runs both as of a store-local date, with catch-up
of the days missed since the last run; `inactivity` and `points_expiry` run one of them
as of now. Each is safe to run as often as you like."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date as Date

from milepost.capabilities.wiring import Capability
from milepost.domain.records import Store
from milepost.scheduler.daily import (
    SCHEDULER_LOCK,
    DailyRun,
    DailyScheduler,
    days_to_run,
    local_today,
    run_daily,
    run_due_days,
)
from milepost.scheduler.expiry import Expiry, expire_points
from milepost.scheduler.inactivity import Inactivity, check_inactivity


class Sweeps(Capability):
    def run_daily(self, stores: list[str] | None = None, date: Date | None = None) -> list[DailyRun]:
        """Run the daily work of the stores (all unless named) for `date` (default: today
        in each store's time zone), and the days missed since each store's last run, each
        as of the start of its own local day. A date at or before a store's last run adds
        nothing there."""
        found = [self._w.store(key) for key in stores] if stores else self._all_stores()
        return [run_daily(self._w.db, store, date, self._w.clock) for store in found]

    def days_to_run(self, store: str, date: Date | None = None) -> list[Date]:
        """The days `run_daily` would run in the store for `date` (default: today there), oldest
        first: the days missed since its last run, then `date`; none when `date` is done."""
        found = self._w.store(store)
        with self._w.db.read() as tx:
            last = tx.last_daily_run(found.id)
        return days_to_run(last, date or local_today(found, self._w.clock()))

    def run_daily_due(self) -> list[DailyRun] | None:
        """What `milepost scheduler` does when it wakes: in every store where a local day
        began since its last run, run that day (today, there), with catch-up. None when another scheduler holds
        the database's scheduler lock (PostgreSQL) and so acts instead."""
        with self._w.db.session_lock(SCHEDULER_LOCK) as held:
            return run_due_days(self._w.db, self._w.clock) if held else None

    def scheduler(self, poll: float = 300, report: Callable[[DailyRun], None] | None = None) -> DailyScheduler:
        """The loop of `milepost scheduler`: `.run(stop_event)` calls `run_daily_due` just
        after the nearest store's local midnight (or every `poll` seconds) until the event
        is set, handing each run to `report`."""
        w = self._w

        return DailyScheduler(self.run_daily_due, self._all_stores, w.clock, poll, report or (lambda run: None))

    def inactivity(self, stores: list[str] | None = None) -> Inactivity:
        """Fire the inactivity programs whose days a customer's lapse reached (all stores
        unless named)."""
        return check_inactivity(self._w.db, self._w.clock(), self._w.store_ids(stores))

    def points_expiry(self, stores: list[str] | None = None) -> Expiry:
        """Expire the points that came due (all stores unless named), oldest lots first."""
        return expire_points(self._w.db, self._w.clock(), self._w.store_ids(stores))

    def _all_stores(self) -> list[Store]:
        with self._w.db.read() as tx:
            return tx.list_stores()
