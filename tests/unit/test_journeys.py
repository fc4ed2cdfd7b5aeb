"""Sequential journeys: steps count only after the previous one, in order, once."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milepost.domain.aggregates import Aggregates
from milepost.domain.journeys import Progress, Step, advance, parse_steps, start
from milepost.errors import ValidationError

JOURNEY = (Step("order_count"), Step("review_count"), Step("referral_count"))


def agg(orders: int = 0, reviews: int = 0, referrals: int = 0, spent: int = 0) -> Aggregates:
    return Aggregates(order_count=orders, amount_spent=spent, review_count=reviews, referral_count=referrals)


def walk(*states: Aggregates, steps=JOURNEY) -> Progress:
    progress = start(steps, states[0])
    for state in states[1:]:
        progress = advance(steps, progress, state)
    return progress


def test_order_then_review_then_referral_completes_the_journey():
    done = walk(agg(), agg(orders=1), agg(orders=1, reviews=1), agg(orders=1, reviews=1, referrals=1))
    assert done == Progress(3, 0, True)


def test_a_review_before_the_first_order_does_not_count_for_the_review_step():
    # review first, then the order: the review step still waits for a review after the order
    progress = walk(agg(), agg(reviews=1), agg(orders=1, reviews=1), agg(orders=1, reviews=1, referrals=1))
    assert progress == Progress(1, 1, False)
    assert advance(JOURNEY, progress, agg(orders=1, reviews=2, referrals=1)) == Progress(2, 1, False)


def test_what_a_customer_had_when_the_journey_was_armed_does_not_count():
    progress = walk(agg(orders=4), agg(orders=4, reviews=1))
    assert progress == Progress(0, 4, False)
    assert walk(agg(orders=4), agg(orders=5)).step == 1


def test_one_order_completes_one_step_even_when_the_next_is_on_spend():
    steps = (Step("order_count"), Step("amount_spent", 10_000))
    progress = walk(agg(), agg(orders=1, spent=12_000), steps=steps)
    assert progress == Progress(1, 12_000, False)  # the first order's spend is not the second step's
    assert advance(steps, progress, agg(orders=2, spent=22_000)).done


def test_a_refund_takes_back_growth_of_the_current_step_but_not_completed_steps():
    progress = walk(agg(), agg(orders=1), agg(orders=0))
    assert progress.step == 1  # the order step stays completed
    steps = (Step("order_count", 2), Step("review_count"))
    partway = walk(agg(), agg(orders=1), agg(orders=0), agg(orders=1), steps=steps)
    assert partway.step == 0 and not partway.done


def test_a_finished_journey_stays_finished():
    done = Progress(3, 0, True)
    assert advance(JOURNEY, done, agg(orders=9, reviews=9, referrals=9)) is done


@given(st.lists(st.sampled_from(["order", "review", "referral"]), max_size=30))
def test_the_journey_completes_exactly_when_the_activities_happened_in_order(activities):
    counts = {"order": 0, "review": 0, "referral": 0}
    states = [agg()]
    for a in activities:
        counts[a] += 1
        states.append(agg(counts["order"], counts["review"], counts["referral"]))
    # the model: the first order, then a review after it, then a referral after that
    want, needed = 0, ["order", "review", "referral"]
    for a in activities:
        if want < 3 and a == needed[want]:
            want += 1
    assert walk(*states).step == want
    assert walk(*states).done is (want == 3)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ([{"metric": "order_count"}], "steps"),
        ("order, review", "steps"),
        ([{"metric": "order_count"}, {"metric": "likes"}], "steps[1].metric"),
        ([{"metric": "order_count", "count": 0}, {"metric": "review_count"}], "steps[0].count"),
        ([{"metric": "order_count"}, "review"], "steps[1]"),
    ],
)
def test_bad_steps_name_the_field(raw, field):
    with pytest.raises(ValidationError) as refused:
        parse_steps(raw)
    assert field in refused.value.problems


def test_steps_parse_with_a_default_count_of_one():
    assert parse_steps([{"metric": "order_count"}, {"metric": "review_count", "count": 2}]) == (
        Step("order_count", 1),
        Step("review_count", 2),
    )
