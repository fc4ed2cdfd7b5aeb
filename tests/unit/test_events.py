"""parse_event: every valid shape, and every rejection with its field and reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from milepost.domain.events import (
    MAX_KEY_LENGTH,
    MAX_MINOR_UNITS,
    CustomerEvent,
    OrderEvent,
    Rejection,
    TrackEvent,
    parse_event,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def order(**overrides):
    raw = {"id": "e1", "type": "order.paid", "customer_id": "c1", "order_id": "o1", "total": 2500, "currency": "USD"}
    raw.update(overrides)
    return {k: v for k, v in raw.items() if v is not ...}


def rejected(raw, index=0) -> Rejection:
    result = parse_event(raw, index, NOW)
    assert isinstance(result, Rejection), result
    return result


def test_a_paid_order_parses_with_every_field():
    event = parse_event(order(occurred_at="2026-02-01T10:00:00+02:00"), 0, NOW)
    assert event == OrderEvent(
        "e1", "order.paid", "c1", "o1", datetime(2026, 2, 1, 8, 0, tzinfo=UTC), 2500, "USD", None
    )
    assert event.occurred_at.tzinfo is UTC


@pytest.mark.parametrize(
    "kind", ["order.placed", "order.paid", "order.completed", "order.delivered", "order.cancelled"]
)
def test_every_order_type_parses(kind):
    assert isinstance(parse_event(order(type=kind), 0, NOW), OrderEvent)


def test_missing_occurred_at_takes_the_clock():
    assert parse_event(order(), 0, NOW).occurred_at == NOW


def test_z_suffix_is_utc():
    assert parse_event(order(occurred_at="2026-02-01T10:00:00Z"), 0, NOW).occurred_at == datetime(
        2026, 2, 1, 10, tzinfo=UTC
    )


def test_aware_datetime_objects_are_accepted_and_converted_to_utc():
    when = datetime(2026, 2, 1, 10, tzinfo=timezone(timedelta(hours=-5)))
    assert parse_event(order(occurred_at=when), 0, NOW).occurred_at == datetime(2026, 2, 1, 15, tzinfo=UTC)


def test_integer_ids_are_taken_as_text():
    event = parse_event(order(id=17, customer_id=42, order_id=1001), 0, NOW)
    assert (event.key, event.customer_id, event.order_id) == ("17", "42", "1001")


def test_a_refund_without_amount_is_a_full_refund_and_with_one_is_partial():
    full = parse_event(order(type="order.refunded", total=...), 0, NOW)
    partial = parse_event(order(type="order.refunded", refund_amount=300), 0, NOW)
    assert full.refund_amount is None
    assert partial.refund_amount == 300


def test_refund_amount_is_ignored_on_other_types():
    assert parse_event(order(refund_amount=300), 0, NOW).refund_amount is None


def test_customer_event_keeps_only_given_profile_fields():
    raw = {"id": "p1", "type": "customer.updated", "customer_id": "c1", "email": "a@b.example", "attributes": {"x": 1}}
    event = parse_event(raw, 0, NOW)
    assert isinstance(event, CustomerEvent)
    assert dict(event.profile) == {"email": "a@b.example", "attributes": {"x": 1}}


def test_customer_event_may_null_email_and_name():
    raw = {"id": "p1", "type": "customer.created", "customer_id": "c1", "email": None, "name": None}
    assert dict(parse_event(raw, 0, NOW).profile) == {"email": None, "name": None}


@pytest.mark.parametrize(
    ("raw", "field", "reason_part"),
    [
        ("not an object", "event", "JSON object"),
        (order(id=...), "id", "required"),
        (order(id=""), "id", "required"),
        (order(id="   "), "id", "required"),
        (order(id=True), "id", "required"),
        (order(id="x" * (MAX_KEY_LENGTH + 1)), "id", f"at most {MAX_KEY_LENGTH}"),
        (order(type="order.shipped"), "type", "must be one of"),
        (order(type=...), "type", "must be one of"),
        (order(customer_id=...), "customer_id", "required"),
        (order(customer_id=["c1"]), "customer_id", "required"),
        (order(order_id=...), "order_id", "required"),
        (order(total=12.5), "total", "integer number of minor units"),
        (order(total="2500"), "total", "integer number of minor units"),
        (order(total=True), "total", "integer number of minor units"),
        (order(total=-1), "total", "between 0 and"),
        (order(total=MAX_MINOR_UNITS + 1), "total", "between 0 and"),
        (order(currency="usd"), "currency", "ISO 4217"),
        (order(currency="DOLLARS"), "currency", "ISO 4217"),
        (order(currency=840), "currency", "ISO 4217"),
        (order(occurred_at="yesterday"), "occurred_at", "ISO 8601"),
        (order(occurred_at="2026-02-01T10:00:00"), "occurred_at", "time zone offset"),
        (order(occurred_at=1700000000), "occurred_at", "ISO 8601"),
        (order(type="order.refunded", refund_amount=0), "refund_amount", "must be positive"),
        (order(type="order.refunded", refund_amount=-5), "refund_amount", "between 0 and"),
        (order(type="order.refunded", refund_amount="5"), "refund_amount", "integer number of minor units"),
        ({"id": "p", "type": "customer.updated", "customer_id": "c", "email": "nope"}, "email", "email address"),
        ({"id": "p", "type": "customer.updated", "customer_id": "c", "email": 5}, "email", "string or null"),
        ({"id": "p", "type": "customer.updated", "customer_id": "c", "name": 5}, "name", "string or null"),
        (
            {"id": "p", "type": "customer.updated", "customer_id": "c", "email_consent": "yes"},
            "email_consent",
            "true or false",
        ),
        (
            {"id": "p", "type": "customer.updated", "customer_id": "c", "sms_consent": None},
            "sms_consent",
            "true or false",
        ),
        ({"id": "p", "type": "customer.updated", "customer_id": "c", "attributes": [1]}, "attributes", "JSON object"),
    ],
)
def test_each_rejection_names_the_field_and_the_reason(raw, field, reason_part):
    rejection = rejected(raw, index=7)
    assert rejection.field == field
    assert reason_part in rejection.reason
    assert rejection.index == 7
    assert str(rejection) == f"{field}: {rejection.reason}"


def test_a_rejection_keeps_the_event_key_when_there_is_one():
    assert rejected(order(total="x")).key == "e1"
    assert rejected(order(id=5, total="x")).key is None  # a non-string id is not echoed back
    assert rejected("junk").key is None


def test_occurred_at_is_required_without_a_clock():
    result = parse_event(order(), 0, None)
    assert isinstance(result, Rejection)
    assert result.field == "occurred_at"


# -- reviews and custom events ---------------------------------------------------------------


def test_a_review_keeps_the_fields_it_gives():
    raw = {"id": "r1", "type": "review.created", "customer_id": "c1", "product_id": 77, "rating": 4}
    event = parse_event(raw, 0, NOW)
    assert event == TrackEvent("r1", "review.created", "c1", NOW, None, {"product_id": "77", "rating": 4})


def test_a_review_needs_nothing_but_the_common_fields():
    event = parse_event({"id": "r1", "type": "review.created", "customer_id": "c1"}, 0, NOW)
    assert isinstance(event, TrackEvent) and event.properties == {}


def test_a_custom_event_keeps_its_name_and_properties():
    raw = {"id": "x1", "type": "custom", "customer_id": "c1", "name": "Wishlist Shared", "properties": {"n": [1]}}
    event = parse_event(raw, 0, NOW)
    assert event == TrackEvent("x1", "custom", "c1", NOW, "Wishlist Shared", {"n": [1]})
    assert parse_event({**raw, "properties": None}, 0, NOW).properties == {}


def custom(**overrides):
    return {"id": "x1", "type": "custom", "customer_id": "c1", "name": "Clicked", **overrides}


def review(**overrides):
    return {"id": "r1", "type": "review.created", "customer_id": "c1", **overrides}


@pytest.mark.parametrize(
    ("raw", "field", "reason_part"),
    [
        (custom(name=None), "name", "required"),
        (custom(name="  "), "name", "required"),
        (custom(name=5), "name", "required"),
        (custom(name="x" * (MAX_KEY_LENGTH + 1)), "name", f"at most {MAX_KEY_LENGTH}"),
        (custom(name="Clicked\x00"), "name", "control characters"),
        (custom(properties=[1]), "properties", "JSON object"),
        (review(rating=0), "rating", "1 to 5"),
        (review(rating=6), "rating", "1 to 5"),
        (review(rating=4.5), "rating", "1 to 5"),
        (review(rating="4"), "rating", "1 to 5"),
        (review(rating=True), "rating", "1 to 5"),
        (review(product_id=""), "product_id", "or left out"),
        (review(review_id=["r"]), "review_id", "or left out"),
    ],
)
def test_reviews_and_custom_events_name_each_rejection(raw, field, reason_part):
    rejection = rejected(raw)
    assert (rejection.field, rejection.key) == (field, raw["id"])
    assert reason_part in rejection.reason


def test_a_time_out_of_range_in_utc_is_rejected_not_raised():
    assert rejected(order(occurred_at="0001-01-01T00:00:00+01:00")).field == "occurred_at"
    assert rejected(order(occurred_at="9999-12-31T23:59:59-01:00")).field == "occurred_at"
