"""The reads of a clawback, inside the ingest batch: only when the batch has orders
that stopped counting and the store has a program with a clawback policy."""

from __future__ import annotations

from collections.abc import Iterable

from milepost.adapters.storage.base import TxBase
from milepost.service.ports.rows import ClawableFiring, Entry

_ID = ("customer_id", "bigint")


class ClawbackQueries(TxBase):
    def clawable_firings(self, pairs: set[tuple[int, str]]) -> list[ClawableFiring]:
        """The firings, not clawed back yet, of programs with a clawback policy, caused by
        the (customer id, order id) `pairs`, each with when its order counted (by event
        time; when it fired, for an order gone from the store)."""
        if not pairs:
            return []
        rows = self._by_keys(
            "f.id, r.name, f.customer_id, f.order_id, COALESCE(o.counted_at, f.fired_at) AS counted_at,"
            " r.clawback_days",
            "firings f JOIN rules r ON r.id = f.rule_id"
            " LEFT JOIN orders o ON o.store_id = f.store_id AND o.external_id = f.order_id",
            ("f.customer_id", "bigint"),
            sorted({c for c, _ in pairs}),
            "f.clawed_back_at IS NULL AND r.clawback_days IS NOT NULL AND r.deleted_at IS NULL",
            unique=False,
        )
        return [
            ClawableFiring(fid, name, cid, oid, self.from_ts(at), days)  # type: ignore[arg-type]
            for fid, name, cid, oid, at, days in rows
            if (cid, oid) in pairs
        ]

    def clawback_entries(self, customer_ids: Iterable[int]) -> tuple[list[Entry], list[Entry]]:
        """Every credit and points entry of the customers: the balances and what to reverse."""
        ids = sorted(set(customer_ids))
        if not ids:
            return [], []
        columns = "customer_id, firing_id, amount, currency, reason, idempotency_key"
        credit = [Entry(*r) for r in self._by_keys(columns, "credit_ledger", _ID, ids, unique=False)]
        columns = "customer_id, firing_id, points, NULL, reason, idempotency_key"
        points = [Entry(*r) for r in self._by_keys(columns, "points_ledger", _ID, ids, unique=False)]
        return credit, points

    def unused_codes(self, firing_ids: Iterable[int]) -> list[tuple[int, int, str]]:
        """(row id, firing id, code) of the firings' codes neither redeemed nor voided."""
        ids = sorted(set(firing_ids))
        if not ids:
            return []
        rows = self._by_keys(
            "id, firing_id, code, redeemed_at, voided_at", "codes", ("firing_id", "bigint"), ids, unique=False
        )
        return [(cid, fid, code) for cid, fid, code, redeemed, voided in rows if redeemed is None and voided is None]
