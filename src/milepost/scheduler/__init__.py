"""The scheduler: periodic sweeps (inactivity programs, points expiry) run on a cadence.
Workers run it between delivery rounds; daily automations extend it with their own
cadence (see scheduler/cadence.py).

    inactivity.py  `check_inactivity`: the inactivity programs a customer's lapse made due
    expiry.py      `expire_points`: the points lots that came due
    sweeps.py      the sweeps every worker runs, and how often
    cadence.py     when a job runs next
    runner.py      `Scheduler`: runs the sweeps that came due, a failure logged
"""

from milepost.scheduler.cadence import Cadence, Every, is_due
from milepost.scheduler.runner import Scheduler
from milepost.scheduler.sweeps import Sweep, standard_sweeps

__all__ = ["Cadence", "Every", "Scheduler", "Sweep", "is_due", "standard_sweeps"]
