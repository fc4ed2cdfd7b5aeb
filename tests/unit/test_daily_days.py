"""The daily run's calendar: which days a run runs, a store-local day's first instant, and
when the scheduler wakes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from milepost.domain.records import Store
from milepost.scheduler.daily import days_to_run, due_now, local_today, seconds_to_midnight, start_of_day


def store(zone: str) -> Store:
    return Store(1, "shop", "Shop", "USD", zone, "paid", False)


def test_the_days_a_run_runs() -> None:
    d = date(2026, 3, 5)
    assert days_to_run(None, d) == [d]  # a first run: no missed days
    assert days_to_run(date(2026, 3, 2), d) == [date(2026, 3, 3), date(2026, 3, 4), d]
    assert days_to_run(d, d) == [] and days_to_run(date(2026, 3, 9), d) == []


def test_a_day_starts_at_its_local_midnight_across_dst() -> None:
    assert start_of_day(date(2026, 3, 3), "Pacific/Auckland") == datetime(2026, 3, 2, 11, tzinfo=UTC)
    # Auckland leaves daylight time on 2026-04-05: that day has 25 hours
    assert start_of_day(date(2026, 4, 5), "Pacific/Auckland") == datetime(2026, 4, 4, 11, tzinfo=UTC)
    assert start_of_day(date(2026, 4, 6), "Pacific/Auckland") == datetime(2026, 4, 5, 12, tzinfo=UTC)
    # Santiago's clocks jump from 00:00 to 01:00 on 2026-09-06: that day starts at 01:00
    assert start_of_day(date(2026, 9, 6), "America/Santiago") == datetime(2026, 9, 6, 4, tzinfo=UTC)


def test_the_scheduler_wakes_after_the_nearest_local_midnight() -> None:
    now = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)  # 23:30 in Auckland
    assert seconds_to_midnight([store("UTC"), store("Pacific/Auckland")], now, 3600) == 30 * 60 + 1
    assert seconds_to_midnight([store("UTC")], now, 600) == 600
    # the day a scheduler runs is the one that just began there: as of its start, now
    assert local_today(store("Pacific/Auckland"), now) == date(2026, 3, 1)
    assert local_today(store("Pacific/Auckland"), now + timedelta(minutes=31)) == date(2026, 3, 2)
    assert due_now(store("Pacific/Auckland"), date(2026, 3, 1), now + timedelta(minutes=31))
    assert not due_now(store("Pacific/Auckland"), date(2026, 3, 1), now)
    assert not due_now(store("UTC"), date(2026, 3, 1), now) and due_now(store("UTC"), None, now)
