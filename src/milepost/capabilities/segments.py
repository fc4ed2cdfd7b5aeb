"""`mp.segments`: groups of customers a store defines by filters (events, tags,
attributes, counts and totals, aggregates, milestones, other segments), auto-updating or
a snapshot, with their size and members, and a preview before saving.

A definition is the JSON object of domain/segments.py: `key`, `name`, `kind` ("auto" or
"static"), and `filters` (all must hold) or `groups` ({"filters": [...]}, one must hold)."""

from __future__ import annotations

from typing import Any

from milepost.capabilities.wiring import Capability
from milepost.domain.segments import Member, Segment, Transition
from milepost.service import segments
from milepost.service.segments import Preview


class Segments(Capability):
    def create(self, store: str, definition: dict[str, Any]) -> Segment:
        """A new segment; Conflict when the store has one with its key already. A static
        segment keeps the members its filters give now."""
        return segments.create(self._w.db, self._w.clock(), self._w.store_id(store), definition)

    def get(self, store: str, key: str) -> Segment:
        """The segment `key`: `.as_dict()` is its definition."""
        return segments.get(self._w.db, self._w.store_id(store), key)

    def update(self, store: str, key: str, changes: dict[str, Any]) -> Segment:
        """Change `name`, and `filters` or `groups` (not the key or the kind)."""
        return segments.update(self._w.db, self._w.clock(), self._w.store_id(store), key, changes)

    def delete(self, store: str, key: str) -> None:
        """Conflict while another segment names it."""
        segments.delete(self._w.db, self._w.store_id(store), key)

    def size(self, store: str, key: str) -> int:
        """How many customers are in the segment now."""
        return segments.size(self._w.db, self._w.clock(), self._w.store_id(store), key)

    def members(self, store: str, key: str, after: str | None = None, limit: int = 50) -> list[Member]:
        """The segment's members by customer id, the page after the customer id `after`."""
        return segments.members(self._w.db, self._w.clock(), self._w.store_id(store), key, after, limit)

    def preview(self, store: str, definition: dict[str, Any], limit: int = 10) -> Preview:
        """The size and first `limit` members the `filters` or `groups` of `definition`
        would give now, without saving anything (its key and name may be left out)."""
        return segments.preview(self._w.db, self._w.clock(), self._w.store_id(store), definition, limit)

    def transitions(self, store: str, key: str, after: int = 0, limit: int = 100) -> list[Transition]:
        """An auto segment's entries and exits as ingested events moved its members, in
        order (`id`, `customer_id`, `entered`, `at`), after the transition `after`. Each
        move is recorded once; the members it had when created entered no transition."""
        return segments.transitions(self._w.db, self._w.store_id(store), key, after, limit)

    def list(self, store: str) -> list[Segment]:
        """The store's segments by key."""
        return segments.list_all(self._w.db, self._w.store_id(store))
