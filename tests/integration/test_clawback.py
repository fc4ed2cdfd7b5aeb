"""The per-program clawback policy, on every backend: a program's credit, points and
unused codes taken back when the order that crossed its threshold is fully refunded (or
cancelled) within its days; never below zero unless the store allows it (the rest is a
debt, on an admin alert); once; the milestone stays in the log."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from milepost_kit import buy, cancelled, key, paid, refunded
from standardwebhooks.webhooks import Webhook

from milepost import Milepost
from milepost.adapters.storage import tables as t
from milepost.config import Settings
from milepost.errors import ValidationError
from support.receiver import Receiver

CREDIT = {"type": "credit", "amount": 1500}
POINTS = {"type": "points", "points": 500}
CODE = {"type": "code", "discount": {"kind": "percentage", "percent": 10}}


def program(mp: Milepost, store: str, *actions, clawback_days: int | None = 30, threshold: int = 1) -> int:
    details = mp.programs.create(
        store,
        name="First order",
        metric="order_count",
        threshold=threshold,
        actions=list(actions or [CREDIT]),
        clawback_days=clawback_days,
    )
    return details.rule.id


def entries(mp: Milepost, store: str, customer: str = "c1") -> list[tuple[int, str]]:
    return [(e.amount, e.reason) for e in mp.customers.get(store, customer).ledger]


def balance(mp: Milepost, store: str, customer: str = "c1") -> int:
    return mp.customers.get(store, customer).balances.get("USD", 0)


def firing_row(mp: Milepost, store: str, program_name: str | None = None):  # type: ignore[no-untyped-def]
    """The store's one firing (of the program named so, if given)."""
    f, r = t.firings.c, t.rules.c
    q = sa.select(t.firings).join(t.rules, r.id == f.rule_id).where(f.store_id == mp.stores.get(store).id)
    if program_name is not None:
        q = q.where(r.name == program_name)
    with mp.db.engine.connect() as conn:
        (row,) = conn.execute(q).all()
        return row


def test_credit_is_taken_back_on_a_full_refund_within_the_days(mp, store, clock):
    program(mp, store)
    buy(mp, store, "c1", 1)  # c1-o0 crosses the threshold
    clock.advance(days=29)

    mp.ingest(store, [refunded("c1", "c1-o0")])

    ledger = mp.customers.get(store, "c1").ledger
    assert sorted((e.amount, e.reason) for e in ledger) == [(-1500, "clawback"), (1500, "milestone")]
    given = next(e for e in ledger if e.reason == "milestone")
    taken = next(e for e in ledger if e.reason == "clawback")
    assert taken.firing_id == given.firing_id and taken.order_id == "c1-o0"  # points to the original
    assert taken.idempotency_key == f"clawback:{given.idempotency_key}"
    assert balance(mp, store) == 0
    row = firing_row(mp, store)
    assert row.clawed_back_at is not None and row.clawback_debt is None
    assert len(mp.customers.get(store, "c1").milestones) == 1  # the milestone stays in the log
    assert mp.alerts.list(store) == []


def test_keep_is_the_default(mp, store):
    program(mp, store, clawback_days=None)
    buy(mp, store, "c1", 1)
    mp.ingest(store, [refunded("c1", "c1-o0")])
    assert entries(mp, store) == [(1500, "milestone")]
    assert firing_row(mp, store).clawed_back_at is None


def test_a_refund_after_the_days_takes_nothing_back(mp, store, clock):
    program(mp, store, clawback_days=30)
    buy(mp, store, "c1", 1)
    clock.advance(days=31)
    mp.ingest(store, [refunded("c1", "c1-o0")])
    assert entries(mp, store) == [(1500, "milestone")]


def test_a_partial_refund_takes_nothing_back(mp, store):
    program(mp, store)
    buy(mp, store, "c1", 1, total=1000)
    mp.ingest(store, [refunded("c1", "c1-o0", 400)])
    assert entries(mp, store) == [(1500, "milestone")]
    mp.ingest(store, [refunded("c1", "c1-o0", 600)])  # refunds adding up to the total: a full refund
    assert sorted(entries(mp, store)) == [(-1500, "clawback"), (1500, "milestone")]


def test_only_the_order_that_crossed_the_threshold_counts(mp, store):
    program(mp, store)
    buy(mp, store, "c1", 2)
    mp.ingest(store, [refunded("c1", "c1-o1")])  # not the order that crossed
    assert entries(mp, store) == [(1500, "milestone")]


def test_points_are_taken_back(mp, store):
    program(mp, store, POINTS)
    buy(mp, store, "c1", 1)
    mp.ingest(store, [cancelled("c1", "c1-o0")])
    points = mp.ledgers.entries(store, "c1", unit="points")
    assert sorted((e.points, e.reason) for e in points) == [(-500, "clawback"), (500, "milestone")]
    assert mp.customers.get(store, "c1").points_balance == 0


def test_unredeemed_codes_are_voided_redeemed_ones_left_alone(mp, store):
    program(mp, store, CODE)
    buy(mp, store, "c1", 1)
    buy(mp, store, "c2", 1)
    (redeemed,) = mp.codes.list(store, "c2")
    mp.codes.redeem(store, redeemed.code, "c2", order_id="c2-o9", key=key())

    mp.ingest(store, [refunded("c1", "c1-o0"), refunded("c2", "c2-o0")])

    (voided,) = mp.codes.list(store, "c1")
    assert voided.voided_at is not None and voided.void_reason == "clawed back: order c1-o0 refunded"
    (kept,) = mp.codes.list(store, "c2")
    assert kept.voided_at is None and kept.redeemed_at is not None


def test_credit_already_spent_is_taken_back_down_to_zero_and_the_rest_is_a_debt(mp, store):
    program(mp, store)
    buy(mp, store, "c1", 1)
    mp.ledgers.spend(store, "c1", 1000, unit="credit", key=key())

    mp.ingest(store, [refunded("c1", "c1-o0")])

    assert sorted(entries(mp, store)) == [(-1000, "spend"), (-500, "clawback"), (1500, "milestone")]
    assert balance(mp, store) == 0
    row = firing_row(mp, store)
    assert json.loads(row.clawback_debt) == {"credit": 1000}
    (alert,) = mp.alerts.list(store)
    assert alert.customer_id == "c1" and alert.firing_id == row.id
    assert "c1" in alert.message and "10.00" in alert.message and f"(mst_{row.id})" in alert.message


def test_points_already_spent_leave_a_debt(mp, store):
    program(mp, store, POINTS)
    buy(mp, store, "c1", 1)
    mp.ledgers.spend(store, "c1", 500, unit="points", key=key())
    mp.ingest(store, [refunded("c1", "c1-o0")])
    assert mp.customers.get(store, "c1").points_balance == 0
    assert json.loads(firing_row(mp, store).clawback_debt) == {"points": 500}
    (alert,) = mp.alerts.list(store)
    assert "500 points" in alert.message


def test_a_store_that_allows_negative_credit_takes_it_all_back(mp):
    store = f"s-{key()}"
    mp.stores.create(store, "Neg", currency="USD", allow_negative_credit=True)
    program(mp, store)
    buy(mp, store, "c1", 1)
    mp.ledgers.spend(store, "c1", 1500, unit="credit", key=key())
    mp.ingest(store, [refunded("c1", "c1-o0")])
    assert balance(mp, store) == -1500
    assert firing_row(mp, store).clawback_debt is None and mp.alerts.list(store) == []


@pytest.mark.parametrize("again", ["same event", "then cancelled", "same batch"])
def test_a_clawback_happens_once(mp, store, again):
    program(mp, store, CREDIT, POINTS)
    buy(mp, store, "c1", 1)
    refund = refunded("c1", "c1-o0")
    if again == "same batch":
        mp.ingest(store, [refund, cancelled("c1", "c1-o0")])
    else:
        mp.ingest(store, [refund])
        mp.ingest(store, [refund if again == "same event" else cancelled("c1", "c1-o0")])
    assert sorted(entries(mp, store)) == [(-1500, "clawback"), (1500, "milestone")]
    assert sorted((e.points, e.reason) for e in mp.ledgers.entries(store, "c1", unit="points")) == [
        (-500, "clawback"),
        (500, "milestone"),
    ]


def test_a_second_crossing_after_a_clawback_is_not_clawed_back_twice(mp, store):
    # at most once per customer: the refunded order's milestone does not fire again
    program(mp, store)
    buy(mp, store, "c1", 1)
    mp.ingest(store, [refunded("c1", "c1-o0")])
    mp.ingest(store, [paid("c1", "c1-o1")])
    mp.ingest(store, [refunded("c1", "c1-o1")])
    assert sorted(entries(mp, store)) == [(-1500, "clawback"), (1500, "milestone")]


def test_the_policy_is_set_and_changed_on_the_program(mp, store):
    rule_id = program(mp, store, clawback_days=None)
    assert mp.programs.get(store, rule_id).rule.clawback_days is None
    assert mp.programs.update(store, rule_id, clawback_days=14).rule.clawback_days == 14
    assert mp.programs.update(store, rule_id, name="Renamed").rule.clawback_days == 14
    assert mp.programs.update(store, rule_id, clawback_days=0).rule.clawback_days is None
    with pytest.raises(ValidationError):
        program(mp, store, clawback_days=-1)
    event = mp.order_count_events.create(store, count=3, name="Third", actions=[CREDIT], clawback_days=7)
    assert event.rule.clawback_days == 7


def test_a_later_policy_applies_to_milestones_still_within_its_days(mp, store, clock):
    rule_id = program(mp, store, clawback_days=None)
    buy(mp, store, "c1", 1)
    mp.programs.update(store, rule_id, clawback_days=10)
    clock.advance(days=5)
    mp.ingest(store, [refunded("c1", "c1-o0")])
    assert sorted(entries(mp, store)) == [(-1500, "clawback"), (1500, "milestone")]


def test_a_debt_alert_beside_a_milestone_alert_in_the_same_batch(mp, store):
    program(mp, store)
    mp.programs.create(store, name="Hello", metric="order_count", threshold=1, actions=[{"type": "alert"}])
    buy(mp, store, "c1", 1)
    mp.alerts.acknowledge(store, mp.alerts.list(store)[0].id, by="test")
    mp.ledgers.spend(store, "c1", 1500, unit="credit", key=key())

    result = mp.ingest(store, [refunded("c1", "c1-o0"), paid("c2", "c2-o0")])

    assert result.accepted == 2
    messages = sorted(a.message for a in mp.alerts.list(store))
    assert len(messages) == 2 and any("debt" in m for m in messages)


# -- telling the store: webhooks -------------------------------------------------------------------


def subscribe(mp: Milepost, store: str, url: str, *types: str) -> str:
    mp.settings = Settings(webhooks_allow_private=True)
    _, secret = mp.webhooks.create(store, url=url, event_types=list(types))
    return secret


def delivered(mp: Milepost, store: str, receiver: Receiver, secret: str) -> list[dict]:
    """Every message of the outbox, sent to `receiver` and verified as a Standard Webhooks receiver does."""
    worker = mp.worker(settings=Settings(webhooks_allow_private=True, delivery_jitter=0), stores=[store])
    try:
        worker.drain()
    finally:
        worker.close()
    return [Webhook(secret).verify(r.body, r.headers) for r in receiver.requests]


def test_a_debt_alert_is_sent_as_alert_created_like_an_alert_action_s(mp, store, receiver, live_clock):
    # Given an endpoint subscribed to alert.created, a program with an alert action and one that claws back
    secret = subscribe(mp, store, f"{receiver.url}/hooks", "alert.created")
    program(mp, store)
    mp.programs.create(store, name="Hello", metric="order_count", threshold=1, actions=[{"type": "alert"}])
    buy(mp, store, "c1", 1)
    mp.ledgers.spend(store, "c1", 1500, unit="credit", key=key())

    # When the order is refunded after its credit was spent
    mp.ingest(store, [refunded("c1", "c1-o0")])

    # Then the debt alert was queued with the refund, and arrives signed, shaped as the alert action's
    rows = [json.loads(o["payload"])["type"] for o in mp.reports.outbox(store) if o["channel"] == "webhook"]
    assert rows == ["alert.created", "alert.created"]
    bodies = delivered(mp, store, receiver, secret)
    action, debt = sorted((b["data"] for b in bodies), key=lambda d: "debt" in d["alert"]["message"])
    (debt_alert,) = [a for a in mp.alerts.list(store) if "debt" in a.message]
    row = firing_row(mp, store, "First order")
    assert debt["alert"] == {"id": f"alr_{debt_alert.id}", "message": debt_alert.message, "assignee": None}
    assert set(debt) == set(action) and set(debt["milestone"]) == set(action["milestone"])
    assert debt["customer"]["id"] == "c1" and debt["order_id"] == "c1-o0" and debt["store"] == store
    assert (debt["milestone"]["id"], debt["milestone"]["name"]) == (f"mst_{row.id}", "First order")
    assert {b["type"] for b in bodies} == {"alert.created"}


def test_a_clawback_sends_reward_clawed_back_with_what_was_taken_the_debt_and_the_voided_codes(
    mp, store, receiver, live_clock
):
    secret = subscribe(mp, store, f"{receiver.url}/hooks", "reward.clawed_back")
    program(mp, store, CREDIT, POINTS, CODE)
    buy(mp, store, "c1", 1)
    (code,) = mp.codes.list(store, "c1")
    mp.ledgers.spend(store, "c1", 1000, unit="credit", key=key())

    mp.ingest(store, [refunded("c1", "c1-o0")])
    mp.ingest(store, [cancelled("c1", "c1-o0")])  # once: nothing more is taken, nothing more is sent

    (body,) = delivered(mp, store, receiver, secret)
    data = body["data"]
    assert body["type"] == "reward.clawed_back"
    taken = [{"type": "credit", "amount": 500, "currency": "USD"}, {"type": "points", "points": 500}]
    assert data["taken_back"] == taken
    assert data["debt"] == [{"type": "credit", "amount": 1000, "currency": "USD"}]
    assert data["voided_codes"] == [code.code]
    row = firing_row(mp, store)
    assert data["milestone"]["id"] == f"mst_{row.id}" and data["milestone"]["program_id"].startswith("prg_")
    assert (data["customer"]["id"], data["order_id"], data["store"]) == ("c1", "c1-o0", store)
    (request,) = receiver.requests
    assert request.headers["webhook-id"].startswith("clawback:milestone:")
    assert mp.codes.validate(store, code.code, "c1").status == "voided"


def test_a_full_clawback_tells_no_debt(mp, store, receiver, live_clock):
    secret = subscribe(mp, store, f"{receiver.url}/hooks", "reward.clawed_back", "alert.created")
    program(mp, store)
    buy(mp, store, "c1", 1)
    mp.ingest(store, [refunded("c1", "c1-o0")])
    (body,) = delivered(mp, store, receiver, secret)
    assert body["type"] == "reward.clawed_back"
    assert (body["data"]["taken_back"], body["data"]["debt"], body["data"]["voided_codes"]) == (
        [{"type": "credit", "amount": 1500, "currency": "USD"}],
        [],
        [],
    )


def test_nothing_to_take_back_or_no_subscriber_sends_nothing(mp, store):
    mp.settings = Settings(webhooks_allow_private=True)
    mp.webhooks.create(store, url="http://127.0.0.1:9/clawbacks", event_types=["reward.clawed_back"])
    mp.webhooks.create(store, url="http://127.0.0.1:9/others", event_types=["milestone.reached"])
    program(mp, store, {"type": "add_tag", "tag": "first"})  # a clawback policy, but nothing to give back
    buy(mp, store, "c1", 1)
    before = len(mp.reports.outbox(store))

    mp.ingest(store, [refunded("c1", "c1-o0")])

    assert firing_row(mp, store).clawed_back_at is not None
    assert len(mp.reports.outbox(store)) == before


def test_an_order_paid_and_refunded_in_one_batch_is_clawed_back(mp, store):
    program(mp, store, CREDIT, POINTS, CODE)
    result = mp.ingest(store, [paid("c1", "c1-o0"), refunded("c1", "c1-o0")])
    assert result.accepted == 2 and len(result.firings) == 1  # it fired, then its order was refunded
    assert sorted(entries(mp, store)) == [(-1500, "clawback"), (1500, "milestone")]
    assert mp.customers.get(store, "c1").points_balance == 0
    (code,) = mp.codes.list(store, "c1")
    assert code.voided_at is not None
    assert firing_row(mp, store).clawed_back_at is not None


@pytest.mark.parametrize(
    ("refunded_at", "clawed_back"),
    [("2026-02-28T12:00:00Z", False), ("2026-01-20T12:00:00Z", True), ("2026-01-30T12:00:00Z", True)],
)
def test_the_days_run_by_event_time_when_events_arrive_late(mp, store, refunded_at, clawed_back):
    # Given a 30-day policy and an order paid on 2025-12-31, sent today (backfilled)
    program(mp, store, clawback_days=30)
    mp.ingest(store, [paid("c1", "c1-o0", at="2025-12-31T12:00:00Z")])

    # When its refund, also sent today, happened 59, 20 or 30 days after the payment
    mp.ingest(store, [refunded("c1", "c1-o0", at=refunded_at)])

    # Then only a refund within 30 days of the payment, by event time, takes the credit back
    expected = [(-1500, "clawback"), (1500, "milestone")] if clawed_back else [(1500, "milestone")]
    assert sorted(entries(mp, store)) == expected
    assert (firing_row(mp, store).clawed_back_at is not None) is clawed_back


def test_a_late_refund_of_a_recent_order_is_clawed_back_though_sent_long_after(mp, store, clock):
    # Given an order paid today under a 30-day policy
    program(mp, store, clawback_days=30)
    buy(mp, store, "c1", 1)

    # When its refund, which happened 10 days later, is sent 60 days later
    clock.advance(days=60)
    mp.ingest(store, [refunded("c1", "c1-o0", at="2026-03-11T12:00:00Z")])

    # Then it was within the days, by event time
    assert sorted(entries(mp, store)) == [(-1500, "clawback"), (1500, "milestone")]


def test_paid_and_refunded_60_days_apart_in_one_backfilled_batch_keeps_the_rewards(mp, store):
    program(mp, store, clawback_days=30)
    mp.ingest(
        store,
        [paid("c1", "c1-o0", at="2025-12-01T12:00:00Z"), refunded("c1", "c1-o0", at="2026-01-30T12:00:00Z")],
    )
    assert entries(mp, store) == [(1500, "milestone")]
