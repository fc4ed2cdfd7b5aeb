"""Segments the operator defines: checked against the store, saved, listed, changed and
deleted; their size and members, and a preview of both before saving.

An auto segment's members are its definition's as of now; a static segment's are the
snapshot taken when it was created (or its filters last changed), stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from milepost.domain.segments import Known, Member, Segment, Transition, parse
from milepost.errors import Conflict, NotFound, ValidationError
from milepost.service.ports import Storage, Tx

_CHANGEABLE = ("name", "groups", "filters")
_PREVIEW_KEY = "preview"


@dataclass(frozen=True, slots=True)
class Preview:
    size: int
    members: list[Member]  # the first ones, by customer id


def create(db: Storage, now: datetime, store_id: int, values: dict[str, Any]) -> Segment:
    with db.write() as tx:
        tx.lock_store(store_id)
        s = parse(values, _known(tx, store_id))
        if tx.segments(store_id, s.key):
            raise Conflict(f"a segment with the key {s.key!r} already exists")
        segment_id = tx.insert_segment(store_id, s, now)
        tx.fill_segment(segment_id, store_id, s.groups, now)
        return _segment(tx, store_id, s.key)


def list_all(db: Storage, store_id: int) -> list[Segment]:
    with db.read() as tx:
        return tx.segments(store_id)


def get(db: Storage, store_id: int, key: str) -> Segment:
    with db.read() as tx:
        return _segment(tx, store_id, key)


def update(db: Storage, now: datetime, store_id: int, key: str, changes: dict[str, Any]) -> Segment:
    """Change the name or the filters (`groups`, or `filters` for one group); not the key
    or the kind. New filters give a static segment a new snapshot, as of now."""
    wrong = sorted(set(changes) - set(_CHANGEABLE))
    if wrong:
        raise ValidationError(f"cannot change {', '.join(wrong)}", dict.fromkeys(wrong, "cannot be changed"))
    with db.write() as tx:
        tx.lock_store(store_id)
        before = _segment(tx, store_id, key)
        raw = before.as_dict() | {k: v for k, v in changes.items() if k != "filters"}
        if "filters" in changes:
            raw = {k: v for k, v in raw.items() if k != "groups"} | {"filters": changes["filters"]}
        after = parse(raw, _known(tx, store_id))
        tx.update_segment(store_id, after, now)
        if after.groups != before.groups:
            assert before.id is not None
            tx.clear_segment(before.id)
            tx.fill_segment(before.id, store_id, after.groups, now)
        return _segment(tx, store_id, key)


def delete(db: Storage, store_id: int, key: str) -> None:
    with db.write() as tx:
        tx.lock_store(store_id)
        s = _segment(tx, store_id, key)
        users = [o.key for o in tx.segments(store_id) if key in o.refers_to()]
        if users:
            names = ", ".join(repr(u) for u in users)
            raise Conflict(f"the segment {key!r} is named by the segments {names}; change them first")
        assert s.id is not None
        tx.delete_segment(s.id)


def preview(db: Storage, now: datetime, store_id: int, values: dict[str, Any], limit: int) -> Preview:
    """The size and first members of a definition not saved (its key may be left out)."""
    with db.read() as tx:
        s = parse({"key": _PREVIEW_KEY, "name": "preview", "kind": "auto"} | values, _known(tx, store_id))
        return Preview(tx.segment_size(store_id, s.groups, now), tx.segment_page(store_id, s.groups, now, None, limit))


def size(db: Storage, now: datetime, store_id: int, key: str) -> int:
    with db.read() as tx:
        s = _segment(tx, store_id, key)
        return tx.segment_size(store_id, s.groups, now) if s.kind == "auto" else tx.stored_size(_id(s))


def members(db: Storage, now: datetime, store_id: int, key: str, after: str | None, limit: int) -> list[Member]:
    """A page of the segment's members by customer id, after the id `after`."""
    with db.read() as tx:
        s = _segment(tx, store_id, key)
        if s.kind == "static":
            return tx.stored_page(_id(s), after, limit)
        return tx.segment_page(store_id, s.groups, now, after, limit)


def transitions(db: Storage, store_id: int, key: str, after: int, limit: int) -> list[Transition]:
    """The auto segment's entries and exits as events moved its members, in order."""
    with db.read() as tx:
        return tx.transitions(_id(_segment(tx, store_id, key)), after, limit)


def _known(tx: Tx, store_id: int) -> Known:
    aggregates = frozenset(a.key for a in tx.aggregates(store_id))
    segments = {s.key: s.refers_to() for s in tx.segments(store_id)}
    return Known(aggregates, frozenset(tx.program_ids(store_id)), segments)


def _segment(tx: Tx, store_id: int, key: str) -> Segment:
    found = tx.segments(store_id, key)
    if not found:
        raise NotFound(f"no segment {key!r} in this store")
    return found[0]


def _id(s: Segment) -> int:
    assert s.id is not None
    return s.id
