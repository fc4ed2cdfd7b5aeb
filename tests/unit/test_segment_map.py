"""translate: one Segment message as one native event, or the reason it cannot be one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from milepost.domain.events import OrderEvent, TrackEvent, parse_event
from milepost.entrypoints.http.segment_map import Translated, Unmapped, minor_units, stars, translate

WHEN = "2026-02-01T10:00:00.000Z"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def track(event: str, **properties: Any) -> dict[str, Any]:
    return {"type": "track", "messageId": "m1", "userId": "u1", "event": event, "properties": properties}


def identify(**traits: Any) -> dict[str, Any]:
    return {"type": "identify", "messageId": "m2", "userId": "u1", "traits": traits}


def event_of(message: Any, currency: str = "USD", kind: str | None = None) -> dict[str, Any]:
    result = translate(message, currency, kind)
    assert isinstance(result, Translated), result
    return result.event


def unmapped(message: Any, kind: str | None = None) -> Unmapped:
    result = translate(message, "USD", kind)
    assert isinstance(result, Unmapped), result
    return result


# -- orders ------------------------------------------------------------------------------------


def test_order_completed_is_a_completed_order_in_minor_units():
    message = {**track("Order Completed", order_id="o1", total=27.50, revenue=25, currency="usd"), "timestamp": WHEN}
    event = event_of(message)
    assert event == {
        "id": "m1",
        "customer_id": "u1",
        "occurred_at": WHEN,
        "type": "order.completed",
        "order_id": "o1",
        "currency": "USD",
        "total": 2750,
        "properties": message["properties"],
    }
    assert isinstance(parse_event(event, 0, None), OrderEvent)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Order Placed", "order.placed"),
        ("Order Paid", "order.paid"),
        ("Order Completed", "order.completed"),
        ("order_completed", "order.completed"),
        ("ORDER  COMPLETED", "order.completed"),
        ("Order Fulfilled", "order.delivered"),
        ("Order Delivered", "order.delivered"),
        ("Order Refunded", "order.refunded"),
        ("Order Cancelled", "order.cancelled"),
        ("Order Canceled", "order.cancelled"),
    ],
)
def test_order_event_names(name, kind):
    assert event_of(track(name, order_id="o1"))["type"] == kind


def test_revenue_is_the_total_when_there_is_no_total_and_orderId_is_read_too():
    event = event_of(track("Order Paid", orderId=42, revenue="19.99"))
    assert (event["order_id"], event["total"]) == (42, 1999)


@pytest.mark.parametrize(
    ("currency", "amount", "expected"),
    [("JPY", 1500, 1500), ("KRW", "12000", 12000), ("KWD", 1.25, 1250), ("EUR", 0.125, 12), ("usd", 0.135, 14)],
)
def test_money_follows_the_currency_exponent_rounding_half_even(currency, amount, expected):
    assert event_of(track("Order Paid", order_id="o1", total=amount, currency=currency))["total"] == expected


def test_an_amount_without_currency_takes_the_store_currency_exponent():
    message = track("Order Paid", order_id="o1", total=1500)
    assert event_of(message, currency="JPY")["total"] == 1500
    assert "currency" not in event_of(message, currency="JPY")
    assert event_of(message, currency="USD")["total"] == 150000


def test_a_refund_amount_is_partial_and_no_amount_is_full():
    assert event_of(track("Order Refunded", order_id="o1", total=5))["refund_amount"] == 500
    assert event_of(track("Order Refunded", order_id="o1", refund_amount=2, total=5))["refund_amount"] == 200
    full = event_of(track("Order Refunded", order_id="o1"))
    assert "refund_amount" not in full and "total" not in full


def test_a_cancellation_reads_no_amount():
    assert "total" not in event_of(track("Order Cancelled", order_id="o1", total="not a number"))


@pytest.mark.parametrize(
    ("amount", "reason_part"),
    [
        ("abc", "a number"),
        (True, "a number"),
        ([1], "a number"),
        ("NaN", "finite"),
        (-1, "negative"),
        (1e30, "at most"),
    ],
)
def test_a_bad_amount_names_the_property(amount, reason_part):
    problem = unmapped(track("Order Paid", order_id="o1", revenue=amount))
    assert problem.field == "properties.revenue" and reason_part in problem.reason


def test_minor_units_is_exact_for_decimal_strings():
    assert minor_units("0.1", 2) + minor_units("0.2", 2) == minor_units("0.3", 2) == 30


# -- reviews and custom events -----------------------------------------------------------------


def test_product_reviewed_is_a_review_with_a_coerced_rating():
    event = event_of(track("Product Reviewed", product_id="p1", review_id="r1", rating="4.0", review_body="Nice"))
    assert (event["type"], event["product_id"], event["review_id"], event["rating"]) == (
        "review.created",
        "p1",
        "r1",
        4,
    )
    assert event["properties"]["review_body"] == "Nice"
    assert isinstance(parse_event(event, 0, NOW), TrackEvent)


@pytest.mark.parametrize(("value", "expected"), [(5, 5), (3.0, 3), (" 2 ", 2), (4.5, None), (0, None), ("x", None)])
def test_stars(value, expected):
    assert stars(value) == expected


def test_a_rating_out_of_range_is_dropped_not_rejected():
    assert "rating" not in event_of(track("Product Reviewed", product_id="p1", rating=9))


def test_any_other_event_is_custom_with_its_name_and_properties():
    event = event_of(track("Wishlist Shared", items=["p1"]))
    assert (event["type"], event["name"], event["properties"]) == ("custom", "Wishlist Shared", {"items": ["p1"]})


def test_the_path_gives_the_type_when_the_message_has_none():
    message = track("Signed Up")
    del message["type"]
    assert event_of(message, kind="track")["type"] == "custom"


# -- identify ----------------------------------------------------------------------------------


def test_identify_reads_email_name_consents_and_keeps_other_traits_as_attributes():
    event = event_of(identify(email="ada@example.com", name="Ada", email_consent=True, smsOptIn=False, plan="gold"))
    assert event == {
        "id": "m2",
        "customer_id": "u1",
        "type": "customer.updated",
        "email": "ada@example.com",
        "name": "Ada",
        "email_consent": True,
        "sms_consent": False,
        "attributes": {"plan": "gold"},
    }


def test_identify_joins_first_and_last_name():
    assert event_of(identify(firstName="Ada", lastName="Lovelace"))["name"] == "Ada Lovelace"
    assert event_of(identify(first_name="Ada"))["name"] == "Ada"
    assert "attributes" not in event_of(identify(firstName="Ada", lastName="Lovelace", emailOptIn=True))


def test_identify_without_traits_only_names_the_customer():
    message = identify()
    del message["traits"]
    assert event_of(message) == {"id": "m2", "customer_id": "u1", "type": "customer.updated"}


# -- time --------------------------------------------------------------------------------------


def test_time_is_timestamp_then_originalTimestamp_then_sentAt():
    base = track("X")
    assert event_of({**base, "sentAt": "s", "originalTimestamp": "o", "timestamp": "t"})["occurred_at"] == "t"
    assert event_of({**base, "sentAt": "s", "originalTimestamp": "o"})["occurred_at"] == "o"
    result = translate({**base, "sentAt": "s"}, "USD")
    assert (result.event["occurred_at"], result.fields["occurred_at"]) == ("s", "sentAt")
    assert "occurred_at" not in event_of(base)


# -- rejections --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "field", "reason_part"),
    [
        ("junk", "message", "JSON object"),
        ({**track("X"), "userId": None, "anonymousId": "a1"}, "userId", "Milepost tracks known customers"),
        ({**track("X"), "messageId": ""}, "messageId", "idempotency key"),
        ({**track("X"), "type": "page"}, "type", "'page' is not used by Milepost"),
        ({**track("X"), "type": "alias"}, "type", "'alias' is not used by Milepost"),
        ({**track("X"), "type": "bogus"}, "type", "must be track or identify"),
        ({**track("X"), "type": None}, "type", "is required"),
        ({**track("X"), "event": ""}, "event", "is required"),
        ({**track("X"), "properties": [1]}, "properties", "JSON object"),
        ({**identify(), "traits": "x"}, "traits", "JSON object"),
        (identify(firstName=5), "traits.firstName", "strings"),
    ],
)
def test_each_unmappable_message_names_its_field(message, field, reason_part):
    problem = unmapped(message)
    assert problem.field == field and reason_part in problem.reason


def test_fields_tell_where_each_native_field_came_from():
    result = translate(track("Order Refunded", order_id="o1", revenue=3, currency="usd"), "USD")
    assert result.fields["refund_amount"] == "properties.revenue"
    assert result.fields["currency"] == "properties.currency"
    assert result.fields["customer_id"] == "userId"
    assert translate(identify(emailOptIn="yes"), "USD").fields["email_consent"] == "traits.emailOptIn"
