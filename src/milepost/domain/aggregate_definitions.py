"""Aggregates the store operator defines: a named number per customer, such as "orders in
the last 365 days", that automation conditions (and later segments and templates) use.

An aggregate counts, or sums a numeric property of, one source: the customer's orders
that count (dated by when they reached the store's counting status) or their events of
one type or custom event name, over all time or a rolling window of N store-local days.

The window rule: as of the store-local day D, a window of N days covers the local dates
D-N .. D-1, the N whole days before D; all time covers every day before D. D itself is
never in: a value as of D is the same whenever on D it is asked, so a daily run replayed
later gives the same answer. On the anniversary D, a first purchase on D-365 is inside a
365-day window.

Here: what a definition may hold, and the window's bounds as UTC instants. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from milepost.domain.events import EVENT_TYPES
from milepost.domain.pools import check_name
from milepost.errors import ValidationError

ORDERS = "orders"
FUNCTIONS = ("count", "sum")
#: The event types an aggregate may read by type; any other source is a custom event's name.
TYPED_SOURCES = tuple(t for t in EVENT_TYPES if t != "custom")
MAX_WINDOW_DAYS = 3660
MAX_SOURCE = 200
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_PROPERTY = re.compile(r"^[A-Za-z0-9_]{1,64}$")


@dataclass(frozen=True, slots=True)
class Aggregate:
    key: str
    name: str
    source: str  # "orders", an event type, or a custom event's name
    function: str  # "count" or "sum"
    property: str | None = None  # the numeric property summed (events); None for counts and orders
    window_days: int | None = None  # None: all time
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "source": self.source,
            "function": self.function,
            "property": self.property,
            "window_days": self.window_days,
        }


def is_custom(source: str) -> bool:
    """Whether `source` names a custom event (stored with the type `custom`, by its `name`)."""
    return source != ORDERS and source not in TYPED_SOURCES


def check_aggregate(values: dict[str, Any]) -> Aggregate:
    """A definition from `values` (key, name, source, function, property, window_days),
    or a ValidationError naming the field."""
    source = _source(values.get("source"))
    function = values.get("function", "count")
    if function not in FUNCTIONS:
        raise _invalid("function", "must be 'count' or 'sum'")
    prop = values.get("property")
    if function == "sum" and source != ORDERS:
        if not isinstance(prop, str) or not _PROPERTY.match(prop):
            raise _invalid("property", "a sum of events names the numeric property summed: letters, digits, '_'")
    elif prop is not None:
        raise _invalid("property", "only a sum of events names a property (a sum of orders adds their net totals)")
    key, name, days = _key(values.get("key")), check_name(values.get("name")), _window(values.get("window_days"))
    return Aggregate(key, name, source, function, prop, days)


def window(day: date, window_days: int | None, timezone: str) -> tuple[datetime | None, datetime]:
    """[start, end) in UTC of the window as of the store-local `day`: from the local
    midnight that starts D-N (None: all time) to the one that starts D."""
    zone = ZoneInfo(timezone)
    end = _midnight(day, zone)
    return (None if window_days is None else _midnight(day - timedelta(days=window_days), zone)), end


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _key(value: Any) -> str:
    if not isinstance(value, str) or not _KEY.match(value):
        raise _invalid("key", "a lowercase letter, then lowercase letters, digits or '_', at most 64 (orders_365d)")
    return value


def _source(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_SOURCE or not value.isprintable():
        raise _invalid("source", f"'orders', an event type or a custom event's name, at most {MAX_SOURCE} characters")
    return value


def _window(value: Any) -> int | None:
    if value is None:
        return None
    if value.__class__ is not int or not 1 <= value <= MAX_WINDOW_DAYS:
        raise _invalid("window_days", f"a whole number of days from 1 to {MAX_WINDOW_DAYS}, or null for all time")
    return int(value)


def _invalid(field: str, reason: str) -> ValidationError:
    return ValidationError(f"{field} {reason}", {field: reason})
