"""RuleIndex, evaluate, fire and the action outcomes: pure, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from milepost.domain.actions import Action, validate_actions
from milepost.domain.aggregates import Aggregates
from milepost.domain.construct import Applied, CustomerView
from milepost.domain.due import Blocked
from milepost.domain.engine import decide_firings
from milepost.domain.events import OrderEvent
from milepost.domain.firing import alert_text, fire
from milepost.domain.records import CustomerState
from milepost.domain.rules import (
    Crossing,
    Rule,
    RuleIndex,
    TagCondition,
    evaluate,
    validate_conditions,
    validate_threshold,
)
from milepost.errors import ValidationError

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def act(kind: str, **params) -> Action:
    return Action(kind, tuple(params.items()))


def rule(rid: int, threshold: int, *actions: Action, conditions=(), active=True, name=None, **kw) -> Rule:
    return Rule(
        rid,
        name or f"rule {rid}",
        threshold,
        actions or (act("add_tag", tag=f"t{rid}"),),
        tuple(conditions),
        active,
        **kw,
    )


def agg(count: int) -> Aggregates:
    return Aggregates(order_count=count)


# -- RuleIndex --------------------------------------------------------------------------------


def test_crossed_returns_rules_with_old_below_and_new_at_or_past_threshold():
    index = RuleIndex([rule(1, 1), rule(2, 5), rule(3, 10), rule(4, 5)])
    assert [r.id for r in index.crossed("order_count", 4, 5)] == [2, 4]
    assert [r.id for r in index.crossed("order_count", 0, 10)] == [1, 2, 4, 3]
    assert index.crossed("order_count", 5, 6) == []
    assert index.crossed("order_count", 5, 4) == []  # going down crosses nothing
    assert index.crossed("order_count", 5, 5) == []
    assert index.crossed("amount_spent", 0, 10**6) == []


def test_index_leaves_inactive_rules_out():
    index = RuleIndex([rule(1, 1), rule(2, 1, active=False)])
    assert len(index) == 1
    assert [r.id for r in index.crossed("order_count", 0, 1)] == [1]


def test_evaluate_finds_upward_crossings_only():
    index = RuleIndex([rule(1, 3), rule(2, 4)])
    crossings = evaluate(agg(2), agg(3), index, NOW)
    assert [(c.rule.id, c.value) for c in crossings] == [(1, 3)]
    assert evaluate(agg(3), agg(2), index, NOW) == []
    assert evaluate(agg(3), agg(3), index, NOW) == []


def test_evaluate_respects_the_active_window():
    later = rule(1, 1, starts_at=NOW + timedelta(days=1))
    ended = rule(2, 1, ends_at=NOW)
    live = rule(3, 1, starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=1))
    found = evaluate(agg(0), agg(1), RuleIndex([later, ended, live]), NOW)
    assert [c.rule.id for c in found] == [3]


# -- fire -------------------------------------------------------------------------------------


def customer(tags=(), name="Ada Lovelace", email="ada@example.com") -> CustomerView:
    return CustomerView("c-42", name, email, frozenset(tags))


def test_fire_plans_each_action_in_order_with_its_outcome():
    r = rule(
        7,
        5,
        act("add_tag", tag="VIP"),
        act("credit", amount=1000, currency="USD"),
        act("alert"),
        act("send_email", template="vip"),
        act("trigger_workflow", workflow="welcome-vip"),
        act("webhook", url="https://hooks.example/m"),
        act("remove_tag", tag="New"),
        name="Fifth order",
    )
    firing = fire(Crossing(r, 5), customer(tags={"New"}), "o-9")
    assert firing is not None
    assert [(o["position"], o["type"], o["status"]) for o in firing.outcomes] == [
        (0, "add_tag", "done"),
        (1, "credit", "done"),
        (2, "alert", "done"),
        (3, "send_email", "queued"),
        (4, "trigger_workflow", "done"),
        (5, "webhook", "queued"),
        (6, "remove_tag", "done"),
    ]
    details = [o["detail"] for o in firing.outcomes]
    assert details == [
        "tagged 'VIP'",
        "credited 1000 USD",
        "alert created",
        "email 'vip' queued",
        "workflow 'welcome-vip' recorded",
        "webhook queued",
        "removed tag 'New'",
    ]
    assert [i.type for i in firing.intents] == [
        "add_tag",
        "credit",
        "alert",
        "send_email",
        "trigger_workflow",
        "webhook",
        "remove_tag",
    ]
    assert firing.intents[1].get("amount") == 1000
    assert firing.tags_after == frozenset({"VIP"})
    assert (firing.value, firing.occurrence, firing.rule) == (5, 1, r)


def test_tag_actions_that_change_nothing_are_skipped_without_intent():
    r = rule(1, 1, act("add_tag", tag="VIP"), act("remove_tag", tag="Gone"))
    firing = fire(Crossing(r, 1), customer(tags={"VIP"}), None)
    assert [o["status"] for o in firing.outcomes] == ["skipped", "skipped"]
    assert [o["detail"] for o in firing.outcomes] == ["already tagged 'VIP'", "had no tag 'Gone'"]
    assert firing.intents == ()
    assert firing.tags_after == frozenset({"VIP"})


def test_later_actions_see_the_tags_of_earlier_ones():
    r = rule(1, 1, act("add_tag", tag="X"), act("remove_tag", tag="X"), act("add_tag", tag="X"))
    firing = fire(Crossing(r, 1), customer(), None)
    assert [o["status"] for o in firing.outcomes] == ["done", "done", "done"]
    assert firing.tags_after == frozenset({"X"})


@pytest.mark.parametrize(
    ("conditions", "tags", "fires"),
    [
        ([TagCondition("VIP", True)], {"VIP"}, True),
        ([TagCondition("VIP", True)], set(), False),
        ([TagCondition("VIP", False)], set(), True),
        ([TagCondition("VIP", False)], {"VIP"}, False),
        ([TagCondition("VIP", True), TagCondition("Banned", False)], {"VIP"}, True),
        ([TagCondition("VIP", True), TagCondition("Banned", False)], {"VIP", "Banned"}, False),
    ],
)
def test_fire_checks_tag_conditions(conditions, tags, fires):
    r = rule(1, 1, conditions=conditions)
    assert (fire(Crossing(r, 1), customer(tags=tags), None) is not None) is fires


def test_default_alert_text_names_the_customer_the_count_and_the_event():
    r = rule(3, 10, act("alert"), name="Call them: 10 orders")
    firing = fire(Crossing(r, 10), customer(), "o-1")
    text = firing.intents[0].get("message")
    assert "Ada Lovelace" in text
    assert "c-42" in text
    assert "10" in text
    assert "Call them: 10 orders" in text


def test_default_alert_text_falls_back_to_email_then_id():
    assert alert_text(None, customer(name=None), 5, "M", None).startswith("ada@example.com")
    assert alert_text(None, customer(name=None, email=None), 5, "M", None).startswith("c-42")


def test_alert_template_fills_placeholders():
    text = alert_text(
        "{customer} hit {count} ({milestone}) on {order_id}, id {customer_id}", customer(), 25, "Note", "o-7"
    )
    assert text == "Ada Lovelace hit 25 (Note) on o-7, id c-42"


# -- decide_firings ---------------------------------------------------------------------------


def test_decide_firings_skips_blocked_pairs_and_threads_tags_through_the_batch():
    adds = rule(1, 1, act("add_tag", tag="VIP"))
    needs = rule(2, 2, act("credit", amount=5, currency="USD"), conditions=[TagCondition("VIP", True)])
    blocked_rule = rule(3, 1)
    state = CustomerState(id=9, external_id="c9")
    e1 = OrderEvent("e1", "order.paid", "c9", "o1", NOW)
    e2 = OrderEvent("e2", "order.paid", "c9", "o2", NOW)
    applied = [
        Applied(0, e1, state, [Crossing(adds, 1), Crossing(blocked_rule, 1)]),
        Applied(1, e2, state, [Crossing(needs, 2), Crossing(adds, 2)]),  # adds again: already fired in this batch
    ]
    tags: dict[int, frozenset[str]] = {}
    decided = decide_firings(applied, tags, Blocked(excluded={(3, 9): None}))
    assert [(d.firing.rule.id, d.applied.index) for d in decided] == [(1, 0), (2, 1)]
    assert tags[9] == frozenset({"VIP"})


# -- validation of rules as data ------------------------------------------------------------------


def test_validate_actions_collects_every_problem():
    with pytest.raises(ValidationError) as info:
        validate_actions(
            [
                {"type": "credit", "amount": 0},
                {"type": "teleport"},
                {"type": "send_email", "template": "nope"},
                {"type": "webhook", "url": "ftp://x"},
                {"type": "alert", "message": "{whoever}"},
                {"type": "add_tag", "tag": "x", "colour": "red"},
            ],
            "USD",
            {"vip"},
        )
    problems = info.value.problems
    assert set(problems) == {
        "actions[0].amount",
        "actions[1].type",
        "actions[2].template",
        "actions[3].url",
        "actions[4].message",
        "actions[5].colour",
    }


def test_validate_actions_fills_the_store_currency_and_refuses_another():
    (credit,) = validate_actions([{"type": "credit", "amount": 100}], "EUR")
    assert credit.param("currency") == "EUR"
    with pytest.raises(ValidationError):
        validate_actions([{"type": "credit", "amount": 100, "currency": "USD"}], "EUR")
    with pytest.raises(ValidationError):
        validate_actions([], "EUR")


def test_validate_conditions_and_threshold():
    assert validate_conditions([{"tag": " VIP "}, {"tag": "B", "has": False}]) == (
        TagCondition("VIP", True),
        TagCondition("B", False),
    )
    for bad in ([{"has": True}], [{"tag": "x", "has": "no"}], "VIP"):
        with pytest.raises(ValidationError):
            validate_conditions(bad)
    assert validate_threshold(3, "order_count") == 3
    for bad in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValidationError):
            validate_threshold(bad, "order_count")


# -- repeating rules ---------------------------------------------------------------------------


def test_a_repeating_rule_crosses_every_mark_a_change_passes():
    every5 = replace(rule(7, 5), every=5)
    index = RuleIndex([every5, rule(8, 5)])
    found = evaluate(agg(4), agg(11), index, NOW)
    assert sorted((c.rule.id, c.occurrence) for c in found) == [(7, 1), (7, 2), (8, 1)]
    assert [c.occurrence for c in evaluate(agg(11), agg(15), index, NOW)] == [3]
    assert evaluate(agg(15), agg(14), index, NOW) == []


def test_one_change_fires_at_most_a_hundred_occurrences():
    every1 = replace(rule(7, 1), every=1)
    found = evaluate(agg(0), agg(10_000), RuleIndex([every1]), NOW)
    assert [c.occurrence for c in found] == list(range(1, 101))


def test_blocked_occurrences_of_a_repeating_rule():
    every5 = replace(rule(7, 5), every=5)
    blocked = Blocked(fired={(7, 9, 1)}, excluded={(7, 8): 12})
    assert blocked.blocks(every5, 9, 1) and not blocked.blocks(every5, 9, 2)
    # excluded at 12 when armed: the marks 5 and 10 never fire for them, 15 does
    assert blocked.blocks(every5, 8, 1) and blocked.blocks(every5, 8, 2) and not blocked.blocks(every5, 8, 3)
    one_time = rule(6, 5)
    assert Blocked(fired={(6, 9, 1)}).blocks(one_time, 9, 1)
    assert Blocked(excluded={(6, 9): 3}).blocks(one_time, 9, 1)
