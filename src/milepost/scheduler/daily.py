"""The daily run: what time alone makes due (automations' daily triggers, inactivity
programs, points expiry), evaluated as of a store-local date, for any date, past or
future, whatever the wall clock says.

The run of day D is *at the start of D*: as of the first instant of the store-local D,
and the date triggers of D fire in it (a purchase on D-365 is complete by then, and the
day's emails go out on the day). `milepost scheduler` runs today just after local
midnight.

`run_daily(db, store, day, clock)` runs `day` and, to catch up, the days after the store's
last completed run that were missed, each as of the start of its own local day, oldest
first, then marks each completed (one `daily_runs` row per store and day). A store's
first run has no missed days; a day at or before the last completed one runs nothing.
Every firing is keyed (rule, customer, lapse or day) and every expiry by its lot, so two runs at
once, from two machines, still fire and expire everything once. The inactivity sweep of a
day reads the lapses that became due since the day before (scheduler/inactivity.py): the
days run one after another, so each lapse is in one day's window; a store's first run
reads every lapse due.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from milepost.domain.automations import start_of_day as day_start
from milepost.domain.records import Store
from milepost.scheduler.automations import Tally, run_automations
from milepost.scheduler.expiry import expire_points
from milepost.scheduler.inactivity import check_inactivity
from milepost.service.ports import Storage

log = logging.getLogger("milepost.scheduler")

SCHEDULER_LOCK = 0x6D696C65  # the session lock only one `milepost scheduler` holds at a time


@dataclass(frozen=True, slots=True)
class Day:
    """What one store-local day's run did."""

    day: date
    fired: int  # inactivity milestones fired
    expired: int  # points expired
    automations: tuple[Tally, ...] = ()  # each automation's run of the day
    lapses: int = 0  # inactivity candidates looked at: customers whose lapse became due on the day


@dataclass(frozen=True, slots=True)
class DailyRun:
    """One store's run: the days it ran, oldest first (none: `day` was done already)."""

    store: str
    day: date
    days: tuple[Day, ...]


def days_to_run(last: date | None, day: date) -> list[date]:
    """The days a run for `day` runs after the last completed one: just `day` on a first
    run, every day after `last` up to `day` otherwise, none when `day` is not after it."""
    start = day if last is None else last + timedelta(days=1)
    return [start + timedelta(days=i) for i in range((day - start).days + 1)]


def start_of_day(day: date, zone: str) -> datetime:
    """The first instant of the store-local `day`, in UTC: the day's run is as of then."""
    return day_start(day, ZoneInfo(zone))


def local_today(store: Store, now: datetime) -> date:
    """Today in the store's time zone: the day the scheduler runs just after its midnight,
    so "as of the start of the day" is now, not hours ahead: nothing fires or expires
    before its time."""
    return now.astimezone(ZoneInfo(store.timezone)).date()


def due_now(store: Store, last: date | None, now: datetime) -> bool:
    """A local day began since the store's last completed run (or it never ran)."""
    return last is None or local_today(store, now) > last


def seconds_to_midnight(stores: list[Store], now: datetime, poll: float) -> float:
    """How long `milepost scheduler` sleeps: until just after the next local midnight of
    the store nearest to one, or `poll` seconds if that is sooner."""
    wake = poll
    for store in stores:
        midnight = start_of_day(local_today(store, now) + timedelta(days=1), store.timezone)
        wake = min(wake, (midnight - now).total_seconds() + 1)
    return max(wake, 0.0)


def run_daily(db: Storage, store: Store, day: date | None, clock: Callable[[], datetime]) -> DailyRun:
    """Run the store's daily work for `day` (default: today in its time zone) and the
    missed days before it."""
    day = day or local_today(store, clock())
    with db.read() as tx:
        last = tx.last_daily_run(store.id)
    days = days_to_run(last, day)
    return DailyRun(store.key, day, tuple(_run_day(db, store, d, clock, first=last is None) for d in days))


def run_due_days(db: Storage, clock: Callable[[], datetime]) -> list[DailyRun]:
    """What `milepost scheduler` does on each wake: for every store where a local day
    began since its last completed run, the run of that day, with catch-up."""
    with db.read() as tx:
        stores = tx.list_stores()
        last = {store.id: tx.last_daily_run(store.id) for store in stores}
    now = clock()
    due = [store for store in stores if due_now(store, last[store.id], now)]
    return [run_daily(db, store, local_today(store, now), clock) for store in due]


def _run_day(db: Storage, store: Store, day: date, clock: Callable[[], datetime], *, first: bool) -> Day:
    """Run `day`; the inactivity programs look at the lapses that became due since the run
    of the day before, or on the store's `first` run, at every lapse due."""
    as_of = start_of_day(day, store.timezone)
    since = None if first else start_of_day(day - timedelta(days=1), store.timezone)
    automations = run_automations(db, store, day, clock)
    inactivity = check_inactivity(db, as_of, [store.id], since)
    expired = expire_points(db, as_of, [store.id]).points
    with db.write() as tx:
        tx.mark_daily_run(store.id, day, clock())
    return Day(day, inactivity.fired, expired, tuple(automations), inactivity.customers)


@dataclass(frozen=True, slots=True)
class DailyScheduler:
    """`milepost scheduler`'s loop, and the one `milepost serve` embeds: wake just after
    the nearest store's local midnight (or every `poll` seconds), run the day that began
    in the stores where one did (`tick`: None when another scheduler holds the lock), report each run."""

    tick: Callable[[], list[DailyRun] | None]
    stores: Callable[[], list[Store]]
    clock: Callable[[], datetime]
    poll: float = 300
    report: Callable[[DailyRun], None] = lambda run: None

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set; a failure is logged and the next wake tries again."""
        while not stop.is_set():
            wait = self.poll
            try:
                for run in self.tick() or []:
                    self.report(run)
                wait = seconds_to_midnight(self.stores(), self.clock(), self.poll)
            except Exception:  # the database away for a moment must not end the scheduler
                log.exception("scheduler: the daily run failed; trying again")
            stop.wait(wait)
