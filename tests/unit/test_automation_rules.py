"""An automation's definition, conditions, trigger dates and branch choice (domain/automations.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milepost.domain import event_filters
from milepost.domain.automations import (
    Facts,
    Known,
    Profile,
    Trigger,
    candidate_window,
    choose_branch,
    day_number,
    fires_on,
    holds,
    parse,
    starts_on,
)
from milepost.domain.event_filters import PropertyTest
from milepost.domain.events import OrderEvent, TrackEvent
from milepost.errors import ValidationError
from support.automations import anniversary

KNOWN = Known(
    templates={"anniversary_gift", "anniversary_thanks"},
    pools={"1year_anniversary_discount"},
    users={"agent@shop.example"},
    aggregates={"orders_365d"},
)


def problems(raw: dict[str, Any], known: Known = KNOWN) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        parse(raw, "USD", known)
    return exc.value.problems


def test_the_anniversary_parses_and_round_trips() -> None:
    automation = parse(anniversary(), "USD", KNOWN)
    assert automation.trigger == Trigger("first_purchase", 365)
    assert [b.name for b in automation.branches] == ["1-2 orders", "3+ orders"]
    assert automation.branches[0].failure_actions(0)[0].type == "alert"
    assert automation.aggregates() == {"orders_365d"}
    assert parse(automation.as_dict(), "USD", KNOWN) == automation


def test_what_does_not_exist_is_refused_with_its_path() -> None:
    raw = anniversary()
    raw["branches"][0]["actions"][0]["pool"] = "nope"
    raw["branches"][1]["actions"][0]["template"] = "missing"
    raw["branches"][1]["when"]["field"] = "aggregate.unknown"
    found = problems(raw)
    assert found["branches[0].actions[0].pool"] == "no coupon pool with the key 'nope'"
    assert "no email template" in found["branches[1].actions[0].template"]
    assert found["branches[1].when.field"] == "no aggregate with the key 'unknown'"


def test_bad_shapes_name_the_field() -> None:
    raw = anniversary()
    raw["trigger"] = {"type": "first_purchase", "days": 0}
    raw["audience"]["all"][1]["value"] = "yes"
    raw["branches"][0]["actions"][1]["on_failure"] = [{"type": "add_tag", "tag": "x"}]
    raw["branches"][0]["actions"][0]["on_failure"] = [{"type": "internal_email", "subject": "s", "body": "b"}]
    raw["send_at_local_hour"] = 24
    found = problems(raw)
    assert set(found) == {
        "trigger.days",
        "audience.all[1].value",
        "branches[0].actions[1].on_failure",
        "branches[0].actions[0].on_failure[0].to",
        "send_at_local_hour",
    }


def test_an_internal_email_to_an_unknown_user_is_refused() -> None:
    raw = anniversary()
    raw["branches"][1]["actions"].append(
        {"type": "internal_email", "to": "ghost@shop.example", "subject": "Hi", "body": "{{ customer.name }}"}
    )
    assert problems(raw) == {"branches[1].actions[1].to": "no active user has the email ghost@shop.example"}


def test_audience_and_branches() -> None:
    automation = parse(anniversary(), "USD", KNOWN)
    ok = Profile(email="ada@shop.example", email_consent=True, aggregates={"orders_365d": 1})
    assert holds(automation.audience, ok)
    assert not holds(automation.audience, Profile(email="not-an-address", email_consent=True))
    assert not holds(automation.audience, Profile(email="ada@shop.example"))
    assert choose_branch(automation, ok).name == "1-2 orders"  # type: ignore[union-attr]
    three = Profile(aggregates={"orders_365d": 3})
    assert choose_branch(automation, three).name == "3+ orders"  # type: ignore[union-attr]
    assert choose_branch(automation, Profile()) is None


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "tag", "op": "has", "value": "vip"}, True),
        ({"not": {"field": "tag", "op": "lacks", "value": "vip"}}, True),
        ({"field": "order_count", "op": ">", "value": 4}, True),
        ({"field": "amount_spent", "op": "<", "value": 100}, False),
        ({"field": "attribute.city", "op": "in", "value": ["Oslo", "Bergen"]}, True),
        ({"field": "attribute.city", "op": "!=", "value": "Oslo"}, False),
        ({"field": "attribute.zip", "op": "present"}, False),
        ({"any": [{"field": "sms_consent", "op": "is", "value": True}, {"field": "email", "op": "present"}]}, True),
    ],
)
def test_conditions(condition: dict[str, Any], expected: bool) -> None:
    raw = anniversary()
    raw["audience"] = condition
    automation = parse(raw, "USD", KNOWN)
    profile = Profile(
        email="a@b.example",
        tags=frozenset({"vip"}),
        metrics={"order_count": 5, "amount_spent": 900},
        attributes={"city": "Oslo"},
    )
    assert holds(automation.audience, profile) is expected


def test_a_first_purchase_at_2330_local_on_a_dst_day_is_its_local_date() -> None:
    zone = "Europe/Berlin"  # 2025-03-30: clocks go from 02:00 to 03:00
    paid = datetime(2025, 3, 30, 23, 30, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    trigger = Trigger("first_purchase", 365)
    days = [d for d in _days_around(date(2026, 3, 30)) if fires_on(trigger, Facts(first_order_at=paid), d, zone)]
    assert days == [date(2026, 3, 30)]


def test_the_customer_time_zone_decides_the_date() -> None:
    paid = datetime(2025, 6, 1, 11, 0, tzinfo=UTC)  # 2 June 01:00 in Kiritimati, 1 June 00:00 in Pago Pago
    trigger = Trigger("first_purchase", 365)
    for zone, local in (("Pacific/Kiritimati", date(2025, 6, 2)), ("Pacific/Pago_Pago", date(2025, 6, 1))):
        facts = Facts(first_order_at=paid, attributes={"timezone": zone})
        assert [d for d in _days_around(local + timedelta(365)) if fires_on(trigger, facts, d, "UTC")] == [
            local + timedelta(365)
        ]
    nonsense = Facts(first_order_at=paid, attributes={"timezone": "Mars/Olympus"})
    assert fires_on(trigger, nonsense, date(2026, 6, 1), "Asia/Tokyo")  # the store's zone: 20:00 on 1 June


def test_a_365_day_span_ending_on_29_february_is_one_day() -> None:
    paid = datetime(2027, 3, 1, 12, tzinfo=UTC)
    trigger = Trigger("first_purchase", 365)
    assert [d for d in _days_around(date(2028, 2, 29)) if fires_on(trigger, Facts(first_order_at=paid), d, "UTC")] == [
        date(2028, 2, 29)
    ]


def test_a_birthday_on_29_february_is_28_february_in_other_years() -> None:
    trigger = Trigger("date_attribute", 0, "birthday", yearly=True)
    facts = Facts(attributes={"birthday": "2000-02-29"})
    assert [d for d in _year(2027) if fires_on(trigger, facts, d, "UTC")] == [date(2027, 2, 28)]
    assert [d for d in _year(2028) if fires_on(trigger, facts, d, "UTC")] == [date(2028, 2, 29)]


def test_days_before_a_date_attribute() -> None:
    trigger = Trigger("date_attribute", -7, "renewal")
    facts = Facts(attributes={"renewal": "2026-05-10"})
    assert [d for d in _year(2026) if fires_on(trigger, facts, d, "UTC")] == [date(2026, 5, 3)]
    assert not fires_on(trigger, Facts(attributes={"renewal": "10/05/2026"}), date(2026, 5, 3), "UTC")


def test_the_occurrence_is_the_day_number() -> None:
    assert day_number(date(1970, 1, 2)) == 1
    assert day_number(date(2026, 12, 7)) == 20_794


ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


@settings(max_examples=300, deadline=None)
@given(
    paid=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)),
    store=st.sampled_from(ZONES),
    customer=st.sampled_from(ZONES),
    days=st.integers(1, 800),
)
def test_a_first_purchase_is_found_on_exactly_one_day(paid: datetime, store: str, customer: str, days: int) -> None:
    """For any purchase instant and any store and customer zones, the days whose candidate
    window holds it and whose trigger finds it are exactly one."""
    trigger = Trigger("first_purchase", days)
    facts = Facts(first_order_at=paid, attributes={"timezone": customer})
    found = []
    for d in _days_around(paid.date() + timedelta(days)):
        start, end = candidate_window(d - timedelta(days))
        if start <= paid < end and fires_on(trigger, facts, d, store):
            found.append(d)
    assert len(found) == 1


def _days_around(day: date) -> list[date]:
    return [day + timedelta(i) for i in range(-3, 4)]


def _year(year: int) -> list[date]:
    return [date(year, 1, 1) + timedelta(i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]


AT = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("trigger", "event", "expected"),
    [
        (Trigger("event", event="review written"), TrackEvent("e", "custom", "c", AT, "review written"), True),
        (Trigger("event", event="review written"), TrackEvent("e", "custom", "c", AT, "other"), False),
        (Trigger("event", event="order.paid"), OrderEvent("e", "order.paid", "c", "o1", AT, 500), True),
        (
            Trigger("event", event="order.paid", where=(PropertyTest("total", "eq", 500),)),
            OrderEvent("e", "order.paid", "c", "o", AT, 500),
            True,
        ),
        (
            Trigger("event", event="order.paid", where=(PropertyTest("total", "eq", 9),)),
            OrderEvent("e", "order.paid", "c", "o", AT, 500),
            False,
        ),
        (
            Trigger("event", event="x", where=(PropertyTest("rating", "eq", 5),)),
            TrackEvent("e", "custom", "c", AT, "x", {"rating": 5}),
            True,
        ),
        (
            Trigger("event", event="x", where=(PropertyTest("rating", "eq", 5),)),
            TrackEvent("e", "custom", "c", AT, "x", {"rating": "5"}),
            False,
        ),
        (
            Trigger("event", event="x", where=(PropertyTest("rating", "eq", 5),)),
            TrackEvent("e", "custom", "c", AT, "x"),
            False,
        ),
        (Trigger("milestone", program="prg_1"), TrackEvent("e", "custom", "c", AT, "x"), False),
    ],
)
def test_an_event_starts_an_automation_on_its_type_or_name_and_equal_properties(
    trigger: Trigger, event: Any, expected: bool
) -> None:
    assert starts_on(trigger, event) is expected


def test_an_event_trigger_compares_plain_values_for_equality() -> None:
    trigger = {"type": "event", "event": "x", "where": {"tags": ["a"]}}
    assert problems(anniversary(trigger=trigger)) == {"trigger.where.tags": "must be a string, number or boolean"}


def _passes(where: dict[str, Any], properties: dict[str, Any]) -> bool:
    trigger = Trigger("event", event="x", where=event_filters.parse(where, "trigger.where", {}))
    return starts_on(trigger, TrackEvent("e", "custom", "c", AT, "x", properties))


@pytest.mark.parametrize(
    ("where", "properties", "expected"),
    [
        ({"value": {"gt": 50}}, {"value": 60}, True),
        ({"value": {"gt": 50}}, {"value": 50}, False),
        ({"value": {"gt": 50}}, {"value": 40}, False),
        ({"value": {"gt": 50}}, {"value": "60"}, False),  # a numeric string is not a number
        ({"value": {"gt": 50}}, {"value": True}, False),
        ({"value": {"gt": 50}}, {}, False),
        ({"value": {"gte": 50, "lt": 100}}, {"value": 50}, True),
        ({"value": {"gte": 50, "lt": 100}}, {"value": 100}, False),
        ({"value": {"lte": 9.5}}, {"value": 9.5}, True),
        ({"plan": {"ne": "gold"}}, {"plan": "silver"}, True),
        ({"plan": {"ne": "gold"}}, {}, True),
        ({"plan": {"ne": "gold"}}, {"plan": "gold"}, False),
        ({"plan": {"eq": "gold"}}, {"plan": "gold"}, True),
        ({"flag": True}, {"flag": 1}, False),  # true is not 1
        ({"plan": {"in": ["gold", "silver"]}}, {"plan": "silver"}, True),
        ({"plan": {"in": ["gold", "silver"]}}, {"plan": "bronze"}, False),
        ({"note": {"contains": "gift"}}, {"note": "a gift wrap"}, True),
        ({"note": {"contains": "gift"}}, {"note": "plain"}, False),
        ({"tags": {"contains": "vip"}}, {"tags": ["new", "vip"]}, True),
        ({"tags": {"contains": "vip"}}, {"tags": ["new"]}, False),
        ({"coupon": {"exists": True}}, {"coupon": "X"}, True),
        ({"coupon": {"exists": True}}, {"coupon": None}, False),
        ({"coupon": {"exists": False}}, {}, True),
        ({"coupon": {"exists": False}}, {"coupon": "X"}, False),
    ],
)
def test_an_event_trigger_tests_properties_with_operators(
    where: dict[str, Any], properties: dict[str, Any], expected: bool
) -> None:
    assert _passes(where, properties) is expected


@pytest.mark.parametrize(
    ("where", "path", "reason"),
    [
        ({"value": {"over": 50}}, "trigger.where.value.over", "is not an operator; one of eq, ne, gt, gte, lt, lte"),
        ({"value": {"gt": "50"}}, "trigger.where.value.gt", "gt compares numbers: must be a number"),
        ({"value": {"lte": True}}, "trigger.where.value.lte", "lte compares numbers: must be a number"),
        ({"plan": {"in": []}}, "trigger.where.plan.in", "must be a non-empty list of strings, numbers or booleans"),
        ({"plan": {"in": "gold"}}, "trigger.where.plan.in", "must be a non-empty list of strings, numbers or booleans"),
        ({"coupon": {"exists": "yes"}}, "trigger.where.coupon.exists", "must be true or false"),
        ({"tags": {"contains": ["a"]}}, "trigger.where.tags.contains", "must be a string, number or boolean"),
        ({"value": {}}, "trigger.where.value", "must name an operator: eq, ne, gt, gte, lt, lte"),
        (["value"], "trigger.where", "must be an object of property: value, or property: {operator: value}"),
    ],
)
def test_an_event_trigger_where_is_checked_with_its_path(where: Any, path: str, reason: str) -> None:
    found = problems(anniversary(trigger={"type": "event", "event": "x", "where": where}))
    assert list(found) == [path] and found[path].startswith(reason)


def test_an_event_trigger_where_round_trips() -> None:
    where = {"plan": "gold", "value": {"gt": 50, "lte": 100}, "tags": {"contains": "vip"}}
    trigger = parse(anniversary(trigger={"type": "event", "event": "x", "where": where}), "USD").trigger
    assert trigger.as_dict()["where"] == where


def test_a_wait_parses_and_round_trips() -> None:
    branches = [{"name": "all", "actions": [{"type": "wait", "days": 3}, {"type": "add_tag", "tag": "t"}]}]
    automation = parse(anniversary(branches=branches), "USD", KNOWN)
    assert automation.waits and automation.branches[0].actions[0].kw == {"days": 3}
    assert parse(automation.as_dict(), "USD", KNOWN) == automation
