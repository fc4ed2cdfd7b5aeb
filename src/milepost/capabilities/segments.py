"""`mp.segments`: groups of customers a store defines by filters (events, tags,
attributes, counts and totals, aggregates, milestones, other segments), auto-updating or
a snapshot, with their size and members, and a preview before saving."""

from __future__ import annotations

from typing import Any

from milepost.capabilities.wiring import Capability
from milepost.domain.segments import Member, Segment
from milepost.service import segments
from milepost.service.segments import Preview


class Segments(Capability):
    def create(
        self,
        store: str,
        key: str,
        *,
        name: str,
        filters: list[dict[str, Any]] | None = None,
        groups: list[dict[str, Any]] | None = None,
        kind: str = "auto",
    ) -> Segment:
        """A new segment: `filters` that must all hold, or `groups` ({"filters": [...]})
        of which one must hold. `kind` "auto" follows its filters; "static" keeps the
        members they give now."""
        return segments.create(
            self._w.db, self._w.clock(), self._w.store_id(store), _values(key, name, kind, filters, groups)
        )

    def get(self, store: str, key: str) -> Segment:
        return segments.get(self._w.db, self._w.store_id(store), key)

    def update(self, store: str, key: str, **changes: Any) -> Segment:
        """Change `name`, `filters` or `groups` (not the key or the kind)."""
        return segments.update(self._w.db, self._w.clock(), self._w.store_id(store), key, changes)

    def delete(self, store: str, key: str) -> None:
        segments.delete(self._w.db, self._w.store_id(store), key)

    def size(self, store: str, key: str) -> int:
        """How many customers are in the segment now."""
        return segments.size(self._w.db, self._w.clock(), self._w.store_id(store), key)

    def members(self, store: str, key: str, after: str | None = None, limit: int = 50) -> list[Member]:
        """The segment's members by customer id, the page after the customer id `after`."""
        return segments.members(self._w.db, self._w.clock(), self._w.store_id(store), key, after, limit)

    def preview(
        self,
        store: str,
        *,
        filters: list[dict[str, Any]] | None = None,
        groups: list[dict[str, Any]] | None = None,
        limit: int = 10,
    ) -> Preview:
        """The size and first `limit` members a definition would have now, without saving it."""
        values = _values(None, None, None, filters, groups)
        return segments.preview(self._w.db, self._w.clock(), self._w.store_id(store), values, limit)

    def list(self, store: str) -> list[Segment]:
        """The store's segments by key."""
        return segments.list_all(self._w.db, self._w.store_id(store))


def _values(
    key: str | None,
    name: str | None,
    kind: str | None,
    filters: list[dict[str, Any]] | None,
    groups: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    given = {"key": key, "name": name, "kind": kind, "filters": filters, "groups": groups}
    return {k: v for k, v in given.items() if v is not None}
