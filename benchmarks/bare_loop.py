"""The baseline: the engine's reads and writes for plain order events, with minimal Python.

Per batch, in one transaction on the raw DBAPI connection (sqlite3 / psycopg,
opened with the engine's own connection settings) and the same migrated
schema: one SELECT of the event keys already stored, one SELECT of the
customers, one SELECT of the orders (plus the id allocation for new customers
the engine does too), then executemany INSERT events, INSERT/UPDATE
customers, INSERT/UPDATE orders. Counters are naive (a paid order counts, a
cancellation or full refund voids it); no validation, no rules, no firings,
no first/last order times.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

Event = dict[str, Any]
RANK = {"order.placed": 0, "order.paid": 1, "order.completed": 2}


class BareLoop:
    def __init__(self, conn: Any, dialect: str, store_id: int) -> None:
        self.conn, self.pg, self.store_id = conn, dialect == "postgresql", store_id
        self.ph = "%s" if self.pg else "?"

    def ingest(self, events: list[Event]) -> None:
        cur = self.conn.cursor()
        if not self.pg:
            cur.execute("BEGIN IMMEDIATE")
        now = self._ts(datetime.now(UTC))
        fresh = self._fresh(cur, events)
        customers = self._customers(cur, {e["customer_id"] for e in fresh})
        orders = self._orders(cur, {e["order_id"] for e in fresh})
        for e in fresh:
            self._fold(e, customers[e["customer_id"]], orders)
        self._write_customers(cur, customers, now)
        self._write_events(cur, fresh, customers, now)
        self._write_orders(cur, orders, now)
        self.conn.commit() if self.pg else cur.execute("COMMIT")

    # -- reads -----------------------------------------------------------------------------

    def _select(self, cur: Any, sql: str, column: str, values: set[str]) -> list[tuple[Any, ...]]:
        """`sql` for the rows whose `column` is one of `values`. On PostgreSQL each value
        is probed through the index (as the engine does): on tables bulk-loaded from
        empty, `column = ANY(%s)` gets a plan that filters a scan, slower every batch, and
        so does a lateral subquery the planner may flatten into a join (LIMIT 1 keeps it:
        every key here is unique)."""
        if self.pg:
            probe = (
                f"SELECT x.* FROM unnest(%s::text[]) AS k(v) CROSS JOIN LATERAL ({sql} AND {column} = k.v LIMIT 1) AS x"
            )
            cur.execute(probe, (list(values), self.store_id), prepare=False)
        else:
            marks = ",".join("?" * len(values))
            cur.execute(f"{sql} AND {column} IN ({marks})", (self.store_id, *values))
        return cur.fetchall()

    def _fresh(self, cur: Any, events: list[Event]) -> list[Event]:
        sql = f"SELECT external_id FROM events WHERE store_id = {self.ph} AND source = 'api'"
        known = {k for (k,) in self._select(cur, sql, "external_id", {e["id"] for e in events})}
        fresh = []
        for e in events:
            if e["id"] not in known:
                known.add(e["id"])
                fresh.append(e)
        return fresh

    def _customers(self, cur: Any, external_ids: set[str]) -> dict[str, list[Any]]:
        """external id -> [id, order_count, amount_spent, is_new, changed]"""
        rows = self._select(
            cur,
            f"SELECT external_id, id, order_count, amount_spent FROM customers WHERE store_id = {self.ph}",
            "external_id",
            external_ids,
        )
        found = {r[0]: [r[1], r[2], r[3], False, False] for r in rows}
        missing = external_ids - found.keys()
        for new_id, external_id in zip(self._next_ids(cur, len(missing)), missing, strict=True):
            found[external_id] = [new_id, 0, 0, True, True]
        return found

    def _next_ids(self, cur: Any, n: int) -> list[int]:
        if n == 0:
            return []
        if self.pg:
            cur.execute("SELECT nextval('customers_id_seq') FROM generate_series(1, %s)", (n,))
            return [r[0] for r in cur.fetchall()]
        cur.execute("SELECT coalesce(max(id), 0) FROM customers")
        start = cur.fetchone()[0] + 1
        return list(range(start, start + n))

    def _orders(self, cur: Any, external_ids: set[str]) -> dict[str, list[Any]]:
        rows = self._select(
            cur,
            f"SELECT external_id, customer_id, total, refunded, status_rank, cancelled, "
            f"counts FROM orders WHERE store_id = {self.ph}",
            "external_id",
            external_ids,
        )
        return {r[0]: [True, r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6])] for r in rows}

    # -- naive counters --------------------------------------------------------------------

    def _fold(self, e: Event, customer: list[Any], orders: dict[str, list[Any]]) -> None:
        """customer: [id, order_count, amount_spent, is_new, changed]; order: [stored,
        customer_id, total, refunded, rank, void (cancelled or fully refunded), counts]"""
        o = orders.get(e["order_id"])
        if o is None:
            o = orders[e["order_id"]] = [False, customer[0], e.get("total", 0), 0, -1, False, False]
        kind, before = e["type"], (customer[1], customer[2])
        if kind in RANK:
            o[2], o[4] = e.get("total", o[2]), max(o[4], RANK[kind])
            if RANK[kind] >= 1 and not o[6] and not o[5]:
                o[6], customer[1], customer[2] = True, customer[1] + 1, customer[2] + o[2]
        elif kind == "order.cancelled" or "refund_amount" not in e:
            o[5] = True
            if o[6]:
                o[6], customer[1], customer[2] = False, customer[1] - 1, customer[2] - o[2] + o[3]
        else:
            o[3] += e["refund_amount"]
            customer[2] -= e["refund_amount"] if o[6] else 0
        customer[4] = customer[4] or before != (customer[1], customer[2])

    # -- writes ------------------------------------------------------------------------------

    def _write_events(self, cur: Any, fresh: list[Event], customers: dict[str, list[Any]], now: Any) -> None:
        rows = [
            (
                self.store_id,
                "api",
                e["id"],
                e["type"],
                customers[e["customer_id"]][0],
                e["order_id"],
                self._ts(datetime.fromisoformat(e["occurred_at"])),
                now,
                json.dumps(e, separators=(",", ":")),
            )
            for e in fresh
        ]
        cur.executemany(
            self._insert(
                "events",
                "store_id, source, external_id, type, customer_id, order_id, occurred_at, received_at, payload",
                9,
            ),
            rows,
        )

    def _write_customers(self, cur: Any, customers: dict[str, list[Any]], now: Any) -> None:
        new = [(c[0], self.store_id, x, now, False, False, "{}", c[1], c[2], now) for x, c in customers.items() if c[3]]
        cur.executemany(
            self._insert(
                "customers",
                "id, store_id, external_id, created_at, email_consent, "
                "sms_consent, attributes, order_count, amount_spent, updated_at",
                10,
            ),
            new,
        )
        p = self.ph
        cur.executemany(
            f"UPDATE customers SET order_count={p}, amount_spent={p}, updated_at={p} WHERE id={p}",
            [(c[1], c[2], now, c[0]) for c in customers.values() if c[4] and not c[3]],
        )

    def _write_orders(self, cur: Any, orders: dict[str, list[Any]], now: Any) -> None:
        new = [
            (self.store_id, o[1], x, o[2], "USD", o[3], False, o[5], o[4], o[6], now, now)
            for x, o in orders.items()
            if not o[0]
        ]
        cur.executemany(
            self._insert(
                "orders",
                "store_id, customer_id, external_id, total, currency, refunded, "
                "full_refund, cancelled, status_rank, counts, created_at, updated_at",
                12,
            ),
            new,
        )
        p = self.ph
        cur.executemany(
            f"UPDATE orders SET total={p}, refunded={p}, cancelled={p}, status_rank={p}, "
            f"counts={p}, updated_at={p} WHERE store_id={p} AND external_id={p}",
            [(o[2], o[3], o[5], o[4], o[6], now, self.store_id, x) for x, o in orders.items() if o[0]],
        )

    def _insert(self, table: str, columns: str, n: int) -> str:
        return f"INSERT INTO {table} ({columns}) VALUES ({','.join([self.ph] * n)})"

    def _ts(self, value: datetime) -> Any:
        """Aware datetimes for psycopg; the engine's naive-UTC text for SQLite."""
        if self.pg:
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
