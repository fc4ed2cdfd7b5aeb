"""Segment messages as Milepost events: one message in, one event (or the reason it cannot be one) out.

Order events of Segment's e-commerce spec become order events, "Product Reviewed" a
review, "Referral Completed" and "Subscription Renewed" those activities, any other
track event a custom event, and identify a profile update. Money
arrives in major units (27.50) and is stored in minor units (2750). Field names in
reasons are the message's own (`properties.total`), so a sender knows what to fix.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, DecimalException
from typing import Any, NamedTuple

from milepost.domain.events import MAX_MINOR_UNITS
from milepost.domain.money import CURRENCY_EXPONENTS

#: Track event names (compared case-insensitively, `_` and `-` read as spaces) and what they become.
ORDER_EVENTS = {
    "order placed": "order.placed",
    "order paid": "order.paid",
    "order completed": "order.completed",
    "order fulfilled": "order.delivered",
    "order delivered": "order.delivered",
    "order refunded": "order.refunded",
    "order cancelled": "order.cancelled",
    "order canceled": "order.cancelled",
}
REVIEW_EVENT = "product reviewed"
#: Activities outside Segment's spec, by the names stores commonly give them: the event
#: type, and the properties copied (the first names the item that counts once).
ACTIVITY_EVENTS = {
    "referral completed": ("referral.completed", ("referral_id", "referred_customer_id")),
    "subscription renewed": ("subscription.renewed", ("invoice_id", "subscription_id")),
}
MESSAGE_TYPES = ("track", "identify")
IGNORED_TYPES = ("page", "screen", "group", "alias")

_MAX_DIGITS = 18  # an amount with more digits than this is out of range, whatever the currency
_NAME_TRAITS = ("name", "firstName", "lastName", "first_name", "last_name")
_CONSENT_TRAITS = {"email_consent": ("email_consent", "emailOptIn"), "sms_consent": ("sms_consent", "smsOptIn")}
_PHONE_NOISE = re.compile(r"[\s().-]")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_READ_TRAITS = frozenset(("email", *_NAME_TRAITS, *(k for keys in _CONSENT_TRAITS.values() for k in keys)))
_TIME_FIELDS = ("timestamp", "originalTimestamp", "sentAt")
_TOTALS = ("total", "revenue")  # the order's total: with shipping and tax when the sender gives it
_REFUND_AMOUNTS = ("refund_amount", "total", "revenue")  # what was refunded; none of them: all of it


class Translated(NamedTuple):
    """A native event, and where each of its fields came from in the Segment message."""

    event: dict[str, Any]
    fields: dict[str, str]


class Unmapped(NamedTuple):
    """Why a message cannot be an event: the message's field and the reason."""

    field: str
    reason: str


class _Unmappable(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason


def translate(message: Any, store_currency: str, kind: str | None = None) -> Translated | Unmapped:
    """One Segment message as one native event. `kind` is the message type the endpoint
    implies (/v1/track, /v1/identify); in a batch each message names its own `type`.
    `store_currency` gives the exponent of amounts sent without a currency."""
    try:
        return _translate(message, store_currency, kind)
    except _Unmappable as problem:
        return Unmapped(problem.field, problem.reason)


def _translate(message: Any, store_currency: str, kind: str | None) -> Translated:
    if not isinstance(message, dict):
        raise _Unmappable("message", "must be a JSON object")
    kind = kind or message.get("type")
    if kind not in MESSAGE_TYPES:
        raise _Unmappable("type", _type_reason(kind))
    event = {"id": _message_id(message), "customer_id": _user_id(message)}
    fields = {"id": "messageId", "customer_id": "userId", "occurred_at": "timestamp"}
    _when(message, event, fields)
    if kind == "identify":
        _identify(message, event, fields)
    else:
        _track(message, store_currency, event, fields)
    return Translated(event, fields)


def _type_reason(kind: Any) -> str:
    if kind is None:
        return "is required: track or identify"
    if kind in IGNORED_TYPES:
        return f"{kind!r} is not used by Milepost; send track or identify"
    return f"must be track or identify; got {kind!r}"


def _message_id(message: dict[str, Any]) -> Any:
    value = message.get("messageId")
    if value is None or value == "":
        raise _Unmappable("messageId", "is required: it is the idempotency key")
    return value


def _user_id(message: dict[str, Any]) -> Any:
    value = message.get("userId")
    if value is None or value == "":
        raise _Unmappable("userId", "is required: Milepost tracks known customers")
    return value


def _when(message: dict[str, Any], event: dict[str, Any], fields: dict[str, str]) -> None:
    """occurred_at: the first of timestamp, originalTimestamp, sentAt; else when it arrives."""
    for name in _TIME_FIELDS:
        if message.get(name) is not None:
            event["occurred_at"], fields["occurred_at"] = message[name], name
            return


# -- track -------------------------------------------------------------------------------------


def _track(message: dict[str, Any], store_currency: str, event: dict[str, Any], fields: dict[str, str]) -> None:
    name = message.get("event")
    if not isinstance(name, str) or not name.strip():
        raise _Unmappable("event", "is required: the name of what happened, like 'Order Completed'")
    props = message.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        raise _Unmappable("properties", "must be a JSON object")
    normal = " ".join(name.replace("_", " ").replace("-", " ").split()).lower()
    if normal in ORDER_EVENTS:
        _order(ORDER_EVENTS[normal], props, store_currency, event, fields)
    elif normal == REVIEW_EVENT:
        _review(props, event, fields)
    elif normal in ACTIVITY_EVENTS:
        event["type"], copied = ACTIVITY_EVENTS[normal]
        for key in copied:
            _copy_first(props, (key,), key, event, fields)
    else:
        event["type"], event["name"], fields["name"] = "custom", name, "event"
    event["properties"], fields["properties"] = props, "properties"  # kept with the event for later use


def _order(
    kind: str, props: dict[str, Any], store_currency: str, event: dict[str, Any], fields: dict[str, str]
) -> None:
    event["type"] = kind
    fields["order_id"] = "properties.order_id"
    _copy_first(props, ("order_id", "orderId"), "order_id", event, fields)
    currency = props.get("currency")
    if isinstance(currency, str):
        currency = currency.upper()
    if currency is not None:
        event["currency"], fields["currency"] = currency, "properties.currency"
    if kind == "order.cancelled":
        return
    target, sources = ("refund_amount", _REFUND_AMOUNTS) if kind == "order.refunded" else ("total", _TOTALS)
    exponent = CURRENCY_EXPONENTS.get(currency if isinstance(currency, str) else store_currency, 2)
    for key in sources:
        if props.get(key) is not None:
            event[target] = minor_units(props[key], exponent, f"properties.{key}")
            fields[target] = f"properties.{key}"
            return


def minor_units(value: Any, exponent: int, field: str = "amount") -> int:
    """A decimal amount in major units (27.50, or "27.50") as an integer of minor units
    (2750 when the exponent is 2), rounded half to even."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Unmappable(field, "must be a number, like 27.50")
    try:
        amount = Decimal(str(value).strip())
    except DecimalException:
        raise _Unmappable(field, "must be a number, like 27.50") from None
    if not amount.is_finite():
        raise _Unmappable(field, "must be a finite number")
    if amount < 0:
        raise _Unmappable(field, "must not be negative")
    if amount.adjusted() > _MAX_DIGITS:
        raise _Unmappable(field, f"must be at most {MAX_MINOR_UNITS} in minor units")
    return int(amount.scaleb(exponent).to_integral_value(rounding=ROUND_HALF_EVEN))


def _review(props: dict[str, Any], event: dict[str, Any], fields: dict[str, str]) -> None:
    event["type"] = "review.created"
    for key in ("product_id", "review_id"):
        _copy_first(props, (key,), key, event, fields)
    rating = stars(props.get("rating"))
    if rating is not None:
        event["rating"], fields["rating"] = rating, "properties.rating"


def stars(value: Any) -> int | None:
    """A rating of 1 to 5 as an integer (4, 4.0 and "4" are 4); anything else is None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value).strip())
    except DecimalException:
        return None
    if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= 5:
        return None
    return int(number)


def _copy_first(
    source: dict[str, Any], keys: tuple[str, ...], target: str, event: dict[str, Any], fields: dict[str, str]
) -> None:
    for key in keys:
        if source.get(key) is not None:
            event[target], fields[target] = source[key], f"properties.{key}"
            return


# -- identify ----------------------------------------------------------------------------------


def _identify(message: dict[str, Any], event: dict[str, Any], fields: dict[str, str]) -> None:
    event["type"] = "customer.updated"
    traits = message.get("traits")
    if traits is None:
        traits = {}
    if not isinstance(traits, dict):
        raise _Unmappable("traits", "must be a JSON object")
    if "email" in traits:
        event["email"], fields["email"] = traits["email"], "traits.email"
    phone = traits.get("phone")
    if isinstance(phone, str) and _E164.match(_PHONE_NOISE.sub("", phone)):
        # an E.164 number, maybe written with spaces or dashes; any other form stays an attribute
        event["phone"], fields["phone"] = _PHONE_NOISE.sub("", phone), "traits.phone"
    _name(traits, event, fields)
    for native, keys in _CONSENT_TRAITS.items():
        for key in keys:
            if traits.get(key) is not None:
                event[native], fields[native] = traits[key], f"traits.{key}"
                break
    attributes = {k: v for k, v in traits.items() if k not in _READ_TRAITS and not (k == "phone" and "phone" in event)}
    if attributes:
        event["attributes"], fields["attributes"] = attributes, "traits"


def _name(traits: dict[str, Any], event: dict[str, Any], fields: dict[str, str]) -> None:
    """traits.name, else firstName and lastName (or first_name and last_name) joined."""
    if "name" in traits:
        event["name"], fields["name"] = traits["name"], "traits.name"
        return
    for first, last in (("firstName", "lastName"), ("first_name", "last_name")):
        parts = [traits.get(first), traits.get(last)]
        if any(p is not None for p in parts):
            if not all(p is None or isinstance(p, str) for p in parts):
                raise _Unmappable(f"traits.{first}", f"{first} and {last} must be strings")
            joined = " ".join(p.strip() for p in parts if p and p.strip())
            if joined:
                event["name"], fields["name"] = joined, f"traits.{first}"
            return
