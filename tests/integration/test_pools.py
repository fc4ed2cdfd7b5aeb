"""Coupon pools through the Python API, on every backend: created, filled by import (all or
nothing, bad rows named by their line) or by pattern, and their codes given out by a
`pool_code` action, one to each customer, redeemable at checkout; an empty pool skips the
action and alerts an agent; a pool falling below its threshold alerts once."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import pytest
from milepost_kit import buy, orders

from milepost import Milepost
from milepost.adapters.storage import tables as t
from milepost.errors import CodeRefused, Conflict, NotFound, ValidationError

TEN_PERCENT = {"kind": "percentage", "percent": 10}


def pool(mp: Milepost, store: str, key: str = "spring", low_threshold: int | None = None):
    return mp.pools.create(store, key, name="Spring sale", discount=TEN_PERCENT, low_threshold=low_threshold)


def pool_event(mp: Milepost, store: str, key: str = "spring", count: int = 1):
    return mp.order_count_events.create(
        store, count=count, name="Welcome", actions=[{"type": "pool_code", "pool": key}]
    )


def test_a_pool_is_created_empty_and_listed_with_its_counts(mp, store):
    created = pool(mp, store, low_threshold=5)

    assert (created.key, created.name, created.low_threshold) == ("spring", "Spring sale", 5)
    assert created.discount.as_dict() == TEN_PERCENT
    assert (created.total, created.assigned, created.left) == (0, 0, 0)
    assert [p.key for p in mp.pools.list(store)] == ["spring"]
    with pytest.raises(Conflict):
        pool(mp, store)


@pytest.mark.parametrize(
    ("field", "values"),
    [("key", {"key": "Spring Sale"}), ("name", {"name": " "}), ("low_threshold", {"low_threshold": 0})],
)
def test_a_pool_with_bad_fields_is_refused(mp, store, field, values):
    given = {"key": "spring", "name": "Spring", "discount": TEN_PERCENT, **values}
    key = given.pop("key")
    with pytest.raises(ValidationError) as refused:
        mp.pools.create(store, key, **given)
    assert field in refused.value.problems


def test_an_import_adds_every_code_normalized_and_skips_a_header(mp, store):
    pool(mp, store)

    filled = mp.pools.import_codes(store, "spring", [["code"], ["spr-0001"], [" SPR-0002 "], [], ["SPR-0003", "x"]])

    assert (filled.total, filled.left) == (3, 3)


def test_an_import_with_bad_rows_stores_nothing_and_names_each_line(mp, store):
    pool(mp, store)
    mp.pools.import_codes(store, "spring", ["SPR-0001"])

    rows = ["code", "SPR-0002", "SPR-0002", "SPR-0001", "bad code!", "ab", "SPR-0003"]
    with pytest.raises(ValidationError) as refused:
        mp.pools.import_codes(store, "spring", rows)

    message = str(refused.value)
    assert message.startswith("nothing imported: 4 bad row(s)")
    assert "line 3: SPR-0002 is a duplicate of line 2" in message
    assert "line 4: SPR-0001 is already a code of this store" in message
    assert "line 5: a code may hold only letters" in message
    assert "line 6: a code has 4 to 64 characters" in message
    assert set(refused.value.problems) == {"line 3", "line 4", "line 5", "line 6"}
    assert mp.pools.list(store)[0].total == 1  # nothing of the refused file


def test_an_import_refuses_a_code_already_issued_as_a_reward(mp, store):
    mp.programs.create(
        store, name="Reward", metric="order_count", threshold=1, actions=[{"type": "code", "discount": TEN_PERCENT}]
    )
    buy(mp, store, "c1", 1)
    (issued,) = mp.codes.list(store, "c1")
    pool(mp, store)

    with pytest.raises(ValidationError, match=f"line 1: {issued.code} is already a code of this store"):
        mp.pools.import_codes(store, "spring", [issued.code.lower()])


def test_generate_adds_codes_by_pattern(mp, store):
    pool(mp, store)

    filled = mp.pools.generate(store, "spring", 25, "SPR-XXXX-XXXX")
    assert filled.total == 25
    again = mp.pools.generate(store, "spring", 5)
    assert again.total == 30
    with pytest.raises(ValidationError, match="random places"):
        mp.pools.generate(store, "spring", 5, "SPR-XX")
    with pytest.raises(ValidationError, match="count"):
        mp.pools.generate(store, "spring", 0)
    with pytest.raises(NotFound):
        mp.pools.generate(store, "autumn", 5)


def test_each_customer_gets_one_code_once_and_it_redeems_at_checkout(mp, store):
    pool(mp, store)
    mp.pools.import_codes(store, "spring", ["SPR-0001", "SPR-0002", "SPR-0003"])
    pool_event(mp, store)

    buy(mp, store, "c1", 2)
    buy(mp, store, "c2", 1)

    (c1,) = mp.codes.list(store, "c1")
    (c2,) = mp.codes.list(store, "c2")
    assert {c1.code, c2.code} <= {"SPR-0001", "SPR-0002", "SPR-0003"} and c1.code != c2.code
    assert c1.discount.as_dict() == TEN_PERCENT
    (firing,) = mp.customers.get(store, "c1").milestones
    assert firing.actions[0]["detail"] == f"issued {c1.code} from pool spring: 10% off"
    assert mp.codes.validate(store, c1.code, "c2").status == "not_theirs"
    assert mp.codes.validate(store, c1.code, "c1").valid
    redeemed = mp.codes.redeem(store, c1.code, "c1", order_id="o-9", key="k1")
    assert redeemed.redeemed_order_id == "o-9"
    assert (mp.pools.list(store)[0].assigned, mp.pools.list(store)[0].left) == (2, 1)


def test_an_empty_pool_skips_the_action_and_alerts_an_agent(mp, store):
    pool(mp, store)
    mp.pools.import_codes(store, "spring", ["SPR-0001"])
    mp.order_count_events.create(
        store,
        count=1,
        name="Welcome",
        actions=[{"type": "pool_code", "pool": "spring"}, {"type": "add_tag", "tag": "w"}],
    )

    buy(mp, store, "c1", 1)
    buy(mp, store, "c2", 1)

    assert mp.codes.list(store, "c2") == []
    (firing,) = mp.customers.get(store, "c2").milestones
    assert (firing.actions[0]["status"], firing.actions[0]["detail"]) == ("skipped", "pool spring has no code left")
    assert firing.actions[1]["status"] == "done"  # the rest of the firing goes on
    assert "w" in mp.customers.get(store, "c2").tags
    (alert,) = mp.alerts.list(store)
    assert alert.message == "c2 got no code: pool 'spring' has no code left" and alert.customer_id == "c2"


def test_a_pool_falling_below_its_threshold_alerts_once(mp, store):
    pool(mp, store, low_threshold=3)
    mp.pools.generate(store, "spring", 5)
    pool_event(mp, store)

    for n in range(4):
        buy(mp, store, f"c{n}", 1)

    (alert,) = mp.alerts.list(store)
    assert re.fullmatch(r"pool 'spring' is running low: 2 code\(s\) left \(threshold 3\)", alert.message)
    assert mp.pools.set_threshold(store, "spring", None).low_threshold is None


def test_a_pool_code_a_milestone_drew_meanwhile_is_never_given(mp, store):
    # Given a pool whose first code a program then drew as a reward (by its pattern, forced here)
    pool(mp, store)
    mp.pools.import_codes(store, "spring", ["SPRING-0001", "SPRING-0002"])
    mp.programs.create(
        store,
        name="Reward",
        metric="order_count",
        threshold=1,
        actions=[{"type": "code", "discount": TEN_PERCENT, "pattern": "SPRING-0001-XXXXXXXX"}],
    )
    buy(mp, store, "c0", 1)
    (drawn,) = mp.codes.list(store, "c0")
    with mp.db.write() as tx:
        tx.conn.execute(t.codes.update().where(t.codes.c.code == drawn.code).values(code="SPRING-0001"))
    pool_event(mp, store, count=2)

    # When a customer reaches the pool's event
    buy(mp, store, "c0", 1, start=1)

    # Then they get the other code, and the batch is not refused
    assert [c.code for c in mp.codes.list(store, "c0")] == ["SPRING-0001", "SPRING-0002"]


def test_an_action_must_name_a_pool_of_the_store(mp, store):
    with pytest.raises(ValidationError) as refused:
        pool_event(mp, store, key="autumn")
    assert refused.value.problems == {"actions[0].pool": "no coupon pool 'autumn'"}


# -- at checkout -------------------------------------------------------------------------------


def test_a_pool_code_validates_only_once_assigned_and_redeems_once(mp, store):
    # Given a pool of two codes, one of which a customer got through an event
    pool(mp, store)
    mp.pools.import_codes(store, "spring", ["SPR-0001", "SPR-0002"])
    pool_event(mp, store)
    buy(mp, store, "c1", 1)
    (given,) = mp.codes.list(store, "c1")
    (kept,) = {"SPR-0001", "SPR-0002"} - {given.code}

    # Then the code still in the pool is no code at checkout, for anyone
    assert mp.codes.validate(store, kept, "c1").status == "unknown"
    with pytest.raises(CodeRefused):
        mp.codes.redeem(store, kept, "c1", order_id="o-1", key="k-kept")
    # and the given one validates with the pool's discount, in any case, and redeems once
    verdict = mp.codes.validate(store, given.code.lower(), "c1")
    assert verdict.valid and verdict.discount.as_dict() == TEN_PERCENT
    mp.codes.redeem(store, given.code, "c1", order_id="o-1", key="k1")
    assert mp.codes.redeem(store, given.code, "c1", order_id="o-1", key="k1").redeemed_order_id == "o-1"
    with pytest.raises(CodeRefused) as refused:
        mp.codes.redeem(store, given.code, "c1", order_id="o-2", key="k2")
    assert refused.value.status == "already_redeemed"


# -- expiry ----------------------------------------------------------------------------------


def test_an_import_reads_each_codes_expiry_from_its_column(mp, store, clock):
    # 2026-03-01 12:00 UTC now; a date is good through that day (the store is on UTC)
    pool(mp, store)
    rows = [["code", "expires_at", "note"], ["SPR-0001", "2026-03-10", "x"], ["SPR-0002", "", ""], ["SPR-0003"]]

    filled = mp.pools.import_codes(store, "spring", rows)

    assert (filled.total, filled.expired, filled.left) == (3, 0, 3)
    clock.set(datetime(2026, 3, 11, 0, 0, tzinfo=UTC))
    assert (mp.pools.get(store, "spring").expired, mp.pools.get(store, "spring").left) == (1, 2)


def test_bad_or_past_expiries_refuse_the_import_by_line(mp, store):
    pool(mp, store)
    rows = [["code", "expires_at"], ["SPR-0001", "soon"], ["SPR-0002", "2026-02-01"], ["SPR-0003", "2026-04-01"]]

    with pytest.raises(ValidationError) as refused:
        mp.pools.import_codes(store, "spring", rows)

    assert set(refused.value.problems) == {"line 2", "line 3"}
    assert "not a date like 2027-01-31" in refused.value.problems["line 2"]
    assert "past already" in refused.value.problems["line 3"]
    assert mp.pools.get(store, "spring").total == 0


def test_an_expired_code_is_never_assigned_and_an_assigned_one_keeps_its_date(mp, store, clock):
    # Given a pool with a code expiring soon and one expiring later
    pool(mp, store, low_threshold=2)
    mp.pools.import_codes(store, "spring", [["code", "expires_at"], ["SPR-0001", "2026-03-05"]])
    mp.pools.generate(store, "spring", 1, "LT-XXXX-XXXX", expires_at=date(2026, 6, 30))
    pool_event(mp, store)

    # When a customer reaches the event after the first expired
    clock.set(datetime(2026, 3, 6, 9, 0, tzinfo=UTC))
    buy(mp, store, "c1", 1)

    # Then they get the code still good, with its expiry, and checkout refuses it once past
    (got,) = mp.codes.list(store, "c1")
    assert got.code.startswith("LT-") and got.expires_at == datetime(2026, 7, 1, tzinfo=UTC)
    assert (mp.pools.get(store, "spring").expired, mp.pools.get(store, "spring").left) == (1, 0)
    buy(mp, store, "c2", 1)
    assert mp.codes.list(store, "c2") == []  # the expired one is never given
    clock.set(datetime(2026, 7, 1, 0, 0, tzinfo=UTC))
    assert mp.codes.validate(store, got.code, "c1").status == "expired"


def test_generate_refuses_a_past_expiry(mp, store):
    pool(mp, store)
    with pytest.raises(ValidationError) as refused:
        mp.pools.generate(store, "spring", 5, expires_at=datetime(2026, 3, 1, 11, tzinfo=UTC))
    assert "expires_at" in refused.value.problems
    assert mp.pools.get(store, "spring").total == 0


def test_a_date_expiry_is_the_end_of_that_day_in_the_stores_time_zone(mp, clock):
    store = f"s-{uuid.uuid4().hex}"
    mp.stores.create(store, "Kiwi shop", currency="USD", timezone="Pacific/Auckland")  # UTC+13 in March
    pool(mp, store)
    mp.pools.import_codes(store, "spring", [["code", "expires_at"], ["SPR-0001", "2026-03-10"]])

    clock.set(datetime(2026, 3, 10, 10, 59, tzinfo=UTC))  # 23:59 on the 10th in Auckland
    assert mp.pools.get(store, "spring").expired == 0
    clock.set(datetime(2026, 3, 10, 11, 0, tzinfo=UTC))  # midnight starting the 11th
    assert mp.pools.get(store, "spring").expired == 1


# -- removing codes, deleting a pool --------------------------------------------------------------


def test_unassigned_codes_are_removed_by_name_or_when_expired(mp, store, clock):
    pool(mp, store)
    mp.pools.import_codes(
        store, "spring", [["code", "expires_at"], ["SPR-0001", ""], ["SPR-0002", "2026-03-02"], ["SPR-0003", ""]]
    )
    pool_event(mp, store)
    buy(mp, store, "c1", 1)  # takes SPR-0001, the first left
    assert [c.code for c in mp.codes.list(store, "c1")] == ["SPR-0001"]

    with pytest.raises(Conflict, match="assigned to customers already: SPR-0001"):
        mp.pools.remove_codes(store, "spring", ["SPR-0001", "spr-0003"])
    with pytest.raises(ValidationError) as refused:
        mp.pools.remove_codes(store, "spring", ["SPR-0003", "NOPE-0001"])
    assert refused.value.problems == {"NOPE-0001": "is not a code of this pool"}
    assert mp.pools.get(store, "spring").total == 3  # nothing removed

    clock.set(datetime(2026, 3, 3, tzinfo=UTC))
    after, removed = mp.pools.remove_codes(store, "spring", expired=True)
    assert (removed, after.total, after.expired, after.left) == (1, 2, 0, 1)
    after, removed = mp.pools.remove_codes(store, "spring", ["spr-0003"])
    assert (removed, after.total, after.assigned, after.left) == (1, 1, 1, 0)


def test_a_pool_is_deleted_only_while_none_of_its_codes_was_assigned_and_nothing_gives_them(mp, store):
    pool(mp, store)
    mp.pools.generate(store, "spring", 3)
    event = pool_event(mp, store)

    with pytest.raises(Conflict, match="Welcome give"):
        mp.pools.delete(store, "spring")
    buy(mp, store, "c1", 1)
    mp.order_count_events.update(store, event.rule.id, actions=[{"type": "add_tag", "tag": "welcome"}])
    with pytest.raises(Conflict, match="1 of its codes were assigned"):
        mp.pools.delete(store, "spring")

    pool(mp, store, key="autumn")
    mp.pools.generate(store, "autumn", 3)
    mp.pools.delete(store, "autumn")
    assert [p.key for p in mp.pools.list(store)] == ["spring"]
    with pytest.raises(NotFound):
        mp.pools.delete(store, "autumn")


def test_a_pool_an_automation_gives_codes_of_is_not_deleted(mp, store):
    pool(mp, store, key="autumn")
    mp.pools.generate(store, "autumn", 2)
    gift = {
        "key": "signup_gift",
        "name": "Sign-up gift",
        "trigger": {"type": "signup", "days": 7},
        "branches": [{"name": "everyone", "actions": [{"type": "pool_code", "pool": "autumn"}]}],
    }
    mp.automations.create(store, gift)

    with pytest.raises(Conflict, match="automation 'signup_gift' give"):
        mp.pools.delete(store, "autumn")
    mp.automations.delete(store, "signup_gift")
    mp.pools.delete(store, "autumn")
    assert mp.pools.list(store) == []


def test_one_batch_gives_its_customers_the_codes_in_order_until_the_pool_runs_out(mp, store):
    pool(mp, store)
    mp.pools.import_codes(store, "spring", ["SPR-0001", "SPR-0002"])
    pool(mp, store, "summer")
    mp.pools.import_codes(store, "summer", ["SUM-0001", "SUM-0002", "SUM-0003", "SUM-0004"])
    actions = [{"type": "pool_code", "pool": "spring"}, {"type": "pool_code", "pool": "summer"}]
    mp.order_count_events.create(store, count=1, name="Welcome", actions=actions)

    result = mp.ingest(store, [e for c in ("c1", "c2", "c3") for e in orders(c, 1)])  # one batch, three firings

    assert result.accepted == 3
    given = {c: sorted(code.code for code in mp.codes.list(store, c)) for c in ("c1", "c2", "c3")}
    assert given == {"c1": ["SPR-0001", "SUM-0001"], "c2": ["SPR-0002", "SUM-0002"], "c3": ["SUM-0003"]}
    spring, summer = mp.pools.list(store)
    assert (spring.assigned, spring.left, summer.assigned, summer.left) == (2, 0, 3, 1)
    (alert,) = [a for a in mp.alerts.list(store) if a.customer_id]
    assert alert.message == "c3 got no code: pool 'spring' has no code left"
