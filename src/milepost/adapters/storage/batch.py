"""The ingest hot path: a few set-based reads and one set-based write per batch."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from hashlib import blake2b

from sqlalchemy import text

from milepost.adapters.storage.base import pg_array
from milepost.adapters.storage.clawback import ClawbackQueries
from milepost.adapters.storage.codes import CodeQueries
from milepost.adapters.storage.internal_events import InternalEventQueries
from milepost.adapters.storage.rows import (
    COUNTS,
    COUNTS_EARNING,
    CREDIT_COLUMNS,
    CUSTOMER_COLUMNS,
    CUSTOMER_TYPES,
    CUSTOMER_TYPES_EARNING,
    EVENT_COLUMNS,
    FIRING_COLUMNS,
    NEW_CUSTOMER_KEYS,
    NEW_ORDER_KEYS,
    ORDER_COLUMNS,
    ORDER_KEY_TYPES,
    ORDER_TYPES,
    ORDER_TYPES_EARNING,
    POINTS_COLUMNS,
    customer_rows,
    customers_from_rows,
    event_rows,
    firing_rows,
    ledger_rows,
    order_rows,
    orders_from_rows,
)
from milepost.domain.construct import OrderSlot
from milepost.domain.due import Blocked
from milepost.domain.events import Event, TrackEvent
from milepost.domain.journeys import Progress
from milepost.domain.records import CustomerState, Store
from milepost.errors import NotFound
from milepost.service.ports.rows import BatchWrite, LedgerRow


def lock_key(store_id: int, external_id: str) -> int:
    """A stable signed 64-bit key for a customer's advisory lock."""
    digest = blake2b(f"{store_id}:{external_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _name(event: Event) -> str:
    """The event's name in the catalogue: a custom event's own name, else its type."""
    return (event.name or event.type) if isinstance(event, TrackEvent) else event.type


class BatchQueries(CodeQueries, ClawbackQueries, InternalEventQueries):
    """The batch writes codes and outbox rows as the code services do, and internal events."""

    def lock_store(self, store_id: int, exclusive: bool = False) -> Store:
        """Ingest holds the store shared; rule changes hold it exclusive, so a rule
        is armed against a stable picture of the customers."""
        lock = (" FOR UPDATE" if exclusive else " FOR SHARE") if self.pg else ""
        rows = self._rows(
            "SELECT id, key, name, currency, timezone, counting_status, allow_negative_credit, rules_version, "
            "points_per_unit, allow_negative_points, points_expire_days, points_expire_since, points_expired_until "
            f"FROM stores WHERE id = {self.ph}{lock}",
            (store_id,),
        )
        if not rows:
            raise NotFound(f"no store with id {store_id}")
        r = rows[0]
        return Store(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            bool(r[6]),
            r[7],
            points_per_unit=r[8],
            allow_negative_points=bool(r[9]),
            points_expire_days=r[10],
            points_expire_since=self.from_ts(r[11]),
            points_expired_until=self.from_ts(r[12]),
        )

    def lock_customers(self, store_id: int, external_ids: Iterable[str]) -> None:
        """Serialize work on the same customers across processes (PostgreSQL).
        Keys are taken in sorted order, so two batches never deadlock on them.
        SQLite needs nothing: its write transaction already excludes others."""
        if not self.pg:
            return
        keys = sorted({lock_key(store_id, e) for e in external_ids})
        if keys:
            sql = "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k"
            self._rows(sql, (pg_array("bigint", keys),))

    def stored_events(self, store_id: int, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The payload (JSON as received) of each of the (source, event id) `keys` stored already."""
        wanted = set(keys)
        if not wanted:
            return {}
        found: dict[tuple[str, str], str] = {}
        for source in {s for s, _ in wanted}:
            ids = sorted({k for s, k in wanted if s == source})
            where = f"store_id = {self.ph} AND source = {self.ph}"
            columns = "external_id, payload"
            rows = self._by_keys(columns, "events", ("external_id", "text"), ids, where, (store_id, source))
            found.update(((source, k), payload) for k, payload in rows)
        return found

    def load_customers(self, store_id: int, external_ids: Iterable[str]) -> dict[str, CustomerState]:
        ids = sorted(set(external_ids))
        if not ids:
            return {}
        rows = self._by_keys(
            CUSTOMER_COLUMNS, "customers", ("external_id", "text"), ids, f"store_id = {self.ph}", (store_id,)
        )
        return customers_from_rows(rows, self.from_ts)

    def load_orders(self, store_id: int, external_ids: Iterable[str]) -> dict[str, OrderSlot]:
        ids = sorted(set(external_ids))
        if not ids:
            return {}
        rows = self._by_keys(
            ORDER_COLUMNS, "orders", ("external_id", "text"), ids, f"store_id = {self.ph}", (store_id,)
        )
        return orders_from_rows(rows, self.from_ts)

    def load_activities(self, store_id: int, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The customer each already counted (event type, item) among `keys` belongs to."""
        wanted = set(keys)
        found: dict[tuple[str, str], int] = {}
        for kind in sorted({k for k, _ in wanted}):
            items = sorted({i for k, i in wanted if k == kind})
            where = f"store_id = {self.ph} AND type = {self.ph}"
            rows = self._by_keys("item, customer_id", "activities", ("item", "text"), items, where, (store_id, kind))
            found.update(((kind, item), customer) for item, customer in rows)
        return found

    def load_journey_progress(
        self, rule_ids: Iterable[int], customer_ids: Iterable[int]
    ) -> dict[tuple[int, int], Progress]:
        rules, customers = set(rule_ids), sorted(set(customer_ids))
        if not rules or not customers:
            return {}
        rows = self._by_keys(
            "rule_id, customer_id, step, baseline, done",
            "journey_progress",
            ("customer_id", "bigint"),
            customers,
            unique=False,
        )
        return {(r, c): Progress(step, baseline, bool(done)) for r, c, step, baseline, done in rows if r in rules}

    def blocked(self, candidates: Iterable[tuple[int, int, int]]) -> Blocked:
        """For the candidates (rule, arm_seq, customer): the occurrences that already
        fired, and the customers excluded when the rule was last armed (with their value
        then, for repeating rules)."""
        wanted = {(rule, arm, customer) for rule, arm, customer in candidates}
        if not wanted:
            return Blocked()
        pairs = {(r, c) for r, _, c in wanted}
        customers = sorted({c for _, c in pairs})
        key = ("customer_id", "bigint")
        rows = self._by_keys("rule_id, customer_id, occurrence", "firings", key, customers, unique=False)
        fired = {(r, c, o) for r, c, o in rows if (r, c) in pairs}
        columns = "rule_id, arm_seq, customer_id, value"
        rows = self._by_keys(columns, "rule_exclusions", key, customers, unique=False)
        excluded = {(r, c): value for r, a, c, value in rows if (r, a, c) in wanted}
        return Blocked(fired, excluded)

    def load_tags(self, customer_ids: Iterable[int]) -> dict[int, frozenset[str]]:
        ids = sorted(set(customer_ids))
        if not ids:
            return {}
        found: dict[int, set[str]] = {}
        for cid, tag in self._by_keys(
            "customer_id, tag", "customer_tags", ("customer_id", "bigint"), ids, unique=False
        ):
            found.setdefault(cid, set()).add(tag)
        return {cid: frozenset(tags) for cid, tags in found.items()}

    def next_ids(self, table: str, n: int) -> list[int]:
        """`n` fresh ids for `table`, so rows can reference each other before they are written."""
        if n <= 0:
            return []
        if self.pg:
            rows = self._rows(f"SELECT nextval('{table}_id_seq') FROM generate_series(1, %s)", (n,))
            return [r[0] for r in rows]
        start = self._rows(f"SELECT coalesce(max(id), 0) FROM {table}")[0][0] + 1
        return list(range(start, start + n))

    # -- the write ---------------------------------------------------------------

    def write_batch(self, b: BatchWrite) -> set[str]:
        """Every row of the batch, table by table, parents first; the keys of the
        internal events it wrote (those not stored already)."""
        self._write_customers(b)
        self._insert(
            "events",
            EVENT_COLUMNS,
            event_rows(b, self.ts),
        )
        self.count_event_names(b.store_id, [(_name(e), e.occurred_at) for e, _, _, _ in b.events])
        self._write_orders(b)
        now = self.ts(b.now)
        self._insert(
            "activities",
            ("store_id", "type", "item", "customer_id", "occurred_at", "created_at"),
            [(b.store_id, kind, item, cid, self.ts(when), now) for kind, item, cid, when in b.activities],
        )
        if b.journeys:
            # insert or update: the same statement on SQLite and PostgreSQL
            self.conn.execute(
                text(
                    "INSERT INTO journey_progress (rule_id, customer_id, step, baseline, done) "
                    "VALUES (:rule, :customer, :step, :baseline, :done) ON CONFLICT (customer_id, rule_id) "
                    "DO UPDATE SET step = excluded.step, baseline = excluded.baseline, done = excluded.done"
                ),
                [
                    {"rule": r, "customer": c, "step": p.step, "baseline": p.baseline, "done": p.done}
                    for r, c, p in b.journeys
                ],
            )
        self._write_effects(b)
        return self.insert_internal_events(b.store_id, b.internal, b.now)

    def _write_customers(self, b: BatchWrite) -> None:
        """Points earned are written only by a batch that earns points (or takes them back);
        the profile (email, name, consents, attributes, phone) only for the customers whose
        profile changed, so that an order does not rewrite the (store, email) index entry."""
        earning = b.earning_points
        types = CUSTOMER_TYPES_EARNING if earning else CUSTOMER_TYPES
        new, changed, counted = customer_rows(b, self.ts, self.flag, self.dumps)
        self._insert("customers", (*NEW_CUSTOMER_KEYS, *(n for n, _ in types)), new)
        self._update("customers", types, (("id", "bigint"),), changed)
        self._update("customers", COUNTS_EARNING if earning else COUNTS, (("id", "bigint"),), counted)

    def _write_orders(self, b: BatchWrite) -> None:
        """An order's points rate is set only while the store earns points: without, the
        column is left to its default (new orders) and as it was (stored ones)."""
        earning = b.earning_points
        inserts, updates = order_rows(b, self.ts, self.flag)
        types = ORDER_TYPES_EARNING if earning else ORDER_TYPES
        self._insert("orders", (*NEW_ORDER_KEYS, *(name for name, _ in types)), inserts)
        self._update("orders", types, ORDER_KEY_TYPES, updates)

    def _write_effects(self, b: BatchWrite) -> None:
        sid, now = b.store_id, self.ts(b.now)
        self._insert(
            "firings",
            FIRING_COLUMNS,
            firing_rows(b, now),
        )
        self.insert_ledger(sid, b.ledger, b.now)
        # Tags were loaded under the customers' locks: the ones added are not there yet.
        self._insert("customer_tags", ("customer_id", "tag", "added_at"), [(c, tag, now) for c, tag in b.tags_added])
        self._many(f"DELETE FROM customer_tags WHERE customer_id = {self.ph} AND tag = {self.ph}", b.tags_removed)
        self._insert(
            "alerts",
            ("id", "store_id", "customer_id", "firing_id", "message", "status", "created_at", "assignee"),
            [(aid, sid, cid, fid, message, "open", now, assignee) for aid, cid, fid, message, assignee in b.alerts],
        )
        self.insert_codes(sid, b.codes, b.now)
        self._write_clawbacks(b)
        self.insert_outbox(sid, b.outbox, b.now)
        self._insert(
            "workflow_runs",
            ("store_id", "workflow", "customer_id", "firing_id", "status", "created_at"),
            [(sid, wf, cid, fid, "recorded", now) for wf, cid, fid in b.workflow_runs],
        )
        self._insert(
            "automation_waits",
            ("id", "store_id", "rule_id", "customer_id", "occurrence", "step", "branch", "due_day", "created_at"),
            [
                (w.id, sid, w.rule_id, w.customer_id, w.occurrence, w.step, w.branch, self._day(w.due_day), now)
                for w in b.waits
            ],
        )

    def _day(self, day: date) -> date | str:
        """A date as the driver takes it (SQLite: the ISO text SQLAlchemy's Date keeps)."""
        return day if self.pg else day.isoformat()

    def _write_clawbacks(self, b: BatchWrite) -> None:
        """Firings clawed back (never deleted: they stay in the log), and their codes voided."""
        now = self.ts(b.now)
        self._update(
            "firings",
            (("clawed_back_at", "timestamptz"), ("clawback_debt", "text")),
            (("id", "bigint"),),
            [(now, debt, fid) for fid, debt in b.clawbacks],
        )
        self._update(
            "codes",
            (("voided_at", "timestamptz"), ("void_reason", "text")),
            (("id", "bigint"),),
            [(now, reason, cid) for cid, reason in b.voided_codes],
        )

    def insert_ledger(self, store_id: int, rows: list[LedgerRow], now: datetime) -> None:
        """Ledger rows, each to the table of its unit: points to points_ledger, a currency
        to credit_ledger."""
        if rows:
            credit, points = ledger_rows(store_id, rows, self.ts(now))
            self._insert("credit_ledger", CREDIT_COLUMNS, credit)
            self._insert("points_ledger", POINTS_COLUMNS, points)
