"""Events that come in, as the engine sees them, and their validation.

`parse_event` turns one raw mapping (from JSON lines, the API, a webhook
mapper) into a frozen event or a `Rejection` naming the field and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from milepost.domain.tuples import tuple_new

ORDER_TYPES = (
    "order.placed",
    "order.paid",
    "order.completed",
    "order.delivered",
    "order.refunded",
    "order.cancelled",
)
CUSTOMER_TYPES = ("customer.created", "customer.updated")
#: Activities a customer is counted for, once per distinct item (the review, the referral,
#: the paid invoice): the event type, the field naming the item, and the metric it counts.
ACTIVITY_TYPES = {
    "review.created": ("review_id", "review_count"),
    "referral.completed": ("referral_id", "referral_count"),
    "subscription.renewed": ("invoice_id", "billing_cycles"),
}
#: Events that are not orders or profile changes: counted activities, and custom events
#: (stored, for later journeys and automations).
TRACK_TYPES = (*ACTIVITY_TYPES, "custom")
EVENT_TYPES = ORDER_TYPES + CUSTOMER_TYPES + TRACK_TYPES

#: How far an order has gone; a later status implies the earlier ones.
STATUS_RANK = {"placed": 0, "paid": 1, "completed": 2, "delivered": 3}
COUNTING_STATUSES = ("paid", "completed", "delivered")

MAX_KEY_LENGTH = 200
MAX_MINOR_UNITS = 10**15
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_PROFILE_FIELDS = ("email", "name", "phone", "email_consent", "sms_consent", "attributes")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")  # E.164
_EVENT_TYPES = frozenset(EVENT_TYPES)
_ORDER_TYPES = frozenset(ORDER_TYPES)
_CUSTOMER_TYPES = frozenset(CUSTOMER_TYPES)
_MAX_RATING = 5
_SEEN_CURRENCIES: set[str] = set()  # well-formed codes met so far: the check is a set lookup after the first


class OrderEvent(NamedTuple):
    """Immutable; a tuple because ingest builds one per event."""

    key: str
    type: str
    customer_id: str
    order_id: str
    occurred_at: datetime
    total: int | None = None
    currency: str | None = None
    refund_amount: int | None = None  # None on a refund means the whole order


class CustomerEvent(NamedTuple):
    key: str
    type: str
    customer_id: str
    occurred_at: datetime
    profile: tuple[tuple[str, Any], ...] = ()  # only the fields the event gave


class TrackEvent(NamedTuple):
    """An activity (a review, a referral, a billing cycle paid) or a custom event."""

    key: str
    type: str
    customer_id: str
    occurred_at: datetime
    name: str | None = None  # a custom event's name
    properties: dict[str, Any] | None = None  # a custom event's properties; an activity's given fields

    @property
    def item(self) -> str:
        """What an activity counts once: its own id (review_id, ...), else the event's id."""
        field = ACTIVITY_TYPES[self.type][0]
        given = self.properties.get(field) if self.properties else None
        return given or self.key


Event = OrderEvent | CustomerEvent | TrackEvent


@dataclass(frozen=True, slots=True)
class Rejection:
    index: int
    key: str | None
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class _Invalid(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason


def parse_event(raw: Any, index: int = 0, now: datetime | None = None) -> Event | Rejection:
    """Validate one raw event; never raises for bad input."""
    key = raw.get("id") if isinstance(raw, dict) else None
    try:
        if not isinstance(raw, dict):
            raise _Invalid("event", "must be a JSON object")
        return _parse(raw, now)
    except _Invalid as problem:
        return Rejection(index, key if isinstance(key, str) else None, problem.field, problem.reason)


def _parse(raw: dict[str, Any], now: datetime | None) -> Event:
    key = _text(raw, "id", required=True)
    kind = raw.get("type")
    if kind not in _EVENT_TYPES:
        raise _Invalid("type", f"must be one of {', '.join(EVENT_TYPES)}; got {kind!r}")
    customer_id = _text(raw, "customer_id", required=True)
    occurred_at = _time(raw.get("occurred_at"), now)
    if kind not in _ORDER_TYPES:
        return _not_an_order(raw, kind, key, customer_id, occurred_at)
    order_id = _text(raw, "order_id", required=True)
    total = _minor_units(raw, "total")
    currency = raw.get("currency")
    if currency is not None and currency not in _SEEN_CURRENCIES:
        if not isinstance(currency, str) or not _CURRENCY.match(currency):
            raise _Invalid("currency", "must be an ISO 4217 code in capitals, like 'USD'")
        _SEEN_CURRENCIES.add(currency)
    refund = _minor_units(raw, "refund_amount") if kind == "order.refunded" else None
    if refund == 0:
        raise _Invalid("refund_amount", "must be positive; leave it out for a full refund")
    return tuple_new(OrderEvent, (key, kind, customer_id, order_id, occurred_at, total, currency, refund))


def _not_an_order(raw: dict[str, Any], kind: str, key: str, customer_id: str, occurred_at: datetime) -> Event:
    if kind in _CUSTOMER_TYPES:
        return CustomerEvent(key, kind, customer_id, occurred_at, _profile(raw))
    if kind == "custom":
        return TrackEvent(key, kind, customer_id, occurred_at, _name(raw), _properties(raw))
    if kind == "review.created":
        return TrackEvent(key, kind, customer_id, occurred_at, None, _review(raw))
    if kind == "referral.completed":
        return TrackEvent(key, kind, customer_id, occurred_at, None, _given(raw, "referral_id", "referred_customer_id"))
    return TrackEvent(key, kind, customer_id, occurred_at, None, _renewal(raw))


def _given(raw: dict[str, Any], *fields: str) -> dict[str, Any]:
    return {field: _optional_text(raw, field) for field in fields if raw.get(field) is not None}


def _renewal(raw: dict[str, Any]) -> dict[str, Any]:
    given = _given(raw, "invoice_id", "subscription_id")
    amount = _minor_units(raw, "total")
    if amount is not None:
        given["total"] = amount
    return given


def _name(raw: dict[str, Any]) -> str:
    value = raw.get("name")
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("name", "is required and must be a non-empty string: the event's name")
    if len(value) > MAX_KEY_LENGTH:
        raise _Invalid("name", f"must be at most {MAX_KEY_LENGTH} characters")
    if not value.isprintable():
        raise _Invalid("name", "must not contain control characters")
    return value


def _properties(raw: dict[str, Any]) -> dict[str, Any]:
    value = raw.get("properties")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Invalid("properties", "must be a JSON object")
    return value


def _review(raw: dict[str, Any]) -> dict[str, Any]:
    given: dict[str, Any] = {}
    for field in ("product_id", "review_id"):
        if raw.get(field) is not None:
            given[field] = _optional_text(raw, field)
    rating = raw.get("rating")
    if rating is not None:
        if rating.__class__ is not int or not 1 <= rating <= _MAX_RATING:
            raise _Invalid("rating", f"must be a whole number from 1 to {_MAX_RATING}")
        given["rating"] = rating
    return given


def _text(raw: dict[str, Any], field: str, required: bool = False) -> str:
    value = raw.get(field)
    if (
        type(value) is str
        and 0 < len(value) <= MAX_KEY_LENGTH
        and not value[0].isspace()
        and not value[-1].isspace()
        and value.isprintable()
    ):
        return value  # the common case, checked cheaply
    if value is None and not required:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(field, "is required and must be a non-empty string")
    if len(value) > MAX_KEY_LENGTH:
        raise _Invalid(field, f"must be at most {MAX_KEY_LENGTH} characters")
    if not value.isprintable():
        raise _Invalid(field, "must not contain control characters")
    return value


def _optional_text(raw: dict[str, Any], field: str) -> str:
    try:
        return _text(raw, field, required=True)
    except _Invalid as problem:
        reason = problem.reason.replace("is required and must be", "must be")
        raise _Invalid(field, f"{reason}, or left out") from None


def _minor_units(raw: dict[str, Any], field: str) -> int | None:
    value = raw.get(field)
    if value is None:
        return None
    if value.__class__ is int and 0 <= value <= MAX_MINOR_UNITS:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(field, "must be an integer number of minor units (cents), like 1999")
    if not 0 <= value <= MAX_MINOR_UNITS:
        raise _Invalid(field, f"must be between 0 and {MAX_MINOR_UNITS}")
    return value


def _time(value: Any, now: datetime | None) -> datetime:
    if value is None:
        if now is None:
            raise _Invalid("occurred_at", "is required")
        return now
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _Invalid("occurred_at", "must be an ISO 8601 time, like 2026-05-01T12:00:00Z") from None
    else:
        raise _Invalid("occurred_at", "must be an ISO 8601 time string")
    if parsed.tzinfo is UTC:  # 'Z' or '+00:00': nothing to convert
        return parsed
    if parsed.tzinfo is None:
        raise _Invalid("occurred_at", "must include a time zone offset (Z for UTC)")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise _Invalid("occurred_at", "must be a time between the years 1 and 9999 in UTC") from None


def _profile(raw: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    given = []
    for field in _PROFILE_FIELDS:
        if field not in raw:
            continue
        value = raw[field]
        if field in ("email", "name") and value is not None and not isinstance(value, str):
            raise _Invalid(field, "must be a string or null")
        if field in ("email", "name") and value and "\x00" in value:
            raise _Invalid(field, "must not contain NUL characters")
        if field == "email" and value and "@" not in value:
            raise _Invalid(field, "must be an email address")
        if field == "phone" and value is not None and (not isinstance(value, str) or not _PHONE.match(value)):
            raise _Invalid(field, "must be a phone number in E.164 form, like '+14155550123', or null")
        if field.endswith("_consent") and not isinstance(value, bool):
            raise _Invalid(field, "must be true or false")
        if field == "attributes" and not isinstance(value, dict):
            raise _Invalid(field, "must be a JSON object")
        given.append((field, value))
    return tuple(given)
