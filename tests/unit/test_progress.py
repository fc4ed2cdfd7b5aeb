"""The distance to the next milestones (domain/progress.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from milepost.domain.actions import Action
from milepost.domain.aggregates import Aggregates
from milepost.domain.progress import ahead
from milepost.domain.rules import Rule

NOW = datetime(2026, 3, 1, tzinfo=UTC)
TAG = (Action("add_tag", (("tag", "x"),)),)


def rule(id: int, threshold: int, **kw) -> Rule:  # type: ignore[no-untyped-def]
    return Rule(id=id, name=f"r{id}", threshold=threshold, actions=TAG, **kw)


def test_the_nearest_milestones_come_first_and_reached_ones_are_left_out():
    rules = [
        rule(1, 5),  # 2 orders away
        rule(2, 3),  # reached
        rule(3, 10),  # 7 away
        rule(4, 100, metric="amount_spent", kind="program"),  # 100 away of 100: farthest
        rule(5, 2, every=2, kind="program"),  # repeating: next mark 4, 1 away
        rule(6, 4, active=False),  # off
        rule(7, 4, starts_at=NOW + timedelta(days=1)),  # not started
        rule(8, 4, kind="inactivity"),  # not a value to reach
    ]
    found = ahead(rules, Aggregates(order_count=3), {(2, 1)}, NOW)
    assert [(a.rule.id, a.occurrence, a.remaining) for a in found] == [(5, 2, 1), (1, 1, 2), (3, 1, 7), (4, 1, 100)]


def test_a_one_time_milestone_passed_before_it_existed_is_not_ahead():
    assert ahead([rule(1, 2)], Aggregates(order_count=3), set(), NOW) == []


def test_at_most_limit():
    rules = [rule(i, 10 + i) for i in range(10)]
    assert len(ahead(rules, Aggregates(order_count=1), set(), NOW, limit=3)) == 3
