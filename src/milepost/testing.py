"""Public helpers for testing code that uses Milepost: a clock you control.

clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
mp = connect("sqlite:///:memory:", clock=clock)   # or a file, or PostgreSQL
clock.advance(days=365)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FrozenClock:
    """A clock that stands still until told to move. Call it for the time."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = _aware(now or datetime(2026, 1, 1, 12, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = _aware(now)

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move forward by `delta` or by keyword parts (days=, hours=, seconds=)."""
        self.now += delta if delta is not None else timedelta(**parts)
        return self.now


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("the clock needs an aware datetime (tzinfo=UTC)")
    return value.astimezone(UTC)
