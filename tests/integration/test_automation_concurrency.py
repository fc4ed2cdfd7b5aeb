"""Two daily runs of the anniversary at once, from two processes, on one coupon pool
(PostgreSQL): no code goes to two customers, no customer gets two codes (or two firings)
from one automation day, and the customers the pool could not serve take the on-failure
branch once each."""

from __future__ import annotations

import multiprocessing
from datetime import date

import sqlalchemy as sa
from daily_worker import run_day
from test_automations import customer, order, shop

from milepost import Milepost
from milepost.adapters.storage import tables as t
from support.automations import ANNIVERSARY, POOL, anniversary

DAY = date(2026, 3, 1)


def test_two_runs_at_once_give_each_code_once_and_each_customer_one(postgres_url, postgres_db, clock):
    mp = Milepost(postgres_db, clock)
    store = shop(mp, codes=12)
    for i in range(20):
        customer(mp, store, f"c{i}", account_manager="")
        order(mp, store, f"c{i}", f"o{i}", f"2025-03-01T{i % 24:02}:00:00Z")
    mp.automations.create(store, anniversary())
    mp.sweeps.run_daily([store], date(2026, 2, 27))  # the store's first run: the day below catches up

    ctx = multiprocessing.get_context("spawn")
    start, errors = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=run_day, args=(postgres_url, store, DAY, start, errors)) for _ in range(2)]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(120)
    assert errors.empty(), errors.get()
    assert all(w.exitcode == 0 for w in workers)

    store_id = mp.stores.get(store).id
    with postgres_db.engine.connect() as conn:
        f = t.firings.c
        fired = conn.execute(sa.select(f.customer_id, f.occurrence).where(f.store_id == store_id)).all()
        p = t.pool_codes.c
        taken = conn.execute(
            sa.select(p.code, p.customer_id).where(p.store_id == store_id, p.customer_id.is_not(None))
        ).all()
    assert len(fired) == 20 and len(set(fired)) == 20  # one firing per customer for the day
    assert len(taken) == 12
    assert len({code for code, _ in taken}) == 12 and len({cid for _, cid in taken}) == 12
    assert mp.pools.get(store, POOL).left == 0

    outcomes = {c.customer_id: c.outcomes for c in mp.automations.run(store, ANNIVERSARY, DAY)}
    assert len(outcomes) == 20
    served = [cid for cid, o in outcomes.items() if o[0]["status"] == "done"]
    assert len(served) == 12
    tagged = [cid for cid in outcomes if "coupon_1year_anniversary" in mp.customers.get(store, cid).tags]
    assert sorted(tagged) == sorted(served)  # the 8 the pool could not serve got nothing
    assert len(mp.alerts.list(store)) == 8  # each of them raised the on-failure alert once
