"""The engine run with several ingest processes, each owning a share of the customers.

This is how a store would bulk-load on PostgreSQL: the per-customer locks let
processes share a store safely, and partitioning by customer keeps each
customer's events in their original order. The clock starts when every
process is connected and waiting at a barrier.
"""

from __future__ import annotations

import multiprocessing
import time
import zlib
from collections import Counter
from typing import Any

from harness import Backend, Timing, opened

from milepost.runtime import tune_gc

STORE = "bench"


def partition(events: list[dict[str, Any]], workers: int) -> list[list[dict[str, Any]]]:
    """Events split by customer (a stable hash), each share in its original order."""
    shares: list[list[dict[str, Any]]] = [[] for _ in range(workers)]
    for event in events:
        shares[zlib.crc32(event["customer_id"].encode()) % workers].append(event)
    return shares


def run_parallel(
    backend: Backend, events: list[dict[str, Any]], batch_size: int, workers: int, name: str = "engine"
) -> tuple[Timing, Counter]:
    """Ingest `events` into the (already set up) database `name` with `workers` processes."""
    url, schema = backend.locate(name)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [
        ctx.Process(target=_work, args=(url, schema, share, batch_size, barrier, results))
        for share in partition(events, workers)
    ]
    for p in procs:
        p.start()
    done = [results.get() for _ in procs]
    for p in procs:
        p.join()
    tally: Counter[str] = Counter()
    for *_, counts in done:
        tally.update(counts)
    seconds = max(end for _, end, _, _ in done) - min(start for start, _, _, _ in done)
    latencies = [latency for _, _, lats, _ in done for latency in lats]
    return Timing(len(events), seconds, latencies), tally


def _work(
    url: str, schema: str | None, events: list[dict[str, Any]], batch_size: int, barrier: Any, results: Any
) -> None:
    with opened(url, schema) as mp:
        tally: Counter[str] = Counter()
        latencies = []
        tune_gc()
        barrier.wait()
        start = time.time()
        for i in range(0, len(events), batch_size):
            t0 = time.perf_counter()
            result = mp.ingest(STORE, events[i : i + batch_size])
            latencies.append(time.perf_counter() - t0)
            tally.update(accepted=result.accepted, duplicates=result.duplicates, rejected=len(result.rejected))
        results.put((start, time.time(), latencies, dict(tally)))
