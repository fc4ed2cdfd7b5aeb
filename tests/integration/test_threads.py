"""One Milepost shared by the server's threads: concurrent batches for the same
customers end as if they ran one after the other."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from milepost import Milepost


def test_concurrent_batches_from_threads_lose_nothing(mp: Milepost, store: str) -> None:
    mp.order_count_events.create(store, count=10, name="Tenth", actions=[{"type": "add_tag", "tag": "ten"}])

    def batch(thread: int) -> int:
        events = [
            {"id": f"t{thread}-{n}", "type": "order.paid", "customer_id": f"c{n % 3}", "order_id": f"o{thread}-{n}"}
            for n in range(30)
        ]
        return mp.ingest(store, events).accepted

    with ThreadPoolExecutor(8) as pool:
        accepted = sum(pool.map(batch, range(8)))

    assert accepted == 240
    counts = [mp.customers.get(store, f"c{i}").order_count for i in range(3)]
    assert counts == [80, 80, 80]
    assert len(mp.reports.milestone_log(store)) == 3  # each customer crossed 10 exactly once
