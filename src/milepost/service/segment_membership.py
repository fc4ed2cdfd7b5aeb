"""Auto segments kept current as events come in: in the transaction of an ingest batch,
after the firing pipeline (so what it recorded counts), the batch's customers are
evaluated in one query against the store's auto segments that the batch's events (its
own, and those the pipeline recorded) may move; who is in one now and
was not stored as in it entered, who was and is not left. Each move is stored, with
its entry in the segment's transitions, once: a customer already in a segment who gets
another matching event does not enter again.

Time alone (a last occurrence counted in days, a rolling window) changes members no
event touches; those segments' members are read from scratch (service/segments.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from milepost.domain.events import Event, TrackEvent
from milepost.domain.segments import moved_by
from milepost.service.ports import SegmentsTx


def event_names(events: Iterable[tuple[Event, str, int, str]]) -> frozenset[str]:
    """The names a batch's stored events go by: each one's type, and a custom event's name."""
    return frozenset(n for e, *_ in events for n in (e.type, e.name if isinstance(e, TrackEvent) else None) if n)


def refresh(
    tx: SegmentsTx, store_id: int, customer_ids: Iterable[int], now: datetime, names: frozenset[str] | None = None
) -> None:
    """Store the entries and exits of the customers' auto segments as of `now`: those
    that events of `names` may move (None: every one)."""
    segments = tx.auto_segments(store_id)
    if names is not None and segments:
        by_key = {s.key: s for s in segments}
        segments = [s for s in segments if moved_by(s, names, by_key)]
    ids = sorted(set(customer_ids))
    if not segments or not ids:
        return
    inside = tx.members_now(store_id, segments, ids, now)
    kept = tx.members_kept([s.id for s in segments if s.id is not None], ids)
    tx.move_members(store_id, inside - kept, kept - inside, now)
