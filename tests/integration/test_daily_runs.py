"""`mp.sweeps.run_daily`: inactivity programs and points expiry as of a store-local date,
with catch-up of the days missed since the store's last run, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from daily_worker import run_day
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from milepost_kit import buy, key, paid

from milepost import Milepost
from milepost.adapters.storage import tables as t
from milepost.scheduler.daily import SCHEDULER_LOCK
from milepost.testing import FrozenClock

MAR = [date(2026, 2, 28) + timedelta(days=d) for d in range(40)]  # MAR[5] is 2026-03-05


def start_of(day: date) -> datetime:
    """The first instant of a day in UTC: a run of the day is as of then."""
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def quiet_program(mp: Milepost, store: str, days: int) -> int:
    details = mp.programs.create_inactivity(
        store, name=f"{days} days quiet", days=days, actions=[{"type": "add_tag", "tag": "lapsed"}]
    )
    return details.rule.id


def firings(mp: Milepost, store: str) -> list[tuple[str, int, datetime]]:
    """(customer, occurrence, fired at) of the store's firings, in the order they fired."""
    f, c = t.firings.c, t.customers.c
    q = (
        sa.select(c.external_id, f.occurrence, f.fired_at)
        .join(t.customers, c.id == f.customer_id)
        .where(f.store_id == mp.stores.get(store).id)
        .order_by(f.id)
    )
    with mp.db.engine.connect() as conn:
        return [(r.external_id, r.occurrence, r.fired_at) for r in conn.execute(q)]


def ran(runs: list) -> list[tuple[date, int]]:
    [run] = runs
    return [(d.day, d.fired) for d in run.days]


def test_a_first_run_has_no_missed_days_and_a_later_one_fills_the_gap_in_order(mp, store, clock):
    quiet_program(mp, store, days=10)
    buy(mp, store, "c1", 1)  # 2026-03-01 12:00 UTC: due 03-11 12:00, so in the run of 03-12
    clock.advance(days=2)
    buy(mp, store, "c2", 1, start=1)  # in the run of 03-14
    clock.set(datetime(2026, 3, 1, 12, tzinfo=UTC))  # the wall clock says nothing about the dates run
    assert ran(mp.sweeps.run_daily([store], MAR[5])) == [(MAR[5], 0)]
    days = ran(mp.sweeps.run_daily([store], MAR[14]))
    assert days == [(MAR[d], 1 if d in (12, 14) else 0) for d in range(6, 15)]
    assert [(c, at) for c, _, at in firings(mp, store)] == [("c1", start_of(MAR[12])), ("c2", start_of(MAR[14]))]
    assert ran(mp.sweeps.run_daily([store], MAR[9])) == []  # an earlier date after a later one
    assert ran(mp.sweeps.run_daily([store], MAR[14])) == []  # the same date again
    assert len(firings(mp, store)) == 2


def test_a_past_date_is_replayed_as_of_that_date(mp, store, clock):
    quiet_program(mp, store, days=10)
    buy(mp, store, "c1", 1)
    clock.advance(days=60)
    assert ran(mp.sweeps.run_daily([store], MAR[10])) == [(MAR[10], 0)]
    assert ran(mp.sweeps.run_daily([store], MAR[12])) == [(MAR[11], 0), (MAR[12], 1)]
    assert [(c, at) for c, _, at in firings(mp, store)] == [("c1", start_of(MAR[12]))]


def test_a_store_east_of_utc_runs_its_own_local_date(mp, clock):
    store = f"s-{key()}"
    mp.stores.create(store, "Kiwi shop", currency="USD", timezone="Pacific/Auckland")  # UTC+13 in March
    clock.set(datetime(2026, 2, 28, 14, tzinfo=UTC))
    quiet_program(mp, store, days=1)
    clock.set(datetime(2026, 2, 28, 15, tzinfo=UTC))
    buy(mp, store, "c1", 1)  # due 2026-03-01 15:00 UTC: 03-02 04:00 in Auckland
    assert ran(mp.sweeps.run_daily([store], MAR[2])) == [(MAR[2], 0)]  # a UTC store would fire on 03-02
    clock.set(datetime(2026, 3, 2, 12, tzinfo=UTC))  # 03-03 01:00 in Auckland
    [run] = mp.sweeps.run_daily([store])  # today: Auckland's date
    assert run.day == MAR[3] and [(d.day, d.fired) for d in run.days] == [(MAR[3], 1)]
    start_of_auckland_day = datetime(2026, 3, 2, 11, tzinfo=UTC)
    assert [at for _, _, at in firings(mp, store)] == [start_of_auckland_day]


def lapses_looked_at(runs: list) -> list[tuple[date, int, int]]:
    """(day, inactivity candidates looked at, fired) of the days run that looked at any."""
    [run] = runs
    return [(d.day, d.lapses, d.fired) for d in run.days if d.lapses]


def test_a_lapse_due_on_a_day_the_scheduler_missed_fires_in_the_catch_up(mp, store, clock):
    quiet_program(mp, store, days=10)
    buy(mp, store, "c1", 1)  # 2026-03-01 12:00 UTC: due in the run of 03-12
    clock.advance(days=2)
    buy(mp, store, "c2", 1, start=1)  # due in the run of 03-14
    clock.advance(days=3)
    buy(mp, store, "c3", 1, start=2)  # 03-06: due in the run of 03-17
    assert ran(mp.sweeps.run_daily([store], MAR[5])) == [(MAR[5], 0)]
    # the scheduler ran nothing from 03-06 to 03-19: the run of 03-20 catches up, each day
    # looking only at the lapses that became due on it
    assert lapses_looked_at(mp.sweeps.run_daily([store], MAR[20])) == [
        (MAR[12], 1, 1),
        (MAR[14], 1, 1),
        (MAR[17], 1, 1),
    ]
    assert [(c, at) for c, _, at in firings(mp, store)] == [
        ("c1", start_of(MAR[12])),
        ("c2", start_of(MAR[14])),
        ("c3", start_of(MAR[17])),
    ]


def test_the_daily_run_looks_at_the_lapses_due_on_its_day_not_at_every_quiet_customer(mp, store, clock):
    quiet_program(mp, store, days=10)
    for i in range(3):
        buy(mp, store, f"c{i}", 1, start=i)  # 03-01 12:00: all due in the run of 03-12
    clock.advance(days=1)
    buy(mp, store, "c9", 1, start=9)  # 03-02: due in the run of 03-13
    # a store's first run looks at every lapse due and fires the backlog once
    assert lapses_looked_at(mp.sweeps.run_daily([store], MAR[13])) == [(MAR[13], 4, 4)]
    # the next days: the three quiet customers and the fourth are outside their windows
    [run] = mp.sweeps.run_daily([store], MAR[16])
    assert [(d.day, d.lapses, d.fired) for d in run.days] == [(MAR[d], 0, 0) for d in (14, 15, 16)]
    # the on-demand check, as of now, still looks at every quiet customer, and fires nothing again
    clock.set(start_of(MAR[16]))
    assert (mp.sweeps.inactivity([store]).customers, len(firings(mp, store))) == (4, 4)


def test_lapses_due_at_the_same_instant_fire_once_each_across_pages(mp, store, clock):
    quiet_program(mp, store, days=10)
    for part in range(2):  # 1,001 customers whose last order is the same instant: two pages
        mp.ingest(store, [paid(f"c{i}", f"o{i}", 1000) for i in range(part * 1000, min(1001, (part + 1) * 1000))])
    assert ran(mp.sweeps.run_daily([store], MAR[5])) == [(MAR[5], 0)]
    assert lapses_looked_at(mp.sweeps.run_daily([store], MAR[12])) == [(MAR[12], 1001, 1001)]
    assert len({c for c, _, _ in firings(mp, store)}) == 1001


def test_a_lapse_due_while_the_program_was_not_live_does_not_fire_later(mp, store, clock):
    rule_id = quiet_program(mp, store, days=10)
    buy(mp, store, "c1", 1)  # due in the run of 03-12
    clock.advance(days=4)
    buy(mp, store, "c2", 1, start=1)  # 03-05: due in the run of 03-16
    assert ran(mp.sweeps.run_daily([store], MAR[5])) == [(MAR[5], 0)]
    mp.programs.update(store, rule_id, active=False)
    assert ran(mp.sweeps.run_daily([store], MAR[13])) == [(MAR[d], 0) for d in range(6, 14)]
    mp.programs.update(store, rule_id, active=True)  # switched on: re-armed
    assert ran(mp.sweeps.run_daily([store], MAR[17])) == [(MAR[d], 1 if d == 16 else 0) for d in range(14, 18)]
    assert [c for c, _, _ in firings(mp, store)] == ["c2"]


def test_points_expire_as_of_the_day_run(mp, clock):
    store = f"s-{key()}"
    mp.stores.create(store, "Points shop", currency="USD", points_per_unit=1, points_expire_days=5)
    buy(mp, store, "c1", 1, total=1000)  # 10 points on 03-01 12:00, expiring 03-06 12:00
    assert ran(mp.sweeps.run_daily([store], MAR[5])) == [(MAR[5], 0)]
    [run] = mp.sweeps.run_daily([store], MAR[8])  # as of the start of 03-07: expired
    assert [(d.day, d.expired) for d in run.days] == [(MAR[6], 0), (MAR[7], 10), (MAR[8], 0)]
    assert mp.customers.get(store, "c1").points_balance == 0


def _history(clock: FrozenClock, mp: Milepost, offsets: list[int]) -> str:
    """A store with a 3-day inactivity program, an automation two days after sign-up, and
    a customer ordering on each offset day."""
    store = f"s-{key()}"
    clock.set(datetime(2026, 3, 1, 12, tzinfo=UTC))
    mp.stores.create(store, "Property shop", currency="USD", timezone="UTC")
    quiet_program(mp, store, days=3)
    welcome = [{"name": "all", "actions": [{"type": "add_tag", "tag": "welcomed"}]}]
    mp.automations.create(
        store, {"key": "welcome", "name": "Welcome", "trigger": {"type": "signup", "days": 2}, "branches": welcome}
    )
    for i, offset in enumerate(sorted(offsets)):
        clock.set(datetime(2026, 3, 1, 12, tzinfo=UTC) + timedelta(days=offset))
        buy(mp, store, f"c{i}", 1, start=i)
    return store


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offsets=st.lists(st.integers(0, 6), min_size=1, max_size=4),
    first=st.integers(1, 8),
    later=st.lists(st.integers(0, 16), max_size=6),
)
def test_any_runs_give_the_messages_of_each_day_once_in_order(mp, clock, offsets, first, later):
    """After a first run on day F, any runs (any order, repeats, gaps) whose latest day is L
    fire exactly what running F, F+1, ..., L once each fires, in the same order."""
    store = _history(clock, mp, offsets)
    for day in [first, *later]:
        mp.sweeps.run_daily([store], MAR[day])
    expected = _history(clock, mp, offsets)
    for day in range(first, max([first, *later]) + 1):
        mp.sweeps.run_daily([expected], MAR[day])
    assert firings(mp, store) == firings(mp, expected)


@pytest.mark.postgres
def test_two_runs_at_once_fire_once(postgres_url, postgres_db, clock):
    mp = Milepost(postgres_db, clock)
    store = f"s-{key()}"
    mp.stores.create(store, "Busy shop", currency="USD")
    quiet_program(mp, store, days=2)
    for i in range(20):
        buy(mp, store, f"c{i}", 1, start=i)
    mp.sweeps.run_daily([store], MAR[1])
    ctx = multiprocessing.get_context("spawn")
    start, errors = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=run_day, args=(postgres_url, store, MAR[6], start, errors)) for _ in range(2)]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(120)
    assert errors.empty(), errors.get()
    assert all(w.exitcode == 0 for w in workers)
    assert sorted(c for c, _, _ in firings(mp, store)) == sorted(f"c{i}" for i in range(20))
    with postgres_db.engine.connect() as conn:
        days = conn.execute(
            sa.select(t.daily_runs.c.day).where(t.daily_runs.c.store_id == mp.stores.get(store).id)
        ).scalars()
        assert sorted(days) == MAR[1:7]


def test_the_scheduler_runs_the_day_that_began_in_each_store(mp, clock):
    """`run_daily_due`, what `milepost scheduler` does when it wakes: the day that just
    began in each store where one did, with catch-up, as of that day's start: never ahead."""
    utc, kiwi = f"s-{key()}", f"s-{key()}"
    mp.stores.create(utc, "UTC shop", currency="USD")
    mp.stores.create(kiwi, "Kiwi shop", currency="USD", timezone="Pacific/Auckland")
    clock.set(datetime(2026, 3, 1, 10, tzinfo=UTC))  # 03-01 23:00 in Auckland
    quiet_program(mp, kiwi, days=1)
    buy(mp, kiwi, "c1", 1)  # due 03-02 10:00 UTC, 23:00 in Auckland

    def due() -> dict[str, list[tuple[date, int]]]:
        return {run.store: [(d.day, d.fired) for d in run.days] for run in mp.sweeps.run_daily_due() or []}

    first = due()
    assert (first[utc], first[kiwi]) == ([(MAR[1], 0)], [(MAR[1], 0)])  # today in each
    assert not due().keys() & {utc, kiwi}
    clock.set(datetime(2026, 3, 1, 11, 0, 1, tzinfo=UTC))  # past midnight in Auckland only
    assert due().get(kiwi) == [(MAR[2], 0)] and utc not in due()
    clock.set(datetime(2026, 3, 2, 11, 0, 1, tzinfo=UTC))  # 03-03 began in Auckland: c1 due by its start
    began = due()  # and 03-02 began in UTC
    assert (began[kiwi], began[utc]) == ([(MAR[3], 1)], [(MAR[2], 0)])
    clock.set(datetime(2026, 3, 4, 0, 0, 1, tzinfo=UTC))  # down for two days: caught up
    later = due()
    assert (later[utc], later[kiwi]) == ([(MAR[3], 0), (MAR[4], 0)], [(MAR[4], 0)])


@pytest.mark.postgres
def test_only_the_scheduler_holding_the_lock_acts(postgres_db, clock):
    mp = Milepost(postgres_db, clock)
    with postgres_db.session_lock(SCHEDULER_LOCK) as held:  # another scheduler acting
        assert held
        assert mp.sweeps.run_daily_due() is None
    assert mp.sweeps.run_daily_due() is not None
