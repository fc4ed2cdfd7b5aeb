"""Two OS processes ingesting events for the same customers at the same time.

The result must be the result of some serial order: every distinct order counted
once, every event stored once, each milestone fired exactly once at its count,
and the ledger holding exactly the credits of the milestones that fired. Run on
PostgreSQL (the production store, row and advisory locks) and on SQLite (one
file shared by two processes, BEGIN IMMEDIATE).
"""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
import sqlalchemy as sa
from concurrency_worker import ingest_batches
from milepost_kit import count_rows, firing_pairs

from milepost.adapters.storage import tables as t

PROCESSES = 2
BATCHES = 30
COLD = 3
RULES = [  # (count, credit, tag)
    (5, 500, "5-Order Club"),
    (10, 1000, None),
    (25, 2500, "Loyal"),
    (50, 5000, None),
    (50, 50, "Fifty"),  # two events at the same count
    (100, 10000, None),
    (500, 1, "never"),
]

pytestmark = pytest.mark.slow


def paid(event_id: str, customer: str, order: str, total: int) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "order.paid",
        "customer_id": customer,
        "order_id": order,
        "total": total,
        "currency": "USD",
    }


def stream_for(process: int) -> list[list[dict[str, Any]]]:
    """Each batch: an order of the hot customer only this process sends, an order both
    processes report paid under different event ids, one event both send with the same
    id, an order of a cold customer, and a profile update of the hot customer."""
    batches = []
    for i in range(BATCHES):
        batches.append(
            [
                paid(f"p{process}-own-{i}", "hot", f"hot-p{process}-{i}", 100 + i),
                paid(f"p{process}-shared-{i}", "hot", f"hot-shared-{i}", 1000),
                paid(f"same-{i}", "hot", f"hot-same-{i}", 10),
                paid(f"p{process}-cold-{i}", f"cold-{i % COLD}", f"cold-p{process}-{i}", 7),
                {
                    "id": f"p{process}-profile-{i}",
                    "type": "customer.updated",
                    "customer_id": "hot",
                    "attributes": {f"p{process}": i},
                },
            ]
        )
    return batches


def run_processes(url: str, store: str, streams: list[list[list[dict[str, Any]]]] | None = None) -> None:
    """Each process ingests its stream (default: `stream_for` it), all starting at once."""
    ctx = multiprocessing.get_context("spawn")
    start, errors = ctx.Event(), ctx.Queue()
    streams = streams or [stream_for(p) for p in range(PROCESSES)]
    workers = [ctx.Process(target=ingest_batches, args=(url, store, s, start, errors)) for s in streams]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(120)
    problems = [errors.get() for _ in range(errors.qsize())] if not errors.empty() else []
    assert not problems, problems
    assert [w.exitcode for w in workers] == [0] * PROCESSES


def test_two_processes_on_the_same_customer_give_a_serial_result(mp, store, database_url):
    rule_ids = {}
    for count, credit, tag in RULES:
        actions = [{"type": "credit", "amount": credit}]
        if tag:
            actions.append({"type": "add_tag", "tag": tag})
        rule_ids[
            mp.order_count_events.create(store, count=count, name=f"{count}: {credit}", actions=actions).rule.id
        ] = (count, credit, tag)

    # When two processes ingest their streams at the same time
    run_processes(database_url, store)

    # Then every distinct order counts once
    hot_orders = PROCESSES * BATCHES + BATCHES + BATCHES
    hot = mp.customers.get(store, "hot")
    own = sum(100 + i for i in range(BATCHES)) * PROCESSES
    assert (hot.order_count, hot.amount_spent) == (hot_orders, own + 1000 * BATCHES + 10 * BATCHES)
    for c in range(COLD):
        cold = mp.customers.get(store, f"cold-{c}")
        n = PROCESSES * len(range(c, BATCHES, COLD))
        assert (cold.order_count, cold.amount_spent) == (n, 7 * n)
    # And no event is lost or doubled
    distinct_events = PROCESSES * BATCHES * 4 + BATCHES
    assert count_rows(mp, store, t.events) == distinct_events
    # And each milestone a customer crossed fired exactly once for them, at its count
    counts = {"hot": hot_orders, **{f"cold-{c}": mp.customers.get(store, f"cold-{c}").order_count for c in range(COLD)}}
    expected = sorted(
        (rid, customer, spec[0]) for customer, n in counts.items() for rid, spec in rule_ids.items() if spec[0] <= n
    )
    firings = [(rid, customer, value) for rid, customer, value, _ in firing_pairs(mp, store)]
    assert sorted(firings) == expected
    assert len({(rid, customer) for rid, customer, _ in firings}) == len(firings)
    # And the ledger holds exactly their credits; the tags are theirs
    for customer, n in counts.items():
        report = mp.customers.get(store, customer)
        reached = [spec for spec in rule_ids.values() if spec[0] <= n]
        assert sum(e.amount for e in report.ledger) == sum(spec[1] for spec in reached)
        assert report.balances == {"USD": sum(spec[1] for spec in reached)}
        assert len({e.firing_id for e in report.ledger}) == len(reached)
        assert set(report.tags) == {spec[2] for spec in reached if spec[2]}
    store_id = mp.stores.get(store).id
    with mp.db.engine.connect() as conn:
        orders = conn.execute(
            sa.select(sa.func.count())
            .select_from(t.orders)
            .where(t.orders.c.store_id == store_id, t.orders.c.counts.is_(True))
        ).scalar_one()
    assert orders == hot_orders + PROCESSES * BATCHES


def test_two_processes_taking_codes_from_one_pool_never_give_a_code_twice(mp, store, database_url):
    # Given a pool of 40 codes given at the first order, and two streams of 30 batches:
    # a customer only one process sends, and one both send (the same order, other event ids)
    mp.pools.create(store, "spring", name="Spring", discount={"kind": "free_shipping"})
    mp.pools.generate(store, "spring", 40)
    mp.order_count_events.create(store, count=1, name="Welcome", actions=[{"type": "pool_code", "pool": "spring"}])
    streams = [
        [
            [paid(f"p{p}-{i}", f"own-{p}-{i}", f"own-{p}-{i}", 10), paid(f"p{p}-s{i}", f"both-{i}", f"both-{i}", 10)]
            for i in range(BATCHES)
        ]
        for p in range(PROCESSES)
    ]

    # When both processes ingest at once
    run_processes(database_url, store, streams)

    # Then each of the 90 customers fired once; the 40 codes went to 40 of them, one each
    customers = [f"own-{p}-{i}" for p in range(PROCESSES) for i in range(BATCHES)] + [
        f"both-{i}" for i in range(BATCHES)
    ]
    given = {c: [code.code for code in mp.codes.list(store, c)] for c in customers}
    assert all(len(codes) <= 1 for codes in given.values())
    taken = [code for codes in given.values() for code in codes]
    assert len(taken) == len(set(taken)) == 40
    (spring,) = mp.pools.list(store)
    assert (spring.assigned, spring.left) == (40, 0)
    assert len(firing_pairs(mp, store)) == len(customers)
    # And each of the other 50 was skipped, with an alert naming them
    assert len(mp.alerts.list(store, limit=200)) == len(customers) - 40
