"""Aggregates: their definitions, and their values for a page of customers, one set-based
query per aggregate.

Events are read through the index events(customer_id, occurred_at). Orders have no index
by customer (it would cost every ingest a write), so an orders aggregate goes through the
customer's events of the window that name an order to those orders (by their primary
key) and counts each order once: the event that made an order count is dated at its
`counted_at`, so an order counted in the window always has one there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.sql.elements import TextClause

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.domain.aggregate_definitions import ORDERS, Aggregate, is_custom

_a = t.aggregates.c
_FIELDS = ("key", "name", "source", "function", "property", "window_days")

# An order's net total in minor units (domain/orders.py OrderState.net), never below zero.
_NET = "CASE WHEN COALESCE(o.total, 0) > o.refunded THEN COALESCE(o.total, 0) - o.refunded ELSE 0 END"
_ORDERS_IN_WINDOW = (
    "SELECT x.customer_id, COUNT(*) AS n, SUM(x.net) AS total FROM ("
    " SELECT DISTINCT e.customer_id, o.external_id, " + _NET + " AS net"
    " FROM events e JOIN orders o ON o.store_id = e.store_id AND o.external_id = e.order_id"
    " WHERE e.customer_id IN :ids AND e.store_id = :store AND e.order_id IS NOT NULL {events_window}"
    " AND o.customer_id = e.customer_id AND o.counts {orders_window}"
    ") x GROUP BY x.customer_id"
)
_EVENTS_IN_WINDOW = (
    "SELECT customer_id, COUNT(*) AS n, SUM({value}) AS total FROM events"
    " WHERE customer_id IN :ids AND store_id = :store AND type = :type {named} {events_window}"
    " GROUP BY customer_id"
)
# A property's value when it is a JSON number, else NULL (left out of the sum).
_NUMBER = {
    "sqlite": "CASE WHEN json_type(payload, :path) IN ('integer', 'real') THEN json_extract(payload, :path) END",
    "postgresql": "CASE WHEN json_typeof(payload::json #> CAST(:path AS text[])) = 'number'"
    " THEN (payload::json #>> CAST(:path AS text[]))::numeric END",
}
_NAMED = {
    "sqlite": "AND json_extract(payload, '$.name') = :name",
    "postgresql": "AND (payload::json ->> 'name') = :name",
}


def _aggregate(r: Any) -> Aggregate:
    return Aggregate(**{f: getattr(r, f) for f in (*_FIELDS, "created_at", "updated_at")})


class AggregateQueries(TxBase):
    def aggregates(self, store_id: int, key: str | None = None) -> list[Aggregate]:
        """The store's aggregates by key (or the one `key`)."""
        q = select(t.aggregates).where(_a.store_id == store_id).order_by(_a.key)
        if key is not None:
            q = q.where(_a.key == key)
        return [_aggregate(r) for r in self.conn.execute(q)]

    def insert_aggregate(self, store_id: int, a: Aggregate, now: datetime) -> None:
        values = {f: getattr(a, f) for f in _FIELDS}
        self.conn.execute(insert(t.aggregates).values(store_id=store_id, created_at=now, updated_at=now, **values))

    def update_aggregate(self, store_id: int, a: Aggregate, now: datetime) -> None:
        values = {f: getattr(a, f) for f in _FIELDS if f != "key"}
        where = (_a.store_id == store_id) & (_a.key == a.key)
        self.conn.execute(update(t.aggregates).where(where).values(updated_at=now, **values))

    def delete_aggregate(self, store_id: int, key: str) -> bool:
        done = self.conn.execute(delete(t.aggregates).where(_a.store_id == store_id, _a.key == key))
        return done.rowcount == 1

    def aggregate_values(
        self, store_id: int, a: Aggregate, customer_ids: Sequence[int], start: datetime | None, end: datetime
    ) -> dict[int, int]:
        """The aggregate's value for each of the customers that has one (the others: 0),
        over [start, end) (start None: all time before `end`)."""
        params: dict[str, Any] = {"ids": list(customer_ids), "store": store_id, "end": self.ts(end)}
        if start is not None:
            params["start"] = self.ts(start)
        q = self._orders_query(start) if a.source == ORDERS else self._events_query(a, start, params)
        column = 2 if a.function == "sum" else 1
        return {int(r[0]): round(r[column] or 0) for r in self.conn.execute(q, params)}

    def _orders_query(self, start: datetime | None) -> TextClause:
        events_window, orders_window = _between("e.occurred_at", start), _between("o.counted_at", start)
        sql = _ORDERS_IN_WINDOW.format(events_window=events_window, orders_window=orders_window)
        return text(sql).bindparams(bindparam("ids", expanding=True))

    def _events_query(self, a: Aggregate, start: datetime | None, params: dict[str, Any]) -> TextClause:
        custom = is_custom(a.source)
        params["type"] = "custom" if custom else a.source
        if custom:
            params["name"] = a.source
        value = "0"
        if a.function == "sum":
            value = _NUMBER[self.dialect]
            path = ["properties", a.property] if custom else [a.property]
            params["path"] = path if self.pg else "$." + ".".join(f'"{p}"' for p in path)
        named = _NAMED[self.dialect] if custom else ""
        sql = _EVENTS_IN_WINDOW.format(value=value, named=named, events_window=_between("occurred_at", start))
        return text(sql).bindparams(bindparam("ids", expanding=True))


def _between(column: str, start: datetime | None) -> str:
    lower = f"AND {column} >= :start " if start is not None else ""
    return f"{lower}AND {column} < :end"
