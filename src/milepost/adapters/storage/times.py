"""Times as SQLite stores them: the one text format, written and read back per row of
the ingest batch, so compiled with it (setup.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

#: The length of `sqlite_time`'s text: '2026-05-01 12:00:00.000000+00:00'.
SQLITE_TIME_LENGTH = 32


def sqlite_time(value: datetime) -> str:
    """How SQLite stores a time: ISO 8601 in UTC with microseconds and offset,
    '2026-05-01 12:00:00.000000+00:00', so text order is time order.

    Written by hand from two-digit pieces: ingest formats about one new time per
    event, and `isoformat` (which formats through printf and asks the zone for its
    offset) took 6% of all its instructions; this takes a third of the time."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    year = value.year
    if year < 1000:  # four digits, zero-padded: isoformat knows how
        return value.isoformat(" ", "microseconds")
    two, micro = _TWO_DIGITS, value.microsecond
    return "".join(
        [
            str(year),
            "-",
            two[value.month],
            "-",
            two[value.day],
            " ",
            two[value.hour],
            ":",
            two[value.minute],
            ":",
            two[value.second],
            ".",
            two[micro // 10000],
            two[micro // 100 % 100],
            two[micro % 100],
            "+00:00",
        ]
    )


_TWO_DIGITS = [f"{n:02d}" for n in range(100)]


class SqliteTimes:
    """Times as SQLite stores them, and back, for one transaction. Each time's text is
    kept: a batch writes one time several times (an order's counting time is its
    customer's last order time), and a time read back and written unchanged (a
    customer's first order) needs no formatting."""

    def __init__(self) -> None:
        self.texts: dict[datetime, str] = {}

    def text(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        text = self.texts.get(value)
        if text is None:
            text = self.texts[value] = sqlite_time(value)
        return text

    def parse(self, value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        parsed = datetime.fromisoformat(value)
        if len(value) == SQLITE_TIME_LENGTH:  # as sqlite_time writes it, offset included
            self.texts[parsed] = value
        return parsed
