"""Process settings for long-running Milepost processes (server, bulk ingest, worker)."""

from __future__ import annotations

import gc

# A batch of 1,000 events allocates some 100,000 short-lived containers, nearly all
# freed by reference counting. CPython's default (700, 10, 10) runs a young-generation
# pass every 700 net allocations and promotes batch data into the older generations,
# whose full passes then walk everything the process holds.
GC_THRESHOLDS = (50_000, 20, 20)


def tune_gc() -> None:
    """Freeze what start-up allocated (modules, settings, caches) out of the cyclic
    collector's reach and run it less often. Reference cycles are still collected."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def compiled() -> bool:
    """True when the ingest hot path runs compiled (the MILEPOST_COMPILE=1 build, setup.py)."""
    from milepost.service import ingest

    return not ingest.__file__.endswith(".py")
