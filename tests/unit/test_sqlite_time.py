"""SQLite's text for a time: the hand-written formatter against datetime's own."""

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from milepost.adapters.storage.times import SQLITE_TIME_LENGTH, sqlite_time

zones = st.one_of(
    st.just(UTC),
    st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)


@given(st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=zones))
def test_it_writes_what_isoformat_writes_in_utc(value: datetime) -> None:
    expected = value.astimezone(UTC).isoformat(" ", "microseconds")
    assert sqlite_time(value) == expected
    assert len(expected) == SQLITE_TIME_LENGTH  # the text SqliteTimes.parse keeps


def test_text_order_is_time_order() -> None:
    early = datetime(2026, 5, 1, 9, 59, 59, 999999, tzinfo=UTC)
    late = datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))  # 10:00 UTC
    assert sqlite_time(early) == "2026-05-01 09:59:59.999999+00:00"
    assert sqlite_time(late) == "2026-05-01 10:00:00.000000+00:00"
    assert sqlite_time(early) < sqlite_time(late)
