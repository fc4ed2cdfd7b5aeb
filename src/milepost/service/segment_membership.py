"""Auto segments kept current as events come in: in the transaction of an ingest batch,
after the firing pipeline (so what it recorded counts), the batch's customers are
evaluated against every auto segment of the store in one query; who is in one now and
was not stored as in it entered, who was and is not left. Each move is stored, with
its entry in the segment's transitions, once: a customer already in a segment who gets
another matching event does not enter again.

Time alone (a last occurrence counted in days, a rolling window) changes members no
event touches; those segments' members are read from scratch (service/segments.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from milepost.service.ports import SegmentsTx


def refresh(tx: SegmentsTx, store_id: int, customer_ids: Iterable[int], now: datetime) -> None:
    """Store the entries and exits of the customers' auto segments as of `now`."""
    segments = tx.auto_segments(store_id)
    ids = sorted(set(customer_ids))
    if not segments or not ids:
        return
    inside = tx.members_now(store_id, segments, ids, now)
    kept = tx.members_kept([s.id for s in segments if s.id is not None], ids)
    tx.move_members(store_id, inside - kept, kept - inside, now)
