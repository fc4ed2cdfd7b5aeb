"""A process that ingests its share of a shared event stream (spawned by test_concurrency_pg)."""

from __future__ import annotations

from typing import Any


def ingest_batches(url: str, store: str, batches: list[list[dict[str, Any]]], start: Any, errors: Any) -> None:
    from milepost import connect

    mp = connect(url, migrate=False)
    try:
        start.wait(30)  # every process begins at the same moment
        for batch in batches:
            mp.ingest(store, batch)
    except BaseException as exc:  # reported to the parent, which fails the test
        errors.put(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        mp.close()
