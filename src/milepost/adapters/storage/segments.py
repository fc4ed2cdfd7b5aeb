"""Segments: their definitions, and their members, from scratch (one query built by
segment_sql.py) or as stored (a static segment's snapshot)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import bindparam, delete, func, insert, select, text, update

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.aggregates import AggregateQueries
from milepost.adapters.storage.segment_sql import Scope, SegmentSql
from milepost.domain.segments import Groups, Known, Member, Segment, Transition, parse

_s = t.segments.c
_m = t.segment_members.c
_MEMBER = "c.external_id, c.name, c.email"


def _segment(r: Any) -> Segment:
    """A stored definition, read back: it was checked when saved."""
    s = _parsed(r.key, r.name, r.kind, r.definition)
    return Segment(s.key, s.name, s.kind, s.groups, r.created_at, r.updated_at, r.id)


@lru_cache(maxsize=1024)
def _parsed(key: str, name: str, kind: str, definition: str) -> Segment:
    """A definition parsed once: ingest reads the store's segments every batch."""
    return parse({"key": key, "name": name, "kind": kind, **orjson.loads(definition)}, Known())


class SegmentQueries(AggregateQueries):
    def segments(self, store_id: int, key: str | None = None) -> list[Segment]:
        """The store's segments by key (or the one `key`)."""
        q = select(t.segments).where(_s.store_id == store_id).order_by(_s.key)
        if key is not None:
            q = q.where(_s.key == key)
        return [_segment(r) for r in self.conn.execute(q)]

    def insert_segment(self, store_id: int, s: Segment, now: datetime) -> int:
        values = self._segment_values(s) | {"store_id": store_id, "key": s.key, "created_at": now, "updated_at": now}
        return int(self.conn.execute(insert(t.segments).values(**values).returning(_s.id)).scalar_one())

    def update_segment(self, store_id: int, s: Segment, now: datetime) -> None:
        where = (_s.store_id == store_id) & (_s.key == s.key)
        self.conn.execute(update(t.segments).where(where).values(updated_at=now, **self._segment_values(s)))

    def _segment_values(self, s: Segment) -> dict[str, Any]:
        definition = self.dumps(s.definition())
        return {"name": s.name, "kind": s.kind, "definition": definition, "time_based": s.changes_with_time}

    def delete_segment(self, segment_id: int) -> None:
        self.clear_segment(segment_id)
        self.conn.execute(delete(t.segment_transitions).where(t.segment_transitions.c.segment_id == segment_id))
        self.conn.execute(delete(t.segments).where(_s.id == segment_id))

    def clear_segment(self, segment_id: int) -> None:
        self.conn.execute(delete(t.segment_members).where(_m.segment_id == segment_id))

    def program_ids(self, store_id: int) -> set[int]:
        """The ids of the store's programs (order count events included) not deleted."""
        r = t.rules.c
        q = select(r.id).where(r.store_id == store_id, r.deleted_at.is_(None), r.kind != "automation")
        return {int(i) for i in self.conn.execute(q).scalars()}

    # -- members ---------------------------------------------------------------------------

    def segment_size(self, store_id: int, groups: Groups, as_of: datetime) -> int:
        """How many customers the definition holds as of `as_of`."""
        where, params = self._members_where(store_id, groups, as_of)
        return int(self.conn.execute(text(f"SELECT COUNT(*) FROM customers c WHERE {where}"), params).scalar_one())

    def segment_page(
        self, store_id: int, groups: Groups, as_of: datetime, after: str | None, limit: int
    ) -> list[Member]:
        """The definition's members as of `as_of`, by customer id after `after`."""
        where, params = self._members_where(store_id, groups, as_of)
        if after is not None:
            where += " AND c.external_id > :after"
            params["after"] = after
        sql = f"SELECT {_MEMBER} FROM customers c WHERE {where} ORDER BY c.external_id LIMIT {int(limit)}"
        return [Member(*r) for r in self.conn.execute(text(sql), params)]

    def fill_segment(self, segment_id: int, store_id: int, groups: Groups, as_of: datetime) -> int:
        """Store the definition's members as of `as_of` as the segment's, since then."""
        where, params = self._members_where(store_id, groups, as_of)
        params |= {"segment": segment_id, "since": self.ts(as_of)}
        sql = "INSERT INTO segment_members (segment_id, customer_id, since) SELECT :segment, c.id, :since"
        return int(self.conn.execute(text(f"{sql} FROM customers c WHERE {where}"), params).rowcount)

    def stored_size(self, segment_id: int) -> int:
        q = select(func.count()).select_from(t.segment_members).where(_m.segment_id == segment_id)
        return int(self.conn.execute(q).scalar_one())

    def stored_page(self, segment_id: int, after: str | None, limit: int) -> list[Member]:
        """The segment's stored members, by customer id after `after`."""
        c = t.customers.c
        q = select(c.external_id, c.name, c.email).join_from(t.segment_members, t.customers, c.id == _m.customer_id)
        q = q.where(_m.segment_id == segment_id)
        if after is not None:
            q = q.where(c.external_id > after)
        return [Member(*r) for r in self.conn.execute(q.order_by(c.external_id).limit(limit))]

    def _members_where(self, store_id: int, groups: Groups, as_of: datetime) -> tuple[str, dict[str, Any]]:
        sql = self._sql(store_id, as_of)
        return f"c.store_id = :store AND ({sql.condition(groups)})", sql.params

    def _sql(self, store_id: int, as_of: datetime, folded: bool = False) -> SegmentSql:
        zone = self.conn.execute(select(t.stores.c.timezone).where(t.stores.c.id == store_id)).scalar_one()
        segments = {s.key: (s.id or 0, s) for s in self.segments(store_id)}
        aggregates = {a.key: a for a in self.aggregates(store_id)}
        return SegmentSql(Scope(store_id, zone, as_of, segments, aggregates), self.pg, self.ts, folded)

    # -- live membership -------------------------------------------------------------------

    def auto_segments(self, store_id: int) -> list[Segment]:
        """The store's auto segments (the ones whose members follow their filters)."""
        q = select(t.segments).where(_s.store_id == store_id, _s.kind == "auto").order_by(_s.id)
        return [_segment(r) for r in self.conn.execute(q)]

    def members_now(
        self, store_id: int, segments: list[Segment], customer_ids: list[int], as_of: datetime
    ) -> set[tuple[int, int]]:
        """(segment id, customer id) for each of the customers in each of the segments as
        of `as_of`, by their definitions: one query, a column per segment."""
        if not segments or not customer_ids:
            return set()
        sql = self._sql(store_id, as_of, folded=True)
        columns = ", ".join(f"CASE WHEN ({sql.condition(s.groups)}) THEN 1 ELSE 0 END" for s in segments)
        joined = sql.folded_events("event_ids")
        q = text(f"SELECT c.id, {columns} FROM customers c{joined} WHERE c.store_id = :store AND c.id IN :ids")
        params = {**sql.params, "ids": customer_ids}
        q = q.bindparams(bindparam("ids", expanding=True))
        if joined:
            q, params["event_ids"] = q.bindparams(bindparam("event_ids", expanding=True)), customer_ids
        rows = self.conn.execute(q, params)
        ids = [s.id or 0 for s in segments]
        return {(sid, int(row[0])) for row in rows for sid, inside in zip(ids, row[1:], strict=True) if inside}

    def members_kept(self, segment_ids: list[int], customer_ids: list[int]) -> set[tuple[int, int]]:
        """(segment id, customer id) for each of the customers stored as in each segment."""
        if not segment_ids or not customer_ids:
            return set()
        wanted = set(segment_ids)
        found = self._by_keys(
            "segment_id, customer_id", "segment_members", ("customer_id", "bigint"), customer_ids, unique=False
        )
        return {(int(s), int(c)) for s, c in found if s in wanted}

    def move_members(
        self, store_id: int, entered: set[tuple[int, int]], left: set[tuple[int, int]], now: datetime
    ) -> None:
        """Store who entered and who left each segment, and record each move once."""
        at = self.ts(now)
        self._insert("segment_members", ("segment_id", "customer_id", "since"), [(s, c, at) for s, c in entered])
        ph = self.ph
        self._many(f"DELETE FROM segment_members WHERE segment_id = {ph} AND customer_id = {ph}", sorted(left))
        moves = [(store_id, s, c, self.flag(True), at) for s, c in sorted(entered)]
        moves += [(store_id, s, c, self.flag(False), at) for s, c in sorted(left)]
        self._insert("segment_transitions", ("store_id", "segment_id", "customer_id", "entered", "at"), moves)

    def transitions(self, segment_id: int, after: int, limit: int) -> list[Transition]:
        """The segment's entries and exits in the order they happened, after the one `after`."""
        x, c = t.segment_transitions.c, t.customers.c
        q = select(x.id, c.external_id, x.entered, x.at).join_from(
            t.segment_transitions, t.customers, c.id == x.customer_id
        )
        q = q.where(x.segment_id == segment_id, x.id > after).order_by(x.id).limit(limit)
        return [Transition(int(r.id), r.external_id, bool(r.entered), r.at) for r in self.conn.execute(q)]
