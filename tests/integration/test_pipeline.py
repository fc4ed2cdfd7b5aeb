"""The firing pipeline in a transaction the caller rolls back, on every backend: the very
same code as live ingest and the inactivity sweep runs (firings, ledgers, codes, tags,
alerts, outbox rows, clawbacks) and leaves no trace, as a simulation needs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from milepost_kit import buy, paid, refunded

from milepost import Milepost
from milepost.adapters.storage import tables as t
from milepost.domain.due import cutoff, lapses
from milepost.service import pipeline
from milepost.service.ingest import ingest_batch
from milepost.service.pipeline import Changes, store_config
from milepost.service.ports import BatchWrite

ACTIONS = [
    {"type": "credit", "amount": 1500},
    {"type": "points", "points": 500},
    {"type": "add_tag", "tag": "first"},
    {"type": "alert", "message": "{customer} ordered"},
    {"type": "send_email", "template": "welcome"},
    {"type": "code", "discount": {"kind": "percentage", "percent": 10}},
]


def snapshot(mp: Milepost) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as text: what a transaction that leaves no trace leaves alike."""
    with mp.db.engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(str, row)) for row in conn.execute(sa.select(table)))
            for table in t.metadata.sorted_tables
        }


def test_a_dry_run_batch_fires_and_claws_back_and_leaves_no_trace(mp, store, clock):
    # Given a program that gives everything and claws back, and a customer who crossed it
    mp.templates.save(store, "welcome", subject="Welcome", body_text="Thanks")
    mp.programs.create(store, name="First order", metric="order_count", threshold=1, actions=ACTIONS, clawback_days=30)
    buy(mp, store, "c1", 1)
    before = snapshot(mp)
    batch = [paid("c2", "c2-o1"), refunded("c1", "c1-o0")]  # one crosses, one takes back

    # When the batch runs in a transaction that is rolled back
    dry = ingest_batch(mp.db, mp.stores.get(store).id, batch, clock(), dry_run=True)

    # Then it reports what it would fire, and nothing is stored
    assert dry.accepted == 2
    assert [(f["name"], f["customer_id"]) for f in dry.firings] == [("First order", "c2")]
    assert snapshot(mp) == before

    # And the same batch for real fires the same and claws c1's rewards back
    real = mp.ingest(store, batch)
    assert [(f["name"], f["customer_id"], f["value"]) for f in real.firings] == [
        (f["name"], f["customer_id"], f["value"]) for f in dry.firings
    ]
    assert snapshot(mp) != before
    assert mp.customers.get(store, "c1").balances.get("USD", 0) == 0


def test_the_inactivity_pipeline_rolled_back_wrote_inside_its_transaction_only(mp, store, clock):
    # Given an inactivity program, and a customer 31 days past their last order
    mp.programs.create_inactivity(store, name="Come back", days=30, actions=ACTIONS[:4])
    buy(mp, store, "c1", 1)
    clock.advance(days=31)
    before = snapshot(mp)
    store_id = mp.stores.get(store).id

    # When the pipeline runs over the lapses come due, in a transaction rolled back
    with mp.db.write(rollback=True) as tx:
        locked = tx.lock_store(store_id)
        (rule,) = [r for r in tx.load_rules(store_id) if r.kind == "inactivity"]
        page = tx.inactive_customers(store_id, (None, cutoff(rule.threshold, clock())), None, 100)
        customers = tx.load_customers(store_id, [external for _, external, _ in page])
        due = lapses(rule, [(external, last) for _, external, last in page], customers, clock())
        _, subscriptions = store_config(mp.db, tx, locked)
        decided = pipeline.run(
            tx, locked, BatchWrite(store_id, clock(), locked.counting_rank), Changes(due), subscriptions
        )
        fired_inside = tx.conn.execute(
            sa.select(sa.func.count()).select_from(t.firings).where(t.firings.c.store_id == store_id)
        ).scalar_one()

    # Then it fired inside the transaction, and left nothing after it
    assert [(d.firing.rule.name, d.applied.customer.external_id) for d in decided] == [("Come back", "c1")]
    assert fired_inside == 1
    assert snapshot(mp) == before

    # And the sweep, the same code committed, fires it once
    assert mp.sweeps.inactivity([store]).fired == 1
    assert mp.sweeps.inactivity([store]).fired == 0
