"""The scheduler: periodic sweeps (inactivity programs, points expiry) run on a cadence.
Workers run it between delivery rounds; daily automations extend it with their own
cadence (see scheduler/cadence.py)."""

from milepost.scheduler.cadence import Cadence, Every, is_due
from milepost.scheduler.runner import Scheduler
from milepost.scheduler.sweeps import Sweep, standard_sweeps

__all__ = ["Cadence", "Every", "Scheduler", "Sweep", "is_due", "standard_sweeps"]
