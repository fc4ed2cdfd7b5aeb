"""A process that runs one store's daily work for a date (spawned by test_daily_runs)."""

from __future__ import annotations

from datetime import date
from typing import Any


def run_day(url: str, store: str, day: date, start: Any, errors: Any) -> None:
    from milepost import connect

    mp = connect(url, migrate=False)
    try:
        start.wait(30)  # both processes begin at the same moment
        mp.sweeps.run_daily([store], day)
    except BaseException as exc:  # reported to the parent, which fails the test
        errors.put(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        mp.close()
