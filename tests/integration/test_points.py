"""Points, through the Python API, on every backend: earned by orders at the store's rate
and taken back by refunds, the `points_earned` metric, the `points` reward, and points
spent and adjusted like credit (idempotent, never below zero unless the store allows it)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from milepost_kit import cancelled, count_rows, fired, key, paid, refunded

from milepost import Milepost
from milepost.adapters.storage import tables as t
from milepost.config import Settings
from milepost.errors import Conflict, InsufficientBalance, NotFound, ValidationError


@pytest.fixture
def shop(mp: Milepost) -> str:
    """A USD store earning 1 point per whole dollar."""
    store = f"s-{key()}"
    mp.stores.create(store, "Points shop", currency="USD", points_per_unit=1)
    return store


def ingest(mp: Milepost, store: str, *events: dict[str, Any]):
    result = mp.ingest(store, list(events))
    assert not result.rejected, result.rejected
    return result


def ledger(mp: Milepost, store: str, customer: str) -> list[tuple[str, int]]:
    return [(e.reason, e.points) for e in mp.ledgers.entries(store, customer, unit="points")]


def assert_consistent(mp: Milepost, store: str, customer: str) -> None:
    """The balance is the sum of the ledger; points earned the sum of its `earn` entries."""
    report = mp.customers.get(store, customer)
    entries = mp.ledgers.entries(store, customer, unit="points")
    assert report.points_balance == sum(e.points for e in entries)
    assert report.points_earned == sum(e.points for e in entries if e.reason == "earn")


# -- settings ------------------------------------------------------------------------------------


def test_a_store_earns_no_points_by_default_and_the_rate_is_a_setting(mp, store):
    assert mp.stores.get(store).points_per_unit == 0 and mp.stores.get(store).allow_negative_points is False
    ingest(mp, store, paid("c1", "o1", 2750))
    assert mp.customers.get(store, "c1").points_earned == 0 and mp.ledgers.entries(store, "c1", unit="points") == []
    assert count_rows(mp, store, t.points_ledger) == 0

    changed = mp.stores.update(store, points_per_unit=2, allow_negative_points=True)
    assert (changed.points_per_unit, changed.allow_negative_points) == (2, True)
    ingest(mp, store, paid("c1", "o2", 2750))
    assert ledger(mp, store, "c1") == [("earn", 54)]


@pytest.mark.parametrize("rate", [-1, 1.5, True, "1", 1_000_001])
def test_a_rate_that_is_not_a_whole_number_from_0_is_refused(mp, rate):
    with pytest.raises(ValidationError) as info:
        mp.stores.create(f"s-{key()}", "Shop", points_per_unit=rate)
    assert "points_per_unit" in info.value.problems


# -- earning ---------------------------------------------------------------------------------------


def test_an_order_earns_its_rate_per_whole_unit_of_its_net_amount(mp, shop):
    # Given 1 point per dollar, When orders of 27.50 and 0.99 USD are paid
    ingest(mp, shop, paid("c1", "o1", 2750), paid("c1", "o2", 99))
    # Then the first earns 27 and the second nothing (no entry for 0 points)
    assert ledger(mp, shop, "c1") == [("earn", 27)]
    report = mp.customers.get(shop, "c1")
    assert (report.points_earned, report.points_balance) == (27, 27)
    entry = mp.ledgers.entries(shop, "c1", unit="points")[0]
    assert entry.order_id == "o1" and entry.firing_id is None


def test_the_rate_counts_whole_units_of_the_store_currency(mp):
    yen, dinar = f"s-{key()}", f"s-{key()}"
    mp.stores.create(yen, "Yen", currency="JPY", points_per_unit=1)
    mp.stores.create(dinar, "Dinar", currency="KWD", points_per_unit=3)
    ingest(mp, yen, {**paid("c1", "o1", 2750), "currency": "JPY"})
    ingest(mp, dinar, {**paid("c1", "o1", 2750), "currency": "KWD"})  # 2.750 KWD
    assert mp.customers.get(yen, "c1").points_earned == 2750
    assert mp.customers.get(dinar, "c1").points_earned == 6


def test_refunds_and_cancellations_take_the_points_back(mp, shop):
    ingest(mp, shop, paid("c1", "o1", 5000), paid("c1", "o2", 3000))
    ingest(mp, shop, refunded("c1", "o1", 1250))  # 50.00 -> 37.50: 50 -> 37 points
    ingest(mp, shop, cancelled("c1", "o2"))
    assert ledger(mp, shop, "c1") == [("earn", 50), ("earn", 30), ("earn", -13), ("earn", -30)]
    assert mp.customers.get(shop, "c1").points_earned == 37
    ingest(mp, shop, refunded("c1", "o1"))  # in full
    assert mp.customers.get(shop, "c1").points_earned == 0
    assert_consistent(mp, shop, "c1")


def test_an_order_paid_again_under_another_event_id_earns_nothing_more(mp, shop):
    ingest(mp, shop, paid("c1", "o1", 2000))
    ingest(mp, shop, paid("c1", "o1", 2000))
    assert ledger(mp, shop, "c1") == [("earn", 20)]


def test_sending_the_same_event_again_earns_nothing(mp, shop):
    event = paid("c1", "o1", 2000)
    ingest(mp, shop, event)
    assert mp.ingest(shop, [event]).duplicates == 1
    assert ledger(mp, shop, "c1") == [("earn", 20)]


def test_an_order_keeps_the_rate_it_first_counted_at(mp, shop):
    # Given an order that earned at 1 point per dollar
    ingest(mp, shop, paid("c1", "o1", 4000))
    # When the rate goes up, then the order is refunded in full
    mp.stores.update(shop, points_per_unit=5)
    ingest(mp, shop, paid("c1", "o2", 1000), refunded("c1", "o1"))
    # Then the refund takes back what it earned (40), and new orders earn at the new rate
    assert ledger(mp, shop, "c1") == [("earn", 40), ("earn", 50), ("earn", -40)]
    # And with the rate at 0 refunds of orders that earned still take their points back
    mp.stores.update(shop, points_per_unit=0)
    ingest(mp, shop, refunded("c1", "o2", 500), paid("c1", "o3", 9900))
    assert ledger(mp, shop, "c1")[-1] == ("earn", -25)
    assert mp.customers.get(shop, "c1").points_earned == 25
    assert_consistent(mp, shop, "c1")


def test_an_order_that_counted_before_points_existed_never_earns(mp, store):
    ingest(mp, store, paid("c1", "o1", 4000))
    mp.stores.update(store, points_per_unit=1)
    ingest(mp, store, refunded("c1", "o1", 1000), paid("c1", "o2", 1000))
    assert ledger(mp, store, "c1") == [("earn", 10)]


# -- the points_earned metric and the points reward ----------------------------------------------


def test_a_points_earned_program_fires_on_the_order_that_crosses_it(mp, shop):
    # Given 500 extra points after 1,000 points earned
    program = mp.programs.create(
        shop, name="1,000 points", metric="points_earned", threshold=1000, actions=[{"type": "points", "points": 500}]
    ).rule.id
    # When orders earn 600, then 300, then 150 points
    ingest(mp, shop, paid("c1", "o1", 60_000), paid("c1", "o2", 30_000))
    assert fired(mp, shop, "c1") == []
    result = ingest(mp, shop, paid("c1", "o3", 15_050))
    # Then the third order fires it, once, and the reward is not "earned"
    assert [m["order_id"] for m in result.firings] == ["o3"]
    assert fired(mp, shop, "c1") == [(program, 1050)]
    report = mp.customers.get(shop, "c1")
    assert (report.points_earned, report.points_balance) == (1050, 1550)
    reward = mp.ledgers.entries(shop, "c1", unit="points")[-1]
    assert (reward.reason, reward.points, reward.milestone, reward.order_id) == ("milestone", 500, "1,000 points", "o3")
    assert report.milestones[0].actions[0]["detail"] == "gave 500 points"
    # And falling back under and crossing again does not fire twice
    ingest(mp, shop, refunded("c1", "o3"), paid("c1", "o4", 20_000))
    assert len(fired(mp, shop, "c1")) == 1
    assert_consistent(mp, shop, "c1")


def test_a_points_reward_is_a_milestone_entry_and_a_customer_rewarded_webhook(mp, store):
    mp.settings = Settings(webhooks_allow_private=True)
    mp.webhooks.create(store, url="http://127.0.0.1:9/hooks", event_types=["customer.rewarded"])
    mp.order_count_events.create(store, count=1, name="First", actions=[{"type": "points", "points": 100}])
    ingest(mp, store, paid("c1", "o1"))
    assert ledger(mp, store, "c1") == [("milestone", 100)]
    assert mp.customers.get(store, "c1").points_earned == 0  # given, not earned
    (row,) = [o for o in mp.reports.outbox(store) if o["channel"] == "webhook"]
    body = json.loads(row["payload"])
    assert body["type"] == "customer.rewarded"
    assert body["data"]["reward"] == {"type": "points", "points": 100}


@pytest.mark.parametrize("points", [0, -5, 1.5, True, "10", None])
def test_a_points_action_needs_a_positive_whole_number(mp, store, points):
    action = {"type": "points"} if points is None else {"type": "points", "points": points}
    with pytest.raises(ValidationError) as info:
        mp.order_count_events.create(store, count=1, name="x", actions=[action])
    assert "actions[0].points" in info.value.problems


# -- spending and adjusting -------------------------------------------------------------------


def test_points_are_spent_and_adjusted_idempotently(mp, shop):
    ingest(mp, shop, paid("c1", "o1", 10_000))
    spent = mp.ledgers.spend(shop, "c1", 30, unit="points", key="r1", order_id="o9", note="checkout")
    assert (spent.reason, spent.points, spent.order_id, spent.note) == ("spend", -30, "o9", "checkout")
    assert mp.ledgers.spend(shop, "c1", 30, unit="points", key="r1") == spent  # the same key: the first entry
    with pytest.raises(Conflict):
        mp.ledgers.spend(shop, "c1", 31, unit="points", key="r1")
    ingest(mp, shop, paid("c2", "o2", 1000))
    with pytest.raises(Conflict):
        mp.ledgers.spend(shop, "c2", 30, unit="points", key="r1")

    fixed = mp.ledgers.adjust(shop, "c1", -5, unit="points", key="a1", reason="  goodwill mistake ", actor="ops@shop")
    assert (fixed.reason, fixed.points, fixed.note, fixed.actor) == ("adjustment", -5, "goodwill mistake", "ops@shop")
    assert mp.ledgers.adjust(shop, "c1", -5, unit="points", key="a1", reason="again") == fixed
    up = mp.ledgers.adjust(shop, "c1", 7, unit="points", key="a2", reason="bonus")
    assert up.points == 7
    report = mp.customers.get(shop, "c1")
    assert (report.points_balance, report.points_earned) == (100 - 30 - 5 + 7, 100)  # spending is not un-earning
    assert_consistent(mp, shop, "c1")


def test_points_never_go_below_zero_unless_the_store_allows_it(mp, shop):
    ingest(mp, shop, paid("c1", "o1", 1000))
    with pytest.raises(InsufficientBalance):
        mp.ledgers.spend(shop, "c1", 11, unit="points", key=key())
    with pytest.raises(InsufficientBalance):
        mp.ledgers.adjust(shop, "c1", -11, unit="points", key=key(), reason="too much")
    assert mp.customers.get(shop, "c1").points_balance == 10
    mp.ledgers.spend(shop, "c1", 10, unit="points", key=key())
    assert mp.customers.get(shop, "c1").points_balance == 0

    mp.stores.update(shop, allow_negative_points=True)
    mp.ledgers.spend(shop, "c1", 25, unit="points", key=key())
    assert mp.customers.get(shop, "c1").points_balance == -25
    assert_consistent(mp, shop, "c1")


def test_a_refund_takes_back_points_already_spent(mp, shop):
    # The refund is a fact: the balance may go below zero even where spending may not
    ingest(mp, shop, paid("c1", "o1", 2000))
    mp.ledgers.spend(shop, "c1", 20, unit="points", key=key())
    ingest(mp, shop, refunded("c1", "o1"))
    assert mp.customers.get(shop, "c1").points_balance == -20
    assert_consistent(mp, shop, "c1")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda mp, s: mp.ledgers.spend(s, "c1", 0, unit="points", key="k"), "points"),
        (lambda mp, s: mp.ledgers.spend(s, "c1", 5, unit="points", key=" "), "key"),
        (lambda mp, s: mp.ledgers.adjust(s, "c1", 0, unit="points", key="k", reason="r"), "points"),
        (lambda mp, s: mp.ledgers.adjust(s, "c1", 5, unit="points", key="k", reason=" "), "reason"),
    ],
)
def test_bad_spends_and_adjustments_are_refused(mp, shop, call, field):
    ingest(mp, shop, paid("c1", "o1", 1000))
    with pytest.raises(ValidationError) as info:
        call(mp, shop)
    assert field in info.value.problems


def test_an_unknown_customer_has_no_points(mp, shop):
    with pytest.raises(NotFound):
        mp.ledgers.spend(shop, "nobody", 1, unit="points", key="k")
    with pytest.raises(NotFound):
        mp.ledgers.entries(shop, "nobody", unit="points")


def test_keys_are_per_store(mp, shop):
    other = f"s-{key()}"
    mp.stores.create(other, "Other", points_per_unit=1)
    for store in (shop, other):
        ingest(mp, store, paid("c1", "o1", 1000))
        assert mp.ledgers.spend(store, "c1", 4, unit="points", key="same").points == -4
    assert mp.customers.get(shop, "c1").points_balance == mp.customers.get(other, "c1").points_balance == 6
