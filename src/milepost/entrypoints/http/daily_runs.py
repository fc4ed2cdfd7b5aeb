"""The store's daily run, on demand: what `milepost run-daily --date` does for the key's
store (automations' daily triggers, inactivity programs, points expiry as of the start of
a store-local date, with catch-up of the days missed since its last run)."""

from __future__ import annotations

from fastapi import APIRouter

from milepost.entrypoints.http.admin import AdminCaller, invalid, problems
from milepost.entrypoints.http.schemas.daily_runs import DailyRun, DailyRunIn

router = APIRouter(prefix="/api/v1/daily-runs", tags=["daily runs"])

#: The most days one call runs (the date and the days caught up before it), so that a
#: request ends in reasonable time; `milepost run-daily` has no such bound.
MAX_DAYS = 366


@router.post(
    "",
    summary="Run the store's day",
    description="As of the start of the store-local `date` (default today there), past or future, and the days "
    "missed since the store's last run, oldest first, each as of its own date. A date at or before the last "
    "run adds nothing (`days` is empty); running twice, or from two machines at once, does nothing twice. "
    f"A call runs at most {MAX_DAYS} days: a date further after the last run is a 422 (run the days between "
    "first, or use `milepost run-daily`).",
    response_model=DailyRun,
    responses=problems(body=True),
)
def run_day(admin: AdminCaller, body: DailyRunIn) -> DailyRun:
    due = admin.mp.sweeps.days_to_run(admin.store, body.date)
    if len(due) > MAX_DAYS:
        reason = f"would run {len(due)} days, from {due[0]} on; at most {MAX_DAYS} in one call"
        raise invalid("date", reason)
    (ran,) = admin.mp.sweeps.run_daily([admin.store], body.date)
    return DailyRun.of(ran)
