"""The scheduler: what time alone makes due (inactivity programs, points expiry), run by
the daily run as of a store-local date, with catch-up (`milepost run-daily`, and
`milepost scheduler` just after each store's local midnight).

    inactivity.py  `check_inactivity`: the inactivity programs a customer's lapse made due
    expiry.py      `expire_points`: the points lots that came due
    daily.py       `run_daily`: a store-local day's run, catch-up, `DailyScheduler`
    sweeps.py      a sweep: a name, a job and a cadence
    cadence.py     when a job runs next
    runner.py      `Scheduler`: runs the sweeps that came due, a failure logged
"""

from milepost.scheduler.cadence import Cadence, Every, is_due
from milepost.scheduler.runner import Scheduler
from milepost.scheduler.sweeps import Sweep

__all__ = ["Cadence", "Every", "Scheduler", "Sweep", "is_due"]
