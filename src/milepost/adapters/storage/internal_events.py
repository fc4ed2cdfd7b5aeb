"""Milepost's own events in the event store, and the store's catalogue of event names.

Internal events are rows of `events` with source 'milepost', written set-based: one
statement per call, `ON CONFLICT DO NOTHING` on the primary key, so an event derived
again (a replay, a retried batch, a second worker) is written once. The catalogue
(`event_names`) is counted in the transaction as its events are written, and upserted
once, in name order, just before it commits (`flush_event_names`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from milepost.adapters.storage.base import TxBase, pg_array
from milepost.service.ports.rows import EventName, InternalEventRow

INTERNAL_SOURCE = "milepost"
_COLUMNS = "store_id, source, external_id, type, customer_id, order_id, occurred_at, received_at, payload"


class InternalEventQueries(TxBase):
    def count_event_names(self, store_id: int, names: Sequence[tuple[str, datetime]], internal: bool = False) -> None:
        """Count events of these (name, occurred_at) as stored in this transaction."""
        seen = self.seen_names
        for name, at in names:
            found = seen.get((store_id, name, internal))
            seen[(store_id, name, internal)] = (1, at) if found is None else (found[0] + 1, max(found[1], at))

    def flush_event_names(self) -> None:
        """The catalogue's counts of this transaction, added in one upsert in key order
        (two transactions lock the same rows in the same order: no deadlock)."""
        if not self.seen_names:
            return
        latest = "GREATEST" if self.pg else "max"
        sql = (
            self._insert_sql("event_names", ("store_id", "name", "internal", "count", "last_seen_at"))
            + " ON CONFLICT (store_id, name, internal) DO UPDATE SET count = event_names.count + excluded.count, "
            f"last_seen_at = {latest}(event_names.last_seen_at, excluded.last_seen_at)"
        )
        rows = [
            (s, name, self.flag(internal), n, self.ts(at))
            for (s, name, internal), (n, at) in sorted(self.seen_names.items())
        ]
        self.seen_names = {}
        self._many(sql, rows)

    def insert_internal_events(self, store_id: int, rows: Sequence[InternalEventRow], now: datetime) -> set[str]:
        """Write the internal events not stored already; the keys of those written."""
        if not rows:
            return set()
        unique = list({r.key: r for r in rows}.values())
        received, ts = self.ts(now), self.ts
        values = [
            (
                store_id,
                INTERNAL_SOURCE,
                r.key,
                r.name,
                r.customer_id,
                r.order_id,
                ts(r.occurred_at),
                received,
                orjson.dumps({"type": r.name, "data": r.data}, default=str).decode(),
            )
            for r in unique
        ]
        written = self._pg_insert(values) if self.pg else self._sqlite_insert(values)
        self.count_event_names(store_id, [(r.name, r.occurred_at) for r in unique if r.key in written], internal=True)
        return written

    def _pg_insert(self, values: list[tuple[Any, ...]]) -> set[str]:
        kinds = ("int", "text", "text", "text", "bigint", "text", "timestamptz", "timestamptz", "text")
        arrays = ", ".join(f"%s::{kind}[]" for kind in kinds)
        sql = (
            f"INSERT INTO events ({_COLUMNS}) SELECT * FROM unnest({arrays}) "
            "ON CONFLICT DO NOTHING RETURNING external_id"
        )
        columns = zip(*values, strict=True)
        return {
            k for (k,) in self._rows(sql, [pg_array(kind, list(c)) for kind, c in zip(kinds, columns, strict=True)])
        }

    def _sqlite_insert(self, values: list[tuple[Any, ...]]) -> set[str]:
        """The rows not stored already (one lookup of their keys), then inserted in one
        `executemany`: SQLite has one writer, so nothing comes between the two."""
        keys = [v[2] for v in values]
        sql = (
            "SELECT external_id FROM events WHERE store_id = ? AND source = ? "
            "AND external_id IN (SELECT value FROM json_each(?))"
        )
        stored = {k for (k,) in self._rows(sql, (values[0][0], values[0][1], orjson.dumps(keys).decode()))}
        fresh = [v for v in values if v[2] not in stored]
        marks = ", ".join("?" * 9)
        self._many(f"INSERT INTO events ({_COLUMNS}) VALUES ({marks})", fresh)
        return {v[2] for v in fresh}

    def event_names(self, store_id: int) -> list[EventName]:
        """Every event name the store has seen, by name."""
        sql = (
            "SELECT name, internal, count, last_seen_at FROM event_names "
            f"WHERE store_id = {self.ph} ORDER BY name, internal"
        )
        rows = self._rows(sql, (store_id,))
        return [EventName(name, bool(internal), count, self.from_ts(at) or at) for name, internal, count, at in rows]
