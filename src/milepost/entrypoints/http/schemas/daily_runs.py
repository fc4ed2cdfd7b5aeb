"""The store's daily run: the date asked, and what each day it ran (that date and the
days caught up before it) did."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field, Strict

from milepost.entrypoints.http.schemas.requests import Body
from milepost.scheduler.automations import Tally
from milepost.scheduler.daily import DailyRun as Ran
from milepost.scheduler.daily import Day

#: The dates a daily run takes: any past or future day, within what every time zone can reckon.
FIRST, LAST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


Date = Annotated[dt.date, Strict(False)]  # the body is JSON: the date comes as text


class DailyRunIn(Body):
    date: Date | None = Field(
        None,
        ge=FIRST,
        le=LAST,
        description="The store-local date to run, YYYY-MM-DD (default: today in the store's time zone).",
    )


class AutomationDay(BaseModel):
    key: str
    candidates: int
    audience: int
    fired: int
    skipped: int = Field(description="In the audience, in no branch.")
    stopped: int = Field(
        0, description="Rests of a branch after a wait not run: automation off, customer out of its audience."
    )
    branches: dict[str, int]

    @classmethod
    def of(cls, t: Tally) -> AutomationDay:
        counts = {"candidates": t.candidates, "audience": t.audience, "fired": t.fired, "skipped": t.skipped}
        counts["stopped"] = t.stopped
        return cls(key=t.key, branches=dict(t.branches), **counts)


class DayRun(BaseModel):
    date: dt.date
    fired: int = Field(description="Inactivity milestones fired.")
    points_expired: int
    automations: list[AutomationDay]

    @classmethod
    def of(cls, d: Day) -> DayRun:
        automations = [AutomationDay.of(t) for t in d.automations]
        return cls(date=d.day, fired=d.fired, points_expired=d.expired, automations=automations)


class DailyRun(BaseModel):
    date: dt.date
    days: list[DayRun] = Field(description="The days run, oldest first; none when `date` was done already.")

    @classmethod
    def of(cls, run: Ran) -> DailyRun:
        return cls(date=run.day, days=[DayRun.of(d) for d in run.days])
