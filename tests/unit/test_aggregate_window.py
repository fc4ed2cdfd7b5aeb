"""The window of an aggregate as of a store-local day: the N whole local days before it,
as UTC instants, whatever the length of those days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from milepost.domain.aggregate_definitions import window


def test_a_window_ends_at_the_local_midnight_that_starts_the_day():
    start, end = window(date(2026, 3, 1), 365, "Europe/Paris")

    assert start == datetime(2025, 2, 28, 23, 0, tzinfo=UTC)  # 2025-03-01 00:00 in Paris: D-365
    assert end == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)


def test_a_day_that_loses_an_hour_is_still_one_whole_day():
    # 2026-03-08 is 23 hours long in New York (daylight saving time starts)
    start, end = window(date(2026, 3, 9), 1, "America/New_York")

    assert (start, end) == (datetime(2026, 3, 8, 5, 0, tzinfo=UTC), datetime(2026, 3, 9, 4, 0, tzinfo=UTC))


def test_all_time_has_no_start():
    assert window(date(2026, 3, 1), None, "UTC") == (None, datetime(2026, 3, 1, tzinfo=UTC))
