"""The dashboard's charts: what milestones did per day over the last weeks, in the
store's own days (its time zone), from hourly counts the database adds up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from milepost.domain.records import Store
from milepost.service.ports import Storage
from milepost.service.ports.dashboard import StoreFigures


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    milestones: int = 0
    credit: int = 0  # minor units of the store's currency
    points: int = 0
    codes: int = 0
    attempts: int = 0  # delivery attempts, skips left out
    sent: int = 0  # of which the receiver took the message

    @property
    def success_rate(self) -> float | None:
        """Share of delivery attempts that sent, or None on a day without any."""
        return self.sent / self.attempts if self.attempts else None


@dataclass(frozen=True, slots=True)
class Activity:
    days: list[Day] = field(default_factory=list)  # oldest first, today last

    def total(self, name: str) -> int:
        return sum(getattr(d, name) for d in self.days)

    @property
    def success_rate(self) -> float | None:
        attempts = self.total("attempts")
        return self.total("sent") / attempts if attempts else None


def activity(db: Storage, store: Store, now: datetime, days: int = 30) -> Activity:
    """The last `days` days of the store (today included, in its time zone)."""
    zone = ZoneInfo(store.timezone)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), zone).astimezone(UTC)
    totals: dict[date, dict[str, int]] = {first + timedelta(days=i): {} for i in range(days)}

    def fold(rows: list[tuple[str, int, int]], name: str, second: str | None = None) -> None:
        for hour, value, other in rows:
            local = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(zone).date()
            if local in totals:
                totals[local][name] = totals[local].get(name, 0) + value
                if second:
                    totals[local][second] = totals[local].get(second, 0) + other

    with db.read() as tx:
        queries: list[tuple[Callable[[int, datetime], list[tuple[str, int, int]]], str, str | None]] = [
            (tx.hourly_firings, "milestones", None),
            (tx.hourly_credit, "credit", None),
            (tx.hourly_points, "points", None),
            (tx.hourly_codes, "codes", None),
            (tx.hourly_attempts, "attempts", "sent"),
        ]
        for query, name, second in queries:
            fold(query(store.id, since), name, second)
    return Activity([Day(d, **values) for d, values in totals.items()])


def store_figures(db: Storage, now: datetime, days: int = 30) -> list[tuple[Store, StoreFigures]]:
    """Every store, by key, with its key figures over the last `days` days."""
    with db.read() as tx:
        stores = tx.list_stores()
        figures = tx.store_figures(now - timedelta(days=days))
    return sorted(((s, figures.get(s.id, StoreFigures())) for s in stores), key=lambda pair: pair[0].key)
