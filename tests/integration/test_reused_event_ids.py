"""An event id sent again, on every backend: with the same content (in any key order) it
is a duplicate, with any field changed it is a conflict; neither changes anything."""

from __future__ import annotations

import random
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milepost import Milepost

#: fields an order event may carry, and another value for each
CHANGES: dict[str, Any] = {
    "type": "order.completed",
    "customer_id": "someone-else",
    "order_id": "another-order",
    "total": 1234,
    "currency": "EUR",
    "occurred_at": "2026-02-01T00:00:00Z",
    "note": "a field more",
}


def order(key: str) -> dict[str, Any]:
    return {
        "id": key,
        "type": "order.paid",
        "customer_id": "c1",
        "order_id": f"o-{key}",
        "total": 2500,
        "currency": "USD",
        "occurred_at": "2026-01-15T10:00:00Z",
        "attributes": {"b": 1, "a": [1, {"y": 2, "x": 1}]},
    }


def shuffled(value: Any, rng: random.Random) -> Any:
    """The same JSON with its objects' keys in another order, at every depth."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: shuffled(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [shuffled(v, rng) for v in value]
    return value


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), changed=st.sampled_from(sorted(CHANGES)), in_batch=st.booleans())
def test_same_content_in_any_key_order_is_a_duplicate_any_changed_field_a_conflict(
    mp: Milepost, store: str, seed: int, changed: str, in_batch: bool
) -> None:
    key = uuid.uuid4().hex
    first = order(key)
    again = shuffled(first, random.Random(seed))
    other = {**shuffled(first, random.Random(seed + 1)), changed: CHANGES[changed]}
    if in_batch:  # all three in one batch: the first is stored, the others compare with it
        result = mp.ingest(store, [first, again, other])
        statuses = [r.status for r in result.results]
    else:
        mp.ingest(store, [first])
        statuses = [r.status for r in mp.ingest(store, [again, other]).results]

    assert statuses == ["accepted", "duplicate", "conflict"] if in_batch else ["duplicate", "conflict"]
    report = mp.customers.get(store, "c1")
    assert report.amount_spent >= 2500  # the first event's order, as first sent
    assert mp.ingest(store, [first]).duplicates == 1


def test_a_conflict_names_the_id_and_stores_nothing(mp: Milepost, store: str) -> None:
    mp.ingest(store, [order("e1")])
    spent = mp.customers.get(store, "c1").amount_spent

    result = mp.ingest(store, [{**order("e1"), "total": 9999}])

    (conflict,) = result.conflicts
    assert (conflict.key, conflict.field) == ("e1", "id") and "other content" in (conflict.reason or "")
    assert (result.accepted, result.duplicates, result.rejected) == (0, 0, ())
    assert mp.customers.get(store, "c1").amount_spent == spent


def test_an_event_sent_again_without_occurred_at_is_a_duplicate(mp: Milepost, store: str, clock) -> None:
    event = {k: v for k, v in order("e2").items() if k != "occurred_at"}
    mp.ingest(store, [event])
    clock.advance(days=3)  # its time was filled in as when it arrived: the event as sent is the same
    assert mp.ingest(store, [event]).duplicates == 1
