"""Segment definitions: parsed into filters, refused with the field's path and the reason,
and what each says about time."""

from __future__ import annotations

import pytest

from milepost.domain.segments import (
    FIRST_REDEMPTION,
    EventFilter,
    Known,
    PropertyFilter,
    SegmentFilter,
    TagFilter,
    changes_with_time,
    moved_by,
    parse,
)
from milepost.errors import ValidationError


def _refused(raw: dict, known: Known | None = None) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        parse(raw, known or Known())
    return caught.value.problems


def _one(*filters: dict, key: str = "s") -> dict:
    return {"key": key, "name": "S", "filters": list(filters)}


def test_the_example_that_ships_is_two_event_filters_that_must_both_hold():
    segment = parse(FIRST_REDEMPTION)

    assert segment.kind == "auto"
    assert segment.groups == (
        (
            EventFilter("customer.created", "has_occurred", "more_than", 0),
            EventFilter("redemption.succeeded", "has_occurred", "exactly", 1),
        ),
    )
    assert not segment.changes_with_time
    assert parse(segment.as_dict()) == segment  # what it shows is what it takes back


def test_groups_are_alternatives_and_a_property_filter_keeps_some_events():
    raw = {
        "key": "big",
        "name": "Big spenders or VIPs",
        "groups": [
            {
                "filters": [
                    {
                        "type": "event",
                        "event": "cart_abandoned",
                        "metric": "has_occurred",
                        "condition": "more_than",
                        "value": 0,
                        "within_days": 7,
                        "where": [{"property": "properties.value", "op": ">", "value": 50}],
                    }
                ]
            },
            {"filters": [{"type": "tag", "op": "has", "tag": "vip"}]},
        ],
    }

    segment = parse(raw)

    first = segment.groups[0][0]
    assert isinstance(first, EventFilter)
    assert first.where == (PropertyFilter(("properties", "value"), ">", 50),)
    assert first.changes_with_time  # a rolling window moves with the days
    assert segment.groups[1] == (TagFilter("vip", True),)
    assert segment.changes_with_time


@pytest.mark.parametrize(
    ("filter_", "field", "reason"),
    [
        ({"type": "attribute", "attribute": "city", "op": "~", "value": "x"}, "op", "unknown operator '~'"),
        (
            {"type": "event", "event": "e", "metric": "has_occurred", "condition": "about", "value": 1},
            "condition",
            "unknown condition 'about'",
        ),
        (
            {"type": "event", "event": "e", "metric": "last_occurred", "condition": "more_than", "value": -7},
            "value",
            "a whole number of days, 0 or more",
        ),
        (
            {"type": "event", "event": "e", "condition": "exactly", "value": 1, "within_days": -3},
            "within_days",
            "must be a whole number of days from 1",
        ),
        (
            {
                "type": "event",
                "event": "e",
                "condition": "exactly",
                "value": 1,
                "where": [{"property": "properties.value", "op": "≥", "value": 50}],
            },
            "where[0].op",
            "unknown operator '≥'",
        ),
        ({"type": "tag", "op": "is", "tag": "vip"}, "op", "must be 'has' or 'lacks'"),
        ({"type": "metric", "metric": "visits", "condition": "exactly", "value": 1}, "metric", "order_count"),
        ({"type": "aggregate", "aggregate": "nope", "condition": "exactly", "value": 1}, "aggregate", "no aggregate"),
        ({"type": "milestone", "program": 99}, "program", "no program with the id 99"),
        ({"type": "segment", "segment": "ghost"}, "segment", "no segment with the key 'ghost'"),
        ({"type": "colour"}, "type", "must be one of event, tag"),
    ],
)
def test_a_bad_filter_is_refused_with_its_path_and_reason(filter_, field, reason):
    known = Known(aggregates=frozenset({"orders_365d"}), programs=frozenset({1}), segments={})
    raw = {"key": "s", "name": "S", "groups": [{"filters": [{"type": "tag", "op": "has", "tag": "a"}, filter_]}]}

    problems = _refused(raw, known)

    assert list(problems) == [f"groups[0].filters[1].{field}"]
    assert reason in problems[f"groups[0].filters[1].{field}"]


def test_a_segment_naming_itself_is_refused():
    problems = _refused(_one({"type": "segment", "segment": "a"}, key="a"), Known(segments={}))

    assert problems == {"filters[0].segment": "refers back to this segment (a → a)"}


def test_a_segment_leading_back_to_itself_through_others_is_refused():
    # b names c, c names a: a naming b closes the loop
    known = Known(segments={"b": frozenset({"c"}), "c": frozenset({"a"}), "a": frozenset()})

    problems = _refused(_one({"type": "segment", "segment": "b", "member": False}, key="a"), known)

    assert problems == {"filters[0].segment": "refers back to this segment (a → b → c → a)"}
    assert parse(_one({"type": "segment", "segment": "c"}, key="d"), known).refers_to() == {"c"}


def test_whether_time_alone_changes_a_segment_follows_the_segments_it_names():
    lapsed = parse(
        _one(
            {"type": "event", "event": "order.paid", "metric": "last_occurred", "condition": "more_than", "value": 30},
            key="lapsed",
        )
    )
    vip_lapsed = parse(
        _one({"type": "segment", "segment": "lapsed"}, {"type": "tag", "op": "has", "tag": "vip"}, key="vip")
    )
    tagged = parse(_one({"type": "tag", "op": "lacks", "tag": "vip"}, key="plain"))
    segments = {s.key: s for s in (lapsed, vip_lapsed, tagged)}

    assert [changes_with_time(k, segments) for k in ("lapsed", "vip", "plain")] == [True, True, False]
    assert vip_lapsed.groups[0][0] == SegmentFilter("lapsed", True)


def test_a_definition_gives_groups_or_filters_not_both_and_knows_its_fields():
    assert "groups" in _refused({"key": "s", "name": "S"})
    assert _refused({**_one({"type": "tag", "op": "has", "tag": "a"}), "colour": 1, "kind": "live"}) == {
        "colour": "is not a field of a segment",
        "kind": "must be 'auto' (follows its filters) or 'static' (the members when it was created)",
    }


def test_which_event_names_may_move_a_segment():
    carts = parse(_one({"type": "event", "event": "cart_abandoned", "condition": "more_than", "value": 0}, key="carts"))
    via = parse(_one({"type": "segment", "segment": "carts"}, key="via"))
    tagged = parse(_one({"type": "tag", "op": "has", "tag": "vip"}, key="tagged"))
    frozen = parse({**_one({"type": "tag", "op": "has", "tag": "vip"}, key="frozen"), "kind": "static"})
    via_frozen = parse(_one({"type": "segment", "segment": "frozen"}, key="via_frozen"))
    segments = {s.key: s for s in (carts, via, tagged, frozen, via_frozen)}

    def moved(s, *names):
        return moved_by(s, frozenset(names), segments)

    assert moved(carts, "cart_abandoned") and not moved(carts, "order.paid")
    assert moved(via, "cart_abandoned") and not moved(via, "order.paid")
    assert moved(tagged, "order.paid")  # tags, attributes and totals change with any event's effects
    assert not moved(via_frozen, "order.paid")  # a static segment's members never move
