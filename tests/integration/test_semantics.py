"""Every bullet of "Semantics that must hold" (issue 3), through the Python API, on every backend."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from milepost_kit import (
    buy,
    cancelled,
    count_rows,
    fired,
    firing_pairs,
    key,
    order_event,
    orders,
    paid,
    refunded,
    rule,
    store_counts,
)

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.tx import Tx
from milepost.config import Settings
from milepost.errors import Conflict, InsufficientBalance, NotFound, ValidationError

# -- the order count: distinct orders that reached the counting status ------------------------------------


def test_the_same_order_paid_twice_under_two_event_ids_counts_once(mp, store):
    # When the same order is reported paid by two different event ids, in one batch and in another
    result = mp.ingest(store, [paid("c1", "o1", 2500, id="pay-1"), paid("c1", "o1", 2500, id="pay-2")])
    mp.ingest(store, [paid("c1", "o1", 2500, id="pay-3")])
    # Then both events are accepted but the order counts once
    assert result.accepted == 2
    c = mp.customers.get(store, "c1")
    assert (c.order_count, c.amount_spent) == (1, 2500)


def test_paid_before_placed_counts_once(mp, store):
    mp.ingest(store, [order_event("paid", "c1", "o1", 1200, at="2026-02-01T10:05:00Z")])
    mp.ingest(store, [order_event("placed", "c1", "o1", 1200, at="2026-02-01T10:00:00Z")])
    c = mp.customers.get(store, "c1")
    assert (c.order_count, c.amount_spent) == (1, 1200)
    assert c.aggregates.first_order_at.isoformat() == "2026-02-01T10:05:00+00:00"


def test_placed_alone_does_not_count(mp, store):
    mp.ingest(store, [order_event("placed", "c1", "o1", 1200)])
    assert mp.customers.get(store, "c1").order_count == 0


def test_full_refund_stops_counting(mp, store):
    buy(mp, store, "c1", 2)
    mp.ingest(store, [refunded("c1", "c1-o0")])
    c = mp.customers.get(store, "c1")
    assert (c.order_count, c.amount_spent) == (1, 1000)


def test_cancel_stops_counting(mp, store):
    buy(mp, store, "c1", 2)
    mp.ingest(store, [cancelled("c1", "c1-o1")])
    c = mp.customers.get(store, "c1")
    assert (c.order_count, c.amount_spent) == (1, 1000)


def test_partial_refund_lowers_amount_spent_not_the_count(mp, store):
    buy(mp, store, "c1", 2)
    mp.ingest(store, [refunded("c1", "c1-o0", 300)])
    c = mp.customers.get(store, "c1")
    assert (c.order_count, c.amount_spent) == (2, 1700)


def test_a_store_counting_completed_orders_counts_only_completed_or_delivered(mp):
    store = f"s-{uuid.uuid4().hex}"
    mp.stores.create(store, "Completed shop", counting_status="completed")
    rid = rule(mp, store, 1)
    # Given orders paid, completed and delivered
    mp.ingest(
        store,
        [
            paid("c1", "o1", 1000),
            paid("c1", "o2", 2000),
            order_event("completed", "c1", "o2", 2000),
            order_event("delivered", "c1", "o3", 4000),
        ],
    )
    c = mp.customers.get(store, "c1")
    # Then only the completed and the delivered order count
    assert (c.order_count, c.amount_spent) == (2, 6000)
    assert fired(mp, store, "c1") == [(rid, 1)]


# -- firing: upward crossings while active, not retroactive, at most once ----------------------------


def test_fires_when_the_count_crosses_n_upwards(mp, store):
    rid = rule(mp, store, 3)
    buy(mp, store, "c1", 2)
    assert fired(mp, store, "c1") == []
    result = buy(mp, store, "c1", 1, start=2)
    assert fired(mp, store, "c1") == [(rid, 3)]
    assert result.results[0].milestones[0]["rule_id"] == rid
    assert result.firings[0]["customer_id"] == "c1"
    buy(mp, store, "c1", 3, start=3)
    assert fired(mp, store, "c1") == [(rid, 3)]


def test_an_inactive_event_does_not_fire(mp, store):
    rid = rule(mp, store, 1, active=False)
    buy(mp, store, "c1", 2)
    assert fired(mp, store, "c1") == []
    assert mp.order_count_events.get(store, rid).rule.active is False


def test_not_retroactive_at_creation(mp, store):
    # Given a customer with 3 orders
    buy(mp, store, "past", 3)
    buy(mp, store, "at", 2)
    buy(mp, store, "below", 1)
    # When an event at 2 orders is created
    details = mp.order_count_events.create(store, count=2, name="Second", actions=[{"type": "credit", "amount": 100}])
    buy(mp, store, "past", 2, start=3)
    buy(mp, store, "at", 1, start=2)
    buy(mp, store, "below", 1, start=1)
    # Then only the customer below 2 at creation gets it
    assert fired(mp, store, "past") == []
    assert fired(mp, store, "at") == []
    assert fired(mp, store, "below") == [(details.rule.id, 2)]


def test_not_retroactive_even_after_a_refund_drops_the_customer_below_n(mp, store):
    buy(mp, store, "c1", 3)
    rid = rule(mp, store, 3)
    # When the customer drops below N and crosses it again
    mp.ingest(store, [refunded("c1", "c1-o0")])
    assert mp.customers.get(store, "c1").order_count == 2
    buy(mp, store, "c1", 1, start=3)
    # Then the customer who was at N when the event was created still never gets it
    assert mp.customers.get(store, "c1").order_count == 3
    assert fired(mp, store, "c1") == []
    assert rid


def test_not_retroactive_when_switched_back_on(mp, store):
    rid = rule(mp, store, 2)
    mp.order_count_events.set_active(store, rid, False)
    # Given customers who cross N while the event is off
    buy(mp, store, "crossed-while-off", 2)
    buy(mp, store, "below", 1)
    # When it is switched back on
    mp.order_count_events.set_active(store, rid, True)
    buy(mp, store, "crossed-while-off", 2, start=2)
    buy(mp, store, "below", 1, start=1)
    # Then the one past N when it came back never gets it; the other does
    assert fired(mp, store, "crossed-while-off") == []
    assert fired(mp, store, "below") == [(rid, 2)]


def test_a_customer_past_n_at_creation_never_gets_it_even_after_a_switch_off_and_on(mp, store):
    buy(mp, store, "c1", 3)
    rid = rule(mp, store, 3)  # c1 is at N: excluded
    mp.ingest(store, [refunded("c1", "c1-o0")])  # back to 2
    mp.order_count_events.set_active(store, rid, False)
    mp.order_count_events.set_active(store, rid, True)  # re-armed while c1 is at 2
    buy(mp, store, "c1", 1, start=3)  # crosses 3 again
    assert fired(mp, store, "c1") == []


def test_arming_reports_how_many_customers_it_excluded(mp, store):
    buy(mp, store, "a", 3)
    buy(mp, store, "b", 2)
    buy(mp, store, "c", 1)
    created = mp.order_count_events.create(store, count=2, name="Two", actions=[{"type": "add_tag", "tag": "x"}])
    off = mp.order_count_events.set_active(store, created.rule.id, False)
    buy(mp, store, "c", 1, start=1)
    on = mp.order_count_events.set_active(store, created.rule.id, True)
    lowered = mp.order_count_events.update(store, created.rule.id, count=1)
    renamed = mp.order_count_events.update(store, created.rule.id, name="no re-arming")
    # switching on adds only c (a and b stay excluded); a new count starts a fresh set
    assert (created.excluded, off.excluded, on.excluded, lowered.excluded, renamed.excluded) == (2, 0, 1, 3, 0)
    assert (created.rule.arm_seq, on.rule.arm_seq, lowered.rule.arm_seq, renamed.rule.arm_seq) == (1, 1, 2, 2)


def test_at_most_once_even_after_refund_below_n_and_recrossing(mp, store):
    rid = rule(mp, store, 2, {"type": "credit", "amount": 500})
    buy(mp, store, "c1", 2)
    mp.ingest(store, [refunded("c1", "c1-o1"), cancelled("c1", "c1-o0")])
    assert mp.customers.get(store, "c1").order_count == 0
    buy(mp, store, "c1", 3, start=2)
    c = mp.customers.get(store, "c1")
    assert c.order_count == 3
    assert fired(mp, store, "c1") == [(rid, 2)]
    assert c.balances == {"USD": 500}


def test_at_most_once_within_one_batch_that_crosses_n_twice(mp, store):
    rid = rule(mp, store, 1, {"type": "credit", "amount": 100})
    mp.ingest(store, [paid("c1", "o1"), refunded("c1", "o1"), paid("c1", "o2")])
    assert fired(mp, store, "c1") == [(rid, 1)]
    assert mp.customers.get(store, "c1").balances == {"USD": 100}


@pytest.mark.parametrize("occurrence", [1, 2])
def test_the_firing_unique_key_is_in_the_database(mp, store, occurrence):
    rid = rule(mp, store, 1)
    buy(mp, store, "c1", 1)
    with mp.db.engine.connect() as conn:
        row = conn.execute(sa.select(t.firings).where(t.firings.c.rule_id == rid)).one()._asdict()
    duplicate = {**row, "id": row["id"] + 1_000_000, "event_key": "forged"}
    with mp.db.engine.begin() as conn:
        conn.execute(sa.insert(t.firings).values(**{**duplicate, "id": row["id"] + 2_000_000, "occurrence": 2}))
    if occurrence == 1:
        # A second row for the same (rule, customer, occurrence) is refused by the database itself
        with pytest.raises(sa.exc.IntegrityError), mp.db.engine.begin() as conn:
            conn.execute(sa.insert(t.firings).values(**duplicate))
    else:
        # A distinct occurrence is a distinct key (later repeating milestones)
        assert count_rows(mp, store, t.firings) == 2


def test_the_event_unique_key_is_in_the_database(mp, store):
    buy(mp, store, "c1", 1)
    with mp.db.engine.connect() as conn:
        row = (
            conn.execute(
                sa.select(t.events).where(t.events.c.store_id == mp.stores.get(store).id, t.events.c.source == "api")
            )
            .one()
            ._asdict()
        )
    with pytest.raises(sa.exc.IntegrityError), mp.db.engine.begin() as conn:
        conn.execute(sa.insert(t.events).values(**{k: v for k, v in row.items() if k != "id"}))


# -- edits: only future crossings ----------------------------------------------------------------------


def test_an_edited_event_does_not_refire_or_top_up(mp, store):
    rid = rule(mp, store, 2, {"type": "credit", "amount": 500}, {"type": "add_tag", "tag": "Two"})
    buy(mp, store, "early", 2)
    # When the actions change
    details = mp.order_count_events.update(store, rid, actions=[{"type": "credit", "amount": 900}], name="Two v2")
    assert details.rule.version == 2
    buy(mp, store, "early", 3, start=2)
    buy(mp, store, "late", 2)
    # Then the customer who got version 1 keeps exactly that; a new crosser gets version 2
    assert mp.customers.get(store, "early").balances == {"USD": 500}
    assert mp.customers.get(store, "late").balances == {"USD": 900}
    assert mp.customers.get(store, "late").tags == ()
    versions = {(c, v) for _, c, _, v in firing_pairs(mp, store)}
    assert versions == {("early", 1), ("late", 2)}


def test_each_firing_records_the_version_it_used(mp, store):
    rid = rule(mp, store, 1)
    buy(mp, store, "a", 1)
    mp.order_count_events.update(store, rid, name="renamed")
    mp.order_count_events.update(store, rid, actions=[{"type": "add_tag", "tag": "v3"}])
    buy(mp, store, "b", 1)
    assert mp.customers.get(store, "a").milestones[0].rule_version == 1
    assert mp.customers.get(store, "b").milestones[0].rule_version == 3
    assert mp.customers.get(store, "b").tags == ("v3",)


def test_a_raised_n_fires_only_for_customers_who_cross_the_new_n(mp, store):
    # Given an event at 3; one customer got it, one is at 2, one was excluded at creation with 4
    buy(mp, store, "excluded", 4)
    rid = rule(mp, store, 3)
    buy(mp, store, "got-it", 3)
    buy(mp, store, "at-two", 2)
    # When N is raised to 5
    mp.order_count_events.update(store, rid, count=5)
    buy(mp, store, "at-two", 1, start=2)  # 3: the old N, not the new one
    assert fired(mp, store, "at-two") == []
    for customer, have in (("got-it", 3), ("at-two", 3), ("excluded", 4)):
        buy(mp, store, customer, 5 - have, start=have)
    # Then each customer who crosses 5 after the edit gets it, except the one who got it already
    assert fired(mp, store, "got-it") == [(rid, 3)]
    assert fired(mp, store, "at-two") == [(rid, 5)]
    assert fired(mp, store, "excluded") == [(rid, 5)]
    assert {v for _, c, _, v in firing_pairs(mp, store) if c != "got-it"} == {2}


def test_a_lowered_n_below_a_customers_count_does_not_fire_for_them(mp, store):
    rid = rule(mp, store, 5)
    buy(mp, store, "at-three", 3)
    buy(mp, store, "at-one", 1)
    # When N is lowered to 2
    mp.order_count_events.update(store, rid, count=2)
    buy(mp, store, "at-three", 3, start=3)
    buy(mp, store, "at-one", 1, start=1)
    # Then the customer already past 2 never gets it; the one crossing 2 does
    assert fired(mp, store, "at-three") == []
    assert fired(mp, store, "at-one") == [(rid, 2)]


def test_a_deleted_event_stops_firing_and_keeps_its_log(mp, store):
    rid = rule(mp, store, 1)
    buy(mp, store, "a", 1)
    mp.order_count_events.delete(store, rid)
    buy(mp, store, "b", 1)
    assert fired(mp, store, "a") == [(rid, 1)]
    assert fired(mp, store, "b") == []
    assert [d.rule.id for d in mp.order_count_events.list(store)] == []
    with pytest.raises(NotFound):
        mp.order_count_events.update(store, rid, count=3)


# -- internal effects in the same transaction; re-sending changes nothing ------------------------------


def every_action(mp, store):
    mp.settings = Settings(webhooks_allow_private=True)  # the webhook goes to this machine
    mp.templates.save(store, "vip", subject="You are VIP", body_text="Thanks, {customer}")
    return rule(
        mp,
        store,
        2,
        {"type": "add_tag", "tag": "VIP"},
        {"type": "credit", "amount": 1000},
        {"type": "alert"},
        {"type": "send_email", "template": "vip"},
        {"type": "trigger_workflow", "workflow": "vip-onboarding"},
        {"type": "webhook", "url": "http://127.0.0.1:9/milestones"},
        name="VIP at two",
    )


def test_every_internal_effect_and_outbox_row_is_written_with_the_firing(mp, store):
    rid = every_action(mp, store)
    mp.ingest(store, [{"id": key(), "type": "customer.created", "customer_id": "c1", "name": "Grace Hopper"}])
    buy(mp, store, "c1", 2)
    c = mp.customers.get(store, "c1")
    (milestone,) = c.milestones
    assert (milestone.rule_id, milestone.rule_name, milestone.value, milestone.order_id) == (
        rid,
        "VIP at two",
        2,
        "c1-o1",
    )
    assert [a["status"] for a in milestone.actions] == ["done", "done", "done", "pending", "done", "pending"]
    assert c.tags == ("VIP",)
    assert c.balances == {"USD": 1000}
    (entry,) = c.ledger
    assert (entry.amount, entry.currency, entry.reason, entry.firing_id, entry.milestone) == (
        1000,
        "USD",
        "milestone",
        milestone.id,
        "VIP at two",
    )
    (alert,) = mp.alerts.list(store)
    assert alert.firing_id == milestone.id and alert.customer_id == "c1"
    assert "Grace Hopper" in alert.message and "2" in alert.message and "VIP at two" in alert.message
    outbox = mp.reports.outbox(store)
    assert sorted(r["channel"] for r in outbox) == ["email", "webhook"]
    assert all(r["firing_id"] == milestone.id and r["status"] == "pending" for r in outbox)
    assert len({r["key"] for r in outbox}) == 2
    (run,) = mp.reports.workflow_runs(store)
    assert (run["workflow"], run["firing_id"]) == ("vip-onboarding", milestone.id)


def test_a_batch_that_fails_mid_write_leaves_nothing_and_can_be_resent(mp, store, monkeypatch):
    every_action(mp, store)
    buy(mp, store, "c1", 1)
    before = store_counts(mp, store)
    report_before = mp.customers.get(store, "c1")
    batch = [*orders("c1", 2, start=1), *orders("c2", 3)]
    original = Tx.write_batch

    def write_then_crash(self, b):
        original(self, b)  # every row of the batch is written ...
        raise RuntimeError("power cut")  # ... and then the process dies before commit

    # When the write fails after writing everything
    monkeypatch.setattr(Tx, "write_batch", write_then_crash)
    with pytest.raises(RuntimeError, match="power cut"):
        mp.ingest(store, batch)
    # Then nothing of the batch is stored
    assert store_counts(mp, store) == before
    assert mp.customers.get(store, "c1") == report_before
    with pytest.raises(NotFound):
        mp.customers.get(store, "c2")
    # And sending the same batch again works, once
    monkeypatch.setattr(Tx, "write_batch", original)
    result = mp.ingest(store, batch)
    assert result.accepted == 5
    assert mp.customers.get(store, "c1").order_count == 3
    assert len(mp.customers.get(store, "c1").milestones) == 1
    assert store_counts(mp, store)["firings"] == 2


def test_resending_an_event_or_a_batch_changes_nothing(mp, store, clock):
    every_action(mp, store)
    batch = [
        *orders("c1", 3),
        refunded("c1", "c1-o0", 100),
        {"id": key(), "type": "customer.updated", "customer_id": "c1", "attributes": {"tier": "gold"}},
    ]
    first = mp.ingest(store, batch)
    assert first.accepted == 5 and len(first.firings) == 1
    report, counts = mp.customers.get(store, "c1"), store_counts(mp, store)
    clock.advance(hours=1)
    # When the batch, one event of it, and a mix with a new event are sent again
    again = mp.ingest(store, batch)
    one = mp.ingest(store, [batch[1]])
    mixed = mp.ingest(store, [batch[2], paid("c9", "c9-o1")])
    # Then each repeat is a duplicate and nothing of c1 changed
    assert again.duplicates == 5 and again.accepted == 0 and again.firings == ()
    assert one.duplicates == 1
    assert [r.status for r in mixed.results] == ["duplicate", "accepted"]
    assert mp.customers.get(store, "c1") == report
    counts_after = store_counts(mp, store)
    assert counts_after == {**counts, "events": counts["events"] + 1, "customers": 2, "orders": counts["orders"] + 1}


def test_an_event_id_repeated_inside_one_batch_is_a_duplicate_and_with_other_content_a_conflict(mp, store):
    event = paid("c1", "o1")
    result = mp.ingest(store, [event, dict(reversed(event.items())), {**event, "order_id": "o2"}])
    assert [r.status for r in result.results] == ["accepted", "duplicate", "conflict"]
    assert mp.customers.get(store, "c1").order_count == 1


def test_the_same_event_id_from_another_source_is_another_event(mp, store):
    event = paid("c1", "o1")
    mp.ingest(store, [event], source="api")
    result = mp.ingest(store, [{**event, "order_id": "o2"}], source="shopify")
    assert result.accepted == 1
    assert mp.customers.get(store, "c1").order_count == 2


# -- the credit ledger ----------------------------------------------------------------------------------


def test_ledger_is_append_only_and_the_balance_is_the_sum(mp, store):
    rule(mp, store, 1, {"type": "credit", "amount": 1000})
    rule(mp, store, 2, {"type": "credit", "amount": 250})
    buy(mp, store, "c1", 2)
    first = mp.customers.get(store, "c1").ledger
    mp.ledgers.spend(store, "c1", 400, unit="credit", key="spend-1", order_id="c1-o1", note="checkout")
    mp.ledgers.adjust(store, "c1", -50, unit="credit", key="fix-1", reason="goodwill reversed", actor="ops@example.com")
    mp.ledgers.adjust(store, "c1", 75, unit="credit", key="fix-2", reason="late delivery")
    c = mp.customers.get(store, "c1")
    assert c.ledger[: len(first)] == first  # earlier entries never change
    assert [(e.amount, e.reason) for e in c.ledger] == [
        (1000, "milestone"),
        (250, "milestone"),
        (-400, "spend"),
        (-50, "adjustment"),
        (75, "adjustment"),
    ]
    assert c.balances == {"USD": sum(e.amount for e in c.ledger)} == {"USD": 875}
    spend, fix = c.ledger[2], c.ledger[3]
    assert (spend.order_id, spend.note) == ("c1-o1", "checkout")
    assert (fix.note, fix.actor) == ("goodwill reversed", "ops@example.com")
    assert all(e.currency == "USD" for e in c.ledger)


def test_spend_is_idempotent_by_key(mp, store):
    rule(mp, store, 1, {"type": "credit", "amount": 1000})
    buy(mp, store, "c1", 1)
    first = mp.ledgers.spend(store, "c1", 300, unit="credit", key="k1")
    again = mp.ledgers.spend(store, "c1", 300, unit="credit", key="k1")
    assert again == first
    assert mp.customers.get(store, "c1").balances == {"USD": 700}
    with pytest.raises(Conflict):
        mp.ledgers.spend(store, "c1", 301, unit="credit", key="k1")
    assert mp.customers.get(store, "c1").balances == {"USD": 700}


def test_adjust_is_idempotent_by_key(mp, store):
    buy(mp, store, "c1", 1)
    first = mp.ledgers.adjust(store, "c1", 500, unit="credit", key="a1", reason="apology")
    assert mp.ledgers.adjust(store, "c1", 500, unit="credit", key="a1", reason="apology") == first
    with pytest.raises(Conflict):
        mp.ledgers.adjust(store, "c1", -500, unit="credit", key="a1", reason="apology")
    assert mp.customers.get(store, "c1").balances == {"USD": 500}


def test_credit_never_goes_below_zero(mp, store):
    rule(mp, store, 1, {"type": "credit", "amount": 1000})
    buy(mp, store, "c1", 1)
    with pytest.raises(InsufficientBalance):
        mp.ledgers.spend(store, "c1", 1001, unit="credit", key="too-much")
    with pytest.raises(InsufficientBalance):
        mp.ledgers.adjust(store, "c1", -1001, unit="credit", key="too-much", reason="correction")
    mp.ledgers.spend(store, "c1", 1000, unit="credit", key="all")
    assert mp.customers.get(store, "c1").balances == {"USD": 0}
    assert len(mp.customers.get(store, "c1").ledger) == 2


def test_a_store_that_allows_it_goes_negative(mp):
    store = f"s-{uuid.uuid4().hex}"
    mp.stores.create(store, "Lenient", allow_negative_credit=True)
    buy(mp, store, "c1", 1)
    mp.ledgers.spend(store, "c1", 700, unit="credit", key="k")
    mp.ledgers.adjust(store, "c1", -300, unit="credit", key="k2", reason="fee")
    assert mp.customers.get(store, "c1").balances == {"USD": -1000}


def test_credit_input_is_validated(mp, store):
    buy(mp, store, "c1", 1)
    for bad in (0, -5, 2.5, True):
        with pytest.raises(ValidationError):
            mp.ledgers.spend(store, "c1", bad, unit="credit", key="k")
    with pytest.raises(ValidationError):
        mp.ledgers.adjust(store, "c1", 0, unit="credit", key="k", reason="r")
    with pytest.raises(ValidationError):
        mp.ledgers.adjust(store, "c1", 10, unit="credit", key="k", reason="  ")
    with pytest.raises(ValidationError):
        mp.ledgers.spend(store, "c1", 10, unit="credit", key=" ")
    with pytest.raises(NotFound):
        mp.ledgers.spend(store, "nobody", 10, unit="credit", key="k")
    assert mp.customers.get(store, "c1").ledger == ()


# -- batches with invalid events -------------------------------------------------------------------------


def test_invalid_events_are_rejected_one_by_one_and_valid_ones_kept(mp, store):
    buy(mp, store, "other", 1)
    batch = [
        paid("c1", "o1", 1000),
        {"type": "order.paid", "customer_id": "c1", "order_id": "o2"},
        paid("c1", "o3", total="12.50"),
        paid("c1", "o4", currency="EUR"),
        paid("c1", "other-o0"),  # an order of another customer
        "garbage",
        order_event("shipped", "c1", "o5"),
        paid("c1", "o6", 500),
    ]
    result = mp.ingest(store, batch)
    got = [(r.index, r.status, r.field) for r in result.results]
    assert got == [
        (0, "accepted", None),
        (1, "rejected", "id"),
        (2, "rejected", "total"),
        (3, "rejected", "currency"),
        (4, "rejected", "order_id"),
        (5, "rejected", "event"),
        (6, "rejected", "type"),
        (7, "accepted", None),
    ]
    assert all(r.reason for r in result.rejected)
    assert "another customer" in result.results[4].reason
    assert "USD" in result.results[3].reason
    assert result.results[2].key == batch[2]["id"]
    c = mp.customers.get(store, "c1")
    assert (c.order_count, c.amount_spent) == (2, 1500)
    assert mp.customers.get(store, "other").order_count == 1


# -- several events at one count; tag conditions ----------------------------------------------------------


def test_several_events_may_share_the_same_count(mp, store):
    a = rule(mp, store, 3, {"type": "credit", "amount": 100}, name="A")
    b = rule(mp, store, 3, {"type": "add_tag", "tag": "Three"}, name="B")
    buy(mp, store, "c1", 3)
    assert sorted(fired(mp, store, "c1")) == sorted([(a, 3), (b, 3)])
    c = mp.customers.get(store, "c1")
    assert c.balances == {"USD": 100} and c.tags == ("Three",)


def test_tag_conditions_and_effects_apply_in_order_within_one_batch(mp, store):
    rule(mp, store, 5, {"type": "add_tag", "tag": "VIP"}, name="make VIP")
    has = rule(
        mp, store, 10, {"type": "credit", "amount": 1000}, name="VIP ten", conditions=[{"tag": "VIP", "has": True}]
    )
    lacks = rule(
        mp, store, 10, {"type": "credit", "amount": 1}, name="non-VIP ten", conditions=[{"tag": "VIP", "has": False}]
    )
    # When ten orders arrive in one batch
    buy(mp, store, "c1", 10)
    # Then the tag added at 5 is seen at 10
    c = mp.customers.get(store, "c1")
    assert c.tags == ("VIP",)
    assert has in {r for r, _ in fired(mp, store, "c1")}
    assert lacks not in {r for r, _ in fired(mp, store, "c1")}
    assert c.balances == {"USD": 1000}


def test_a_removed_tag_lets_a_lacks_condition_fire(mp, store):
    rule(mp, store, 1, {"type": "add_tag", "tag": "New"})
    rule(mp, store, 2, {"type": "remove_tag", "tag": "New"}, {"type": "add_tag", "tag": "Regular"})
    rid = rule(mp, store, 3, {"type": "credit", "amount": 5}, conditions=[{"tag": "New", "has": False}])
    buy(mp, store, "c1", 3)
    c = mp.customers.get(store, "c1")
    assert c.tags == ("Regular",)
    assert (rid, 3) in fired(mp, store, "c1")


def test_a_condition_that_fails_at_the_crossing_does_not_fire(mp, store):
    rid = rule(mp, store, 1, {"type": "credit", "amount": 5}, conditions=[{"tag": "VIP", "has": True}])
    buy(mp, store, "c1", 2)
    assert fired(mp, store, "c1") == []
    assert rid


# -- customer profiles ---------------------------------------------------------------------------------


def profile(kind="updated", at="2026-02-01T10:00:00Z", **fields):
    return {"id": key(), "type": f"customer.{kind}", "customer_id": "c1", "occurred_at": at, **fields}


def test_profile_updates_newest_wins_attributes_merge_null_removes(mp, store):
    mp.ingest(
        store,
        [
            profile(
                "created",
                "2026-02-01T10:00:00Z",
                email="a@x.example",
                name="Ann",
                email_consent=True,
                attributes={"tier": "silver", "city": "Lyon"},
            )
        ],
    )
    # When a newer update changes some fields, and an older one arrives late
    mp.ingest(
        store,
        [
            profile(
                at="2026-02-02T10:00:00Z",
                name="Ann B.",
                sms_consent=True,
                attributes={"tier": "gold", "city": None, "lang": "fr"},
            )
        ],
    )
    mp.ingest(
        store, [profile(at="2026-01-15T10:00:00Z", name="Stale", email="old@x.example", attributes={"tier": "bronze"})]
    )
    c = mp.customers.get(store, "c1")
    # Then the newest values win, attributes merged key by key, null removed the key
    assert (c.email, c.name, c.email_consent, c.sms_consent) == ("a@x.example", "Ann B.", True, True)
    assert c.attributes == {"tier": "gold", "lang": "fr"}


def test_profile_events_do_not_touch_orders(mp, store):
    buy(mp, store, "c1", 2)
    mp.ingest(store, [profile(name="Ann", email=None)])
    c = mp.customers.get(store, "c1")
    assert (c.order_count, c.name, c.email) == (2, "Ann", None)


# -- what operators read: the milestone log and alerts -------------------------------------------------------


def test_milestone_log_filters_and_pages(mp, store, clock):
    one = rule(mp, store, 1)
    two = rule(mp, store, 2)
    start = clock()
    for i in range(3):
        buy(mp, store, f"c{i}", 2)  # each customer reaches both
        clock.advance(hours=1)
    log = mp.reports.milestone_log(store)
    assert len(log) == 6
    assert [m.id for m in log] == sorted((m.id for m in log), reverse=True)  # newest first
    assert {(m.customer_id, m.rule_id) for m in mp.reports.milestone_log(store, customer_id="c1")} == {
        ("c1", one),
        ("c1", two),
    }
    assert {m.customer_id for m in mp.reports.milestone_log(store, rule_id=two)} == {"c0", "c1", "c2"}
    assert mp.reports.milestone_log(store, customer_id="nobody") == []
    window = mp.reports.milestone_log(store, since=start + timedelta(minutes=30), until=start + timedelta(hours=2))
    assert {m.customer_id for m in window} == {"c1"}
    assert {m.customer_id for m in mp.reports.milestone_log(store, until=start + timedelta(minutes=1))} == {"c0"}
    # Pagination: pages of two, each after the last id seen
    pages, before = [], None
    while page := mp.reports.milestone_log(store, limit=2, before_id=before):
        pages.append([m.id for m in page])
        before = page[-1].id
    assert [len(p) for p in pages] == [2, 2, 2]
    assert [i for p in pages for i in p] == [m.id for m in log]
    entry = next(m for m in log if m.customer_id == "c2" and m.rule_id == two)
    assert (entry.order_id, entry.value, entry.rule_name, entry.fired_at) == (
        "c2-o1",
        2,
        "2 orders",
        start + timedelta(hours=2),
    )


def test_milestone_log_is_per_store(mp, store):
    other = f"s-{uuid.uuid4().hex}"
    mp.stores.create(other, "Other")
    rule(mp, store, 1)
    rule(mp, other, 1)
    buy(mp, store, "c1", 1)
    assert len(mp.reports.milestone_log(store)) == 1
    assert mp.reports.milestone_log(other) == []


def test_alerts_list_and_acknowledge(mp, store, clock):
    rule(mp, store, 1, {"type": "alert", "message": "Call {customer} about order {order_id}"})
    buy(mp, store, "c1", 1)
    buy(mp, store, "c2", 1)
    open_ = mp.alerts.list(store)
    assert [a.customer_id for a in open_] == ["c2", "c1"]
    assert open_[1].message == "Call c1 about order c1-o0"
    clock.advance(minutes=5)
    mp.alerts.acknowledge(store, open_[1].id, by="agent-7")
    assert [a.customer_id for a in mp.alerts.list(store)] == ["c2"]
    acked = next(a for a in mp.alerts.list(store, status=None) if a.customer_id == "c1")
    assert (acked.status, acked.acknowledged_by, acked.acknowledged_at) == ("acknowledged", "agent-7", clock())
    assert [a.customer_id for a in mp.alerts.list(store, status="acknowledged")] == ["c1"]
    with pytest.raises(NotFound):
        mp.alerts.acknowledge(store, 10**9, by="agent-7")


def test_an_alert_of_another_store_cannot_be_acknowledged(mp, store):
    other = f"s-{uuid.uuid4().hex}"
    mp.stores.create(other, "Other")
    rule(mp, store, 1, {"type": "alert"})
    buy(mp, store, "c1", 1)
    (alert,) = mp.alerts.list(store)
    with pytest.raises(NotFound):
        mp.alerts.acknowledge(other, alert.id, by="x")
    assert mp.alerts.list(store) == [alert]


# -- stores and the counting status -----------------------------------------------------------------------


def test_counting_status_cannot_change_once_orders_exist(mp, store):
    buy(mp, store, "c1", 1)
    with pytest.raises(Conflict):
        mp.stores.update(store, counting_status="delivered")
    assert mp.stores.get(store).counting_status == "paid"


def test_a_duplicate_store_key_is_a_conflict(mp, store):
    with pytest.raises(Conflict):
        mp.stores.create(store, "Again")
