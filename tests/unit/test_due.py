"""Who an inactivity program is due for, and the lapse it never fires for: pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from milepost.domain.due import Blocked, cutoff, excluded_lapse, is_due, lapse_of, lapses
from milepost.domain.records import CustomerState
from milepost.domain.rules import Crossing, Rule

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PROGRAM = Rule(7, "Come back", 30, (), kind="inactivity")


def test_a_lapse_is_numbered_by_the_day_of_the_last_order():
    assert lapse_of(datetime(1970, 1, 1, tzinfo=UTC)) == 0
    assert lapse_of(datetime(1970, 1, 2, 23, 59, tzinfo=UTC)) == 1
    assert lapse_of(NOW) == lapse_of(NOW.replace(hour=0)) == (NOW - datetime(1970, 1, 1, tzinfo=UTC)).days


def test_a_program_is_due_once_its_days_have_passed_since_the_last_order():
    assert is_due(30, NOW - timedelta(days=30), NOW)
    assert is_due(30, NOW - timedelta(days=400), NOW)
    assert not is_due(30, NOW - timedelta(days=30) + timedelta(seconds=1), NOW)
    assert not is_due(30, None, NOW)  # never ordered: no lapse


def test_the_candidates_bound_is_the_same_instant_as_due():
    last = cutoff(30, NOW)
    assert is_due(30, last, NOW) and not is_due(30, last + timedelta(microseconds=1), NOW)


def test_arming_excludes_the_lapse_a_customer_is_already_due_in_and_no_other():
    long_ago = NOW - timedelta(days=45)
    assert excluded_lapse(30, long_ago, NOW) == lapse_of(long_ago)  # already due when armed: never fires
    assert excluded_lapse(30, NOW - timedelta(days=10), NOW) is None  # not due yet: this lapse may fire
    assert excluded_lapse(30, None, NOW) is None


def test_lapses_are_the_due_candidates_each_with_one_crossing():
    customers = {c: CustomerState(i, c) for i, c in enumerate(["a", "b", "c"], start=1)}
    candidates = [("a", NOW - timedelta(days=31)), ("b", NOW - timedelta(days=5)), ("c", None)]
    (found,) = lapses(PROGRAM, candidates, customers, NOW)
    assert found.customer is customers["a"]
    assert found.crossings == [Crossing(PROGRAM, 30, lapse_of(NOW - timedelta(days=31)))]
    assert found.event.key == f"inactivity:7:{lapse_of(NOW - timedelta(days=31))}"
    assert found.event.occurred_at == NOW


def test_the_lapse_excluded_at_arming_is_blocked_and_the_next_one_is_not():
    old = NOW - timedelta(days=45)
    armed = Blocked(excluded={(PROGRAM.id, 1): excluded_lapse(30, old, NOW)})
    assert armed.blocks(PROGRAM, 1, lapse_of(old))  # not retroactive
    assert not armed.blocks(PROGRAM, 1, lapse_of(NOW))  # a new order began a new lapse
    armed.add(PROGRAM, 1, lapse_of(NOW))
    assert armed.blocks(PROGRAM, 1, lapse_of(NOW))  # once per lapse
    assert not armed.blocks(PROGRAM, 2, lapse_of(old))  # another customer
