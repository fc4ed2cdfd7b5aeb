"""Milestone programs on every counted metric, through the Python API, on every backend:
reviews, referrals and billing cycles counted once per item, amount spent, the active
window, and edits that only touch future crossings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from milepost_kit import buy, fired, key

from milepost import Milepost
from milepost.errors import NotFound, ValidationError


def program(mp: Milepost, store: str, metric: str, threshold: int, **kw: Any) -> int:
    kw.setdefault("actions", [{"type": "add_tag", "tag": f"{metric}-{threshold}"}])
    return mp.programs.create(
        store, name=kw.pop("name", f"{metric} {threshold}"), metric=metric, threshold=threshold, **kw
    ).rule.id


def review(customer: str, review_id: str | None = None, **extra: Any) -> dict[str, Any]:
    raw = {"id": key(), "type": "review.created", "customer_id": customer, **extra}
    if review_id is not None:
        raw["review_id"] = review_id
    return raw


def referral(customer: str, referral_id: str) -> dict[str, Any]:
    return {"id": key(), "type": "referral.completed", "customer_id": customer, "referral_id": referral_id}


def renewal(customer: str, invoice_id: str) -> dict[str, Any]:
    return {
        "id": key(),
        "type": "subscription.renewed",
        "customer_id": customer,
        "invoice_id": invoice_id,
        "subscription_id": "sub-1",
        "total": 1500,
    }


def ingest(mp: Milepost, store: str, *events: dict[str, Any]):
    result = mp.ingest(store, list(events))
    assert not result.rejected, result.rejected
    return result


# -- every counted metric ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "event"),
    [
        ("review_count", lambda c, i: review(c, f"r{i}")),
        ("referral_count", lambda c, i: referral(c, f"ref{i}")),
        ("billing_cycles", lambda c, i: renewal(c, f"inv{i}")),
    ],
)
def test_a_program_fires_once_when_its_activity_count_crosses_the_threshold(mp, store, metric, event):
    # Given a program at 3 on the metric
    pid = program(mp, store, metric, 3)
    # When the customer does the activity 3 times, then twice more
    ingest(mp, store, *(event("c1", i) for i in range(2)))
    assert fired(mp, store, "c1") == []
    ingest(mp, store, event("c1", 2))
    ingest(mp, store, *(event("c1", i) for i in range(3, 5)))
    # Then it fired once, at 3, and the customer's count is 5
    assert fired(mp, store, "c1") == [(pid, 3)]
    assert getattr(mp.customers.get(store, "c1").aggregates, metric) == 5
    assert mp.customers.get(store, "c1").tags == (f"{metric}-3",)


def test_the_same_review_reported_under_two_event_ids_counts_once(mp, store):
    program(mp, store, "review_count", 2)
    ingest(mp, store, review("c1", "r1"), review("c1", "r1"))  # one batch
    ingest(mp, store, review("c1", "r1"))  # another
    customer = mp.customers.get(store, "c1")
    assert customer.aggregates.review_count == 1 and fired(mp, store, "c1") == []
    ingest(mp, store, review("c1", "r2"))
    assert len(fired(mp, store, "c1")) == 1


def test_an_activity_without_its_own_id_counts_once_per_event(mp, store):
    program(mp, store, "review_count", 2)
    first = review("c1")
    ingest(mp, store, first, review("c1"))
    assert mp.customers.get(store, "c1").aggregates.review_count == 2
    again = mp.ingest(store, [first])  # the same event again: a duplicate, nothing changes
    assert again.duplicates == 1 and mp.customers.get(store, "c1").aggregates.review_count == 2


def test_an_item_of_another_customer_is_rejected_and_the_rest_of_the_batch_kept(mp, store):
    ingest(mp, store, referral("alice", "ref-1"))
    result = mp.ingest(store, [referral("bob", "ref-1"), referral("bob", "ref-2")])
    assert result.accepted == 1
    (rejection,) = result.rejected
    assert rejection.field == "referral_id" and "another customer" in rejection.reason
    assert mp.customers.get(store, "bob").aggregates.referral_count == 1
    assert mp.customers.get(store, "alice").aggregates.referral_count == 1


def test_activities_are_validated_field_by_field(mp, store):
    result = mp.ingest(
        store,
        [
            {"id": key(), "type": "referral.completed", "customer_id": "c1", "referral_id": ""},
            {"id": key(), "type": "subscription.renewed", "customer_id": "c1", "total": -5},
            review("c1", "r1", rating=9),
        ],
    )
    assert [r.field for r in result.rejected] == ["referral_id", "total", "rating"]
    with pytest.raises(NotFound):  # nothing was accepted, so the customer was not created
        mp.customers.get(store, "c1")


def test_an_amount_spent_program_fires_on_the_order_that_crosses_it(mp, store):
    pid = program(mp, store, "amount_spent", 50_000, actions=[{"type": "credit", "amount": 1000}])
    buy(mp, store, "c1", 4, total=12_000)  # 480.00
    assert fired(mp, store, "c1") == []
    buy(mp, store, "c1", 1, start=4, total=3_000)  # 510.00
    assert fired(mp, store, "c1") == [(pid, 51_000)]
    assert mp.customers.get(store, "c1").balances == {"USD": 1000}


def test_order_count_events_are_programs_on_the_number_of_orders(mp, store):
    oce = mp.order_count_events.create(store, count=2, name="Second", actions=[{"type": "alert"}]).rule.id
    pid = program(mp, store, "review_count", 1)
    listed = {d.rule.id: (d.rule.kind, d.rule.metric) for d in mp.programs.list(store)}
    assert listed == {oce: ("order_count", "order_count"), pid: ("program", "review_count")}
    assert [d.rule.id for d in mp.order_count_events.list(store)] == [oce]
    with pytest.raises(NotFound):
        mp.order_count_events.get(store, pid)  # a program is not an order count event
    assert mp.programs.get(store, oce).rule.threshold == 2


# -- not retroactive, the active window --------------------------------------------------------


def test_customers_past_the_threshold_when_a_program_starts_never_get_it(mp, store):
    ingest(mp, store, *(review("early", f"e{i}") for i in range(3)))
    pid = program(mp, store, "review_count", 2)
    ingest(mp, store, review("early", "e3"), review("late", "l0"), review("late", "l1"))
    assert fired(mp, store, "early") == []
    assert fired(mp, store, "late") == [(pid, 2)]


def test_nothing_fires_outside_the_window_and_an_extension_is_not_retroactive(mp, store, clock):
    start = clock() + timedelta(days=1)
    end = start + timedelta(days=7)
    pid = program(mp, store, "referral_count", 1, starts_at=start, ends_at=end)
    ingest(mp, store, referral("before", "b1"))  # before the window
    clock.set(start)
    ingest(mp, store, referral("inside", "i1"))
    clock.set(end)  # the window is half-open: its end is outside
    ingest(mp, store, referral("after", "a1"))
    assert [fired(mp, store, c) for c in ("before", "inside", "after")] == [[], [(pid, 1)], []]
    # Extending the window does not fire for those who crossed while it was closed
    mp.programs.update(store, pid, ends_at=end + timedelta(days=30))
    clock.advance(days=1)
    ingest(mp, store, referral("after", "a2"), referral("new", "n1"))
    assert fired(mp, store, "after") == [] and fired(mp, store, "new") == [(pid, 1)]
    assert mp.programs.get(store, pid).rule.version == 2


def test_a_window_must_be_aware_and_end_after_it_starts(mp, store, clock):
    now = clock()
    with pytest.raises(ValidationError) as bad:
        program(mp, store, "review_count", 1, starts_at=now, ends_at=now)
    assert "ends_at" in bad.value.problems
    with pytest.raises(ValidationError) as naive:
        program(mp, store, "review_count", 1, starts_at=now.replace(tzinfo=None))
    assert "starts_at" in naive.value.problems
    with pytest.raises(ValidationError) as unknown:
        program(mp, store, "points_balance", 1)
    assert "metric" in unknown.value.problems


# -- edits: future crossings only ---------------------------------------------------------------


def test_editing_a_program_never_refires_or_tops_up_and_records_the_version(mp, store):
    pid = program(mp, store, "billing_cycles", 2, actions=[{"type": "credit", "amount": 500}])
    ingest(mp, store, renewal("c1", "i1"), renewal("c1", "i2"))
    mp.programs.update(store, pid, actions=[{"type": "credit", "amount": 900}], name="Loyal subscriber")
    ingest(mp, store, renewal("c1", "i3"), renewal("c2", "j1"), renewal("c2", "j2"))
    assert fired(mp, store, "c1") == [(pid, 2)]
    assert mp.customers.get(store, "c1").balances == {"USD": 500}
    assert mp.customers.get(store, "c2").balances == {"USD": 900}
    versions = {c: mp.customers.get(store, c).milestones[0].rule_version for c in ("c1", "c2")}
    assert versions == {"c1": 1, "c2": 2}


def test_raising_a_threshold_fires_nothing_at_the_edit_and_never_twice(mp, store):
    pid = program(mp, store, "review_count", 2)
    ingest(mp, store, *(review("got-it", f"g{i}") for i in range(2)), review("below", "b0"))
    mp.programs.update(store, pid, threshold=4)
    assert [m.customer_id for m in mp.reports.milestone_log(store)] == ["got-it"]  # the edit fired nothing
    ingest(mp, store, *(review("got-it", f"g{i}") for i in range(2, 4)))
    ingest(mp, store, *(review("below", f"b{i}") for i in range(1, 4)))
    assert fired(mp, store, "got-it") == [(pid, 2)]  # at most once per customer, ever
    assert fired(mp, store, "below") == [(pid, 4)]


def test_lowering_a_threshold_does_not_fire_for_customers_already_past_it(mp, store):
    pid = program(mp, store, "referral_count", 5)
    ingest(mp, store, *(referral("past", f"p{i}") for i in range(3)), referral("below", "b0"))
    mp.programs.update(store, pid, threshold=2)
    ingest(mp, store, referral("past", "p3"), referral("below", "b1"))
    assert fired(mp, store, "past") == []
    assert fired(mp, store, "below") == [(pid, 2)]


def test_a_deleted_program_stops_firing_and_keeps_its_history(mp, store):
    pid = program(mp, store, "review_count", 1)
    ingest(mp, store, review("c1", "r1"))
    mp.programs.delete(store, pid)
    ingest(mp, store, review("c2", "r2"))
    assert fired(mp, store, "c1") == [(pid, 1)] and fired(mp, store, "c2") == []
    assert [d.rule.id for d in mp.programs.list(store, include_deleted=True)] == [pid]
    assert mp.programs.list(store) == []


# -- repeating programs ---------------------------------------------------------------------------


def test_a_repeating_program_fires_on_every_fifth_order_once_each(mp, store):
    pid = program(mp, store, "order_count", 5, every=5, actions=[{"type": "credit", "amount": 100}])
    buy(mp, store, "c1", 4)
    buy(mp, store, "c1", 8, start=4)  # 12 orders: the 5th and the 10th
    assert fired(mp, store, "c1") == [(pid, 5), (pid, 10)]
    assert [m.occurrence for m in mp.customers.get(store, "c1").milestones] == [1, 2]
    assert mp.customers.get(store, "c1").balances == {"USD": 200}
    # a refund drops the count below 10 and a new order crosses it again: nothing new
    mp.ingest(store, [{"id": key(), "type": "order.refunded", "customer_id": "c1", "order_id": "c1-o11"}])
    mp.ingest(store, [{"id": key(), "type": "order.refunded", "customer_id": "c1", "order_id": "c1-o10"}])
    mp.ingest(store, [{"id": key(), "type": "order.refunded", "customer_id": "c1", "order_id": "c1-o9"}])
    buy(mp, store, "c1", 2, start=20)
    assert len(fired(mp, store, "c1")) == 2
    buy(mp, store, "c1", 4, start=22)  # 15
    assert [v for _, v in fired(mp, store, "c1")] == [5, 10, 15]


def test_every_hundred_dollars_spent_fires_once_per_mark_an_order_passes(mp, store):
    pid = program(mp, store, "amount_spent", 10_000, every=10_000, actions=[{"type": "add_tag", "tag": "spender"}])
    buy(mp, store, "c1", 1, total=35_000)  # $350: the $100, $200 and $300 marks at once
    assert [(m.rule_id, m.occurrence, m.value) for m in mp.customers.get(store, "c1").milestones] == [
        (pid, 1, 35_000),
        (pid, 2, 35_000),
        (pid, 3, 35_000),
    ]


def test_a_repeating_program_skips_the_marks_a_customer_had_passed_when_it_started(mp, store):
    buy(mp, store, "early", 7)
    pid = program(mp, store, "order_count", 5, every=5)
    buy(mp, store, "early", 3, start=7)  # 10: the first mark after the start
    buy(mp, store, "late", 5)
    assert fired(mp, store, "early") == [(pid, 10)]
    assert fired(mp, store, "late") == [(pid, 5)]


def test_only_programs_repeat_and_the_step_must_be_positive(mp, store):
    with pytest.raises(ValidationError) as zero:
        program(mp, store, "order_count", 5, every=0)
    assert "every" in zero.value.problems
    with pytest.raises(TypeError):
        mp.order_count_events.create(store, count=5, name="x", actions=[{"type": "alert"}], every=5)


# -- sequential journeys ----------------------------------------------------------------------------

JOURNEY = [{"metric": "order_count"}, {"metric": "review_count"}, {"metric": "referral_count"}]


def journey(mp: Milepost, store: str, **kw: Any) -> int:
    kw.setdefault("actions", [{"type": "add_tag", "tag": "Explorer"}])
    return mp.programs.create_journey(store, name="First steps", steps=JOURNEY, **kw).rule.id


def test_a_journey_fires_when_its_steps_happen_in_order(mp, store):
    jid = journey(mp, store)
    buy(mp, store, "c1", 1)
    ingest(mp, store, review("c1", "r1"))
    assert fired(mp, store, "c1") == []
    ingest(mp, store, referral("c1", "f1"))
    assert fired(mp, store, "c1") == [(jid, 3)]
    assert mp.customers.get(store, "c1").tags == ("Explorer",)
    ingest(mp, store, referral("c1", "f2"), review("c1", "r2"))  # once per customer
    assert len(fired(mp, store, "c1")) == 1
    assert mp.programs.get(store, jid).rule.kind == "journey"


def test_a_step_only_counts_after_the_previous_one(mp, store):
    jid = journey(mp, store)
    ingest(mp, store, review("c1", "r1"), referral("c1", "f1"))  # before the first order: do not count
    buy(mp, store, "c1", 1)
    ingest(mp, store, referral("c1", "f2"))  # the referral before the review: does not count
    assert fired(mp, store, "c1") == []
    ingest(mp, store, review("c1", "r2"), referral("c1", "f3"))
    assert fired(mp, store, "c1") == [(jid, 3)]


def test_a_journey_is_not_retroactive_and_progress_survives_across_batches(mp, store):
    buy(mp, store, "old", 2)  # orders before the journey do not count for its first step
    jid = journey(mp, store)
    ingest(mp, store, review("old", "r1"), referral("old", "f1"))
    assert fired(mp, store, "old") == []
    buy(mp, store, "old", 1, start=2)
    ingest(mp, store, review("old", "r2"))
    ingest(mp, store, referral("old", "f2"))
    assert fired(mp, store, "old") == [(jid, 3)]


def test_journey_steps_are_validated(mp, store):
    with pytest.raises(ValidationError) as one_step:
        mp.programs.create_journey(store, name="x", steps=[{"metric": "order_count"}], actions=[{"type": "alert"}])
    assert "steps" in one_step.value.problems
    with pytest.raises(ValidationError) as unknown:
        mp.programs.create_journey(
            store, name="x", steps=[{"metric": "order_count"}, {"metric": "likes"}], actions=[{"type": "alert"}]
        )
    assert "steps[1].metric" in unknown.value.problems
    jid = journey(mp, store)
    with pytest.raises(ValidationError):
        mp.programs.update(store, jid, threshold=5)
    assert mp.programs.update(store, jid, name="Renamed").rule.steps == mp.programs.get(store, jid).rule.steps


# -- inactivity ----------------------------------------------------------------------------------


def inactivity(mp: Milepost, store: str, days: int = 90, **kw: Any) -> int:
    kw.setdefault("actions", [{"type": "add_tag", "tag": "lapsed"}, {"type": "credit", "amount": 500}])
    return mp.programs.create_inactivity(store, name=f"{days} days quiet", days=days, **kw).rule.id


def test_an_inactivity_program_fires_once_per_lapse_and_a_new_order_rearms_it(mp, store, clock):
    pid = inactivity(mp, store)
    buy(mp, store, "c1", 1)
    clock.advance(days=89)
    assert mp.sweeps.inactivity([store]).fired == 0
    clock.advance(days=2)
    sweep = mp.sweeps.inactivity([store])
    assert (sweep.programs, sweep.fired) == (1, 1)
    assert mp.sweeps.inactivity([store]).fired == 0  # the same lapse: never twice
    assert fired(mp, store, "c1") == [(pid, 90)]
    assert mp.customers.get(store, "c1").balances == {"USD": 500}
    buy(mp, store, "c1", 1, start=1)  # a new order starts a new lapse
    clock.advance(days=91)
    assert mp.sweeps.inactivity([store]).fired == 1
    assert len(fired(mp, store, "c1")) == 2
    occurrences = {m.occurrence for m in mp.customers.get(store, "c1").milestones}
    assert len(occurrences) == 2


def test_an_inactivity_program_is_not_retroactive_and_skips_customers_who_never_ordered(mp, store, clock):
    buy(mp, store, "old", 1)
    clock.advance(days=120)
    mp.ingest(store, [{"id": key(), "type": "customer.created", "customer_id": "browser"}])
    pid = inactivity(mp, store)  # "old" is already 120 days into this lapse
    buy(mp, store, "new", 1)
    clock.advance(days=100)
    assert mp.sweeps.inactivity([store]).fired == 1
    assert fired(mp, store, "old") == [] and fired(mp, store, "new") == [(pid, 90)]
    assert fired(mp, store, "browser") == []
    buy(mp, store, "old", 1, start=1)  # their next lapse counts
    clock.advance(days=90)
    mp.sweeps.inactivity([store])
    assert fired(mp, store, "old") == [(pid, 90)]


def test_an_inactivity_program_respects_its_window_and_switch(mp, store, clock):
    pid = inactivity(mp, store, days=30, active=False)
    buy(mp, store, "c1", 1)
    clock.advance(days=31)
    assert mp.sweeps.inactivity([store]).programs == 0
    mp.programs.update(store, pid, active=True)  # switched on: c1 is already 31 days in, not for them
    buy(mp, store, "c2", 1)
    clock.advance(days=31)
    mp.sweeps.inactivity([store])
    assert fired(mp, store, "c1") == [] and fired(mp, store, "c2") == [(pid, 30)]
    with pytest.raises(ValidationError):
        inactivity(mp, store, days=4000)


def test_the_daily_scheduler_fires_inactivity_programs_and_the_worker_leaves_them_to_it(mp, store, clock):
    pid = inactivity(mp, store, days=10)
    buy(mp, store, "c1", 1)
    mp.sweeps.run_daily([store])  # the store's first run, today
    clock.advance(days=11)
    worker = mp.worker(stores=[store])
    try:
        worker.drain()
        assert worker.scheduler is None and fired(mp, store, "c1") == []
    finally:
        worker.close()
    mp.sweeps.run_daily([store])  # today, and the days since the first run, each as of its end
    assert fired(mp, store, "c1") == [(pid, 10)]
