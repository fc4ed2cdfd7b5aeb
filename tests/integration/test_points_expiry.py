"""Points expiry, on every backend: a store-set period after which earned points expire,
oldest first; what was spent or taken back is not expired again; each lot expires once,
however often the sweep runs; switching expiry on never expires old points at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from milepost_kit import key, paid, refunded

from milepost import Milepost
from milepost.errors import InsufficientBalance, ValidationError


@pytest.fixture
def shop(mp: Milepost) -> str:
    """A USD store earning 1 point per whole dollar; points expire after 30 days."""
    store = f"s-{key()}"
    mp.stores.create(store, "Expiry shop", currency="USD", points_per_unit=1, points_expire_days=30)
    return store


def earn(mp: Milepost, store: str, customer: str, order: str, points: int) -> None:
    result = mp.ingest(store, [paid(customer, order, points * 100)])
    assert not result.rejected, result.rejected


def expired(mp: Milepost, store: str, customer: str = "c1") -> list[tuple[int, str]]:
    return [
        (e.points, e.idempotency_key)
        for e in mp.ledgers.entries(store, customer, unit="points")
        if e.reason == "expire"
    ]


def balance(mp: Milepost, store: str, customer: str = "c1") -> int:
    report = mp.customers.get(store, customer)
    assert report.points_balance == sum(e.points for e in mp.ledgers.entries(store, customer, unit="points"))
    return report.points_balance


def earn_key(mp: Milepost, store: str, order: str, customer: str = "c1") -> str:
    (entry,) = [
        e for e in mp.ledgers.entries(store, customer, unit="points") if e.reason == "earn" and e.order_id == order
    ]
    return entry.idempotency_key


def test_points_expire_after_the_period_oldest_first(mp, shop, clock):
    earn(mp, shop, "c1", "o1", 100)
    clock.advance(days=10)
    earn(mp, shop, "c1", "o2", 50)
    clock.advance(days=19)
    assert mp.sweeps.points_expiry([shop]).points == 0  # day 29: nothing yet

    clock.advance(days=2)  # day 31: the first lot
    done = mp.sweeps.points_expiry([shop])
    assert (done.points, done.customers) == (100, 1)
    assert expired(mp, shop) == [(-100, f"expire:{earn_key(mp, shop, 'o1')}")]
    assert balance(mp, shop) == 50
    (entry,) = [e for e in mp.ledgers.entries(shop, "c1", unit="points") if e.reason == "expire"]
    assert entry.order_id == "o1" and "100 points earned on 2026-03-01" in entry.note

    clock.advance(days=10)  # day 41: the second
    assert mp.sweeps.points_expiry([shop]).points == 50
    assert balance(mp, shop) == 0


def test_a_sweep_expires_each_lot_once(mp, shop, clock):
    earn(mp, shop, "c1", "o1", 100)
    clock.advance(days=31)
    assert mp.sweeps.points_expiry([shop]).points == 100
    assert mp.sweeps.points_expiry([shop]).points == 0
    clock.advance(days=1)
    assert mp.sweeps.points_expiry([shop]).points == 0
    assert expired(mp, shop) == [(-100, f"expire:{earn_key(mp, shop, 'o1')}")]


def test_what_was_spent_comes_out_of_the_oldest_lot(mp, shop, clock):
    earn(mp, shop, "c1", "o1", 100)
    clock.advance(days=10)
    earn(mp, shop, "c1", "o2", 50)
    clock.advance(days=5)
    mp.ledgers.spend(shop, "c1", 120, unit="points", key=key())  # 100 from o1, 20 from o2
    clock.advance(days=16)  # day 31: o1's lot is used up
    assert mp.sweeps.points_expiry([shop]).points == 0
    clock.advance(days=10)  # day 41: 30 left of o2's
    assert mp.sweeps.points_expiry([shop]).points == 30
    assert balance(mp, shop) == 0


def test_a_refund_takes_back_its_own_orders_points_not_the_oldest(mp, shop, clock):
    earn(mp, shop, "c1", "o1", 100)
    clock.advance(days=10)
    earn(mp, shop, "c1", "o2", 100)
    mp.ingest(shop, [refunded("c1", "o2")])
    assert balance(mp, shop) == 100
    clock.advance(days=21)  # day 31: o1's 100 are still whole
    assert mp.sweeps.points_expiry([shop]).points == 100
    clock.advance(days=10)
    assert mp.sweeps.points_expiry([shop]).points == 0
    assert balance(mp, shop) == 0


def test_milestone_points_expire_too(mp, shop, clock):
    mp.programs.create(
        shop, name="First order", metric="order_count", threshold=1, actions=[{"type": "points", "points": 500}]
    )
    earn(mp, shop, "c1", "o1", 10)
    clock.advance(days=31)
    assert mp.sweeps.points_expiry([shop]).points == 510
    assert sorted(p for p, _ in expired(mp, shop)) == [-500, -10]
    assert balance(mp, shop) == 0


def test_expired_points_cannot_be_spent_before_the_sweep_comes(mp, shop, clock):
    earn(mp, shop, "c1", "o1", 100)
    clock.advance(days=31)
    with pytest.raises(InsufficientBalance):
        mp.ledgers.spend(shop, "c1", 50, unit="points", key=key())
    # the refused spend wrote nothing; the next one expires them first, in its transaction
    earn(mp, shop, "c1", "o2", 60)
    mp.ledgers.spend(shop, "c1", 50, unit="points", key=key())
    assert expired(mp, shop) == [(-100, f"expire:{earn_key(mp, shop, 'o1')}")]
    assert balance(mp, shop) == 10


def test_an_adjustment_down_comes_out_of_the_oldest_lot_and_an_addition_is_a_lot(mp, shop, clock):
    earn(mp, shop, "c1", "o1", 100)
    mp.ledgers.adjust(shop, "c1", -40, unit="points", key=key(), reason="duplicate order")
    clock.advance(days=10)
    mp.ledgers.adjust(shop, "c1", 25, unit="points", key=key(), reason="goodwill")
    clock.advance(days=21)
    assert mp.sweeps.points_expiry([shop]).points == 60
    clock.advance(days=10)
    assert mp.sweeps.points_expiry([shop]).points == 25
    assert balance(mp, shop) == 0


def test_expiry_never_takes_a_negative_balance_lower(mp, clock):
    store = f"s-{key()}"
    mp.stores.create(store, "Neg", points_per_unit=1, allow_negative_points=True, points_expire_days=30)
    earn(mp, store, "c1", "o1", 100)
    mp.ledgers.spend(store, "c1", 150, unit="points", key=key())  # -50: a debt
    clock.advance(days=5)
    earn(mp, store, "c1", "o2", 80)  # pays the debt first: 30 left
    clock.advance(days=40)
    assert mp.sweeps.points_expiry([store]).points == 30
    assert balance(mp, store) == 0


def test_points_never_expire_by_default(mp, clock):
    store = f"s-{key()}"
    mp.stores.create(store, "Forever", points_per_unit=1)
    assert mp.stores.get(store).points_expire_days is None
    earn(mp, store, "c1", "o1", 100)
    clock.advance(days=4000)
    assert mp.sweeps.points_expiry([store]).stores == 0
    assert mp.ledgers.expiring(store, "c1") == []
    assert balance(mp, store) == 100


def test_switching_expiry_on_counts_old_points_from_then(mp, clock):
    store = f"s-{key()}"
    mp.stores.create(store, "Later", points_per_unit=1)
    earn(mp, store, "c1", "o1", 100)
    clock.advance(days=400)
    mp.stores.update(store, points_expire_days=30)
    assert mp.sweeps.points_expiry([store]).points == 0  # not a year of points at once
    (lot,) = mp.ledgers.expiring(store, "c1")
    assert (lot.points, lot.expires_at) == (100, clock() + timedelta(days=30))
    clock.advance(days=30)
    assert mp.sweeps.points_expiry([store]).points == 100


def test_changing_the_period_and_switching_it_off(mp, shop, clock):
    earn(mp, shop, "c1", "o1", 100)
    clock.advance(days=20)
    mp.stores.update(shop, points_expire_days=90)  # longer: counts from the change
    clock.advance(days=80)
    assert mp.sweeps.points_expiry([shop]).points == 0
    mp.stores.update(shop, points_expire_days=0)  # never
    assert mp.stores.get(shop).points_expire_days is None
    clock.advance(days=1000)
    assert mp.sweeps.points_expiry([shop]).points == 0 and balance(mp, shop) == 100
    mp.stores.update(shop, points_expire_days=10)
    clock.advance(days=10)
    assert mp.sweeps.points_expiry([shop]).points == 100
    for bad in (-1, 36_501, True, "30"):
        with pytest.raises(ValidationError) as e:
            mp.stores.update(shop, points_expire_days=bad)
        assert "points_expire_days" in e.value.problems


def test_a_sweep_reads_only_the_customers_who_earned_since_the_last(mp, shop, clock):
    for i in range(5):
        earn(mp, shop, f"c{i}", f"o{i}", 10)
    clock.advance(days=31)
    assert mp.sweeps.points_expiry([shop]).customers == 5
    clock.advance(days=1)
    assert mp.sweeps.points_expiry([shop]).customers == 0  # settled: not read again
    earn(mp, shop, "c9", "o9", 10)
    clock.advance(days=31)
    done = mp.sweeps.points_expiry([shop])
    assert (done.customers, done.points) == (1, 10)


def test_what_expires_next_is_shown(mp, shop, clock):
    earn(mp, shop, "c1", "o1", 100)
    clock.advance(days=3)
    earn(mp, shop, "c1", "o2", 40)
    mp.ledgers.spend(shop, "c1", 30, unit="points", key=key())
    start = clock()
    lots = mp.ledgers.expiring(shop, "c1")
    assert [(lot.points, (lot.expires_at - start).days) for lot in lots] == [(70, 27), (40, 30)]


def test_the_daily_scheduler_expires_points_and_the_worker_leaves_them_to_it(mp, shop, clock):
    earn(mp, shop, "c1", "o1", 100)
    mp.sweeps.run_daily([shop])  # the store's first run, today
    clock.advance(days=31)
    worker = mp.worker(stores=[shop])
    try:
        worker.drain()
        assert worker.scheduler is None and balance(mp, shop) == 100
    finally:
        worker.close()
    mp.sweeps.run_daily([shop])  # today, and the days since the first run, each as of its start
    assert balance(mp, shop) == 0
