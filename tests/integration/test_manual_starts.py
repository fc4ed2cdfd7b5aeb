"""Starting an automation for one customer from several threads at once, with one
idempotency key (PostgreSQL, each thread its own transaction): the customer's lock and
the start's unique event id make it start once, and every request answers that start.
And an idempotency key the start's event id could not hold, refused on both backends."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from milepost import Milepost
from milepost.errors import ValidationError
from milepost.service.manual_starts import Start

VIP = {
    "key": "vip",
    "name": "VIP",
    "trigger": {"type": "manual"},
    "branches": [{"name": "all", "actions": [{"type": "add_tag", "tag": "vip"}, {"type": "alert", "message": "hi"}]}],
}


def test_one_key_sent_from_eight_threads_at_once_starts_it_once(postgres_db, clock) -> None:
    mp = Milepost(postgres_db, clock)
    store = f"s-{uuid.uuid4().hex}"
    mp.stores.create(store, "Shop")
    mp.ingest(store, [{"id": "c", "type": "customer.created", "customer_id": "ada"}])
    mp.automations.create(store, VIP)

    def start(_: int) -> Start:
        return mp.automations.start(store, "vip", "ada", request_key="retry-me")

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(start, range(8)))

    assert {a.firing_id for a in answers} != {None} and len({a.firing_id for a in answers}) == 1
    assert sorted(a.repeated for a in answers) == [False] + [True] * 7
    assert len(mp.customers.get(store, "ada").milestones) == 1
    assert len(mp.alerts.list(store)) == 1


def test_a_malformed_idempotency_key_is_refused_before_anything_starts(mp: Milepost, store: str) -> None:
    mp.ingest(store, [{"id": "c", "type": "customer.created", "customer_id": "ada"}])
    mp.automations.create(store, VIP)

    for bad in ("", "k" * 181, "a\x00b"):
        with pytest.raises(ValidationError) as refused:
            mp.automations.start(store, "vip", "ada", request_key=bad)
        assert refused.value.problems == {"idempotency_key": "malformed"}

    assert mp.customers.get(store, "ada").milestones == ()
    assert mp.automations.start(store, "vip", "ada", request_key="k" * 180).started
