"""Inactivity programs: "100 points after 90 days without an order", once per lapse.

No event marks the day a customer becomes inactive, so these programs are evaluated by
a sweep (`check_inactivity`), which the daily run (scheduler/daily.py) runs as of the
start of each store-local day, and `milepost programs check-inactivity` as of now, on
demand. A sweep may run any number of times: each lapse fires at most once per customer.

The daily run of a day looks only at the lapses that became due since the previous
day's run (`since`): customers whose last counted order lies in (since - N days, now -
N days], an index range; catch-up runs every day, so none is skipped. A store's first
run, and the on-demand check, look at every lapse due (`since` None): the backlog fires
once. A lapse that became due on a day the program was not live (before its start,
after its end, switched off) is not fired later: switching a program on re-arms it and
excludes the lapses due then anyway. Nor is one whose start moved into the past after its
day was run (an order back-dated or imported late, a later order refunded): the
on-demand check fires those.

A **lapse** begins at the customer's last counted order; its occurrence number is that
order's day (days since 1970-01-01), so a new order starts a new lapse that can fire
again once it is N days old. Customers who never ordered have no lapse. A program is
not retroactive: the lapse a customer is already in when it is created (or switched on)
never fires for them; their next one can.

Storage selects the candidates (customers whose last counted order is in the window);
domain/due.py decides who is due and builds their lapses' crossings, and the firing
pipeline (service/pipeline.py) decides and writes the firings as it does the ones
events cause, in one transaction per page of customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from milepost.domain.due import Window, due_window, lapses
from milepost.domain.rules import Rule
from milepost.service import pipeline
from milepost.service.pipeline import Changes, store_config
from milepost.service.ports import BatchWrite, Storage

PAGE = 1_000


@dataclass(frozen=True, slots=True)
class Inactivity:
    """What a sweep of the inactivity programs did."""

    programs: int  # live inactivity programs looked at
    customers: int  # candidates looked at: customers whose lapse is in the window swept
    fired: int


def check_inactivity(
    db: Storage, now: datetime, store_ids: list[int] | None = None, since: datetime | None = None
) -> Inactivity:
    """Fire every live inactivity program for the customers whose lapse reached its days
    by `now`, after `since` (the previous daily run; None: whenever)."""
    with db.read() as tx:
        stores = store_ids if store_ids is not None else tx.store_ids()
    programs = customers = fired = 0
    for store_id in stores:
        with db.read() as tx:
            live = [r for r in tx.load_rules(store_id) if r.kind == "inactivity" and r.live_at(now)]
        for rule in live:
            programs += 1
            window = due_window(rule.threshold, now, since)
            after: tuple[datetime, int] | None = None
            while True:
                page_found, page_fired, after = _sweep_page(db, now, store_id, rule, window, after)
                customers += page_found
                fired += page_fired
                if page_found < PAGE:
                    break
    return Inactivity(programs, customers, fired)


def _sweep_page(
    db: Storage, now: datetime, store_id: int, rule: Rule, window: Window, after: tuple[datetime, int] | None
) -> tuple[int, int, tuple[datetime, int] | None]:
    with db.write() as tx:
        store = tx.lock_store(store_id)
        page = tx.inactive_customers(store_id, window, after, PAGE)
        if not page:
            return 0, 0, after
        tx.lock_customers(store_id, [external for _, external, _ in page])
        customers = tx.load_customers(store_id, [external for _, external, _ in page])
        due = lapses(rule, [(external, last_order_at) for _, external, last_order_at in page], customers, now)
        _, subscriptions = store_config(db, tx, store)
        batch = BatchWrite(store.id, now, store.counting_rank)
        decided = pipeline.run(tx, store, batch, Changes(due), subscriptions)
        return len(page), len(decided), (page[-1][2], page[-1][0])
