"""Coupon pools: created, filled (import, generate), counted, and their codes held for a batch and
assigned to customers, atomically."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, union_all, update

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.domain.codes import Discount
from milepost.domain.pools import FreeCode, NewCode, Pool

_p, _pc = t.pools.c, t.pool_codes.c
_CHUNK = 1000


def _pool(r: Any) -> Pool:
    discount = Discount.of(orjson.loads(r.discount))
    counts = int(r.total or 0), int(r.assigned or 0), int(r.expired or 0)
    return Pool(r.key, r.name, discount, r.low_threshold, r.created_at, *counts)


class PoolQueries(TxBase):
    def insert_pool(self, store_id: int, key: str, name: str, discount: str, low: int | None, now: datetime) -> None:
        values = {"store_id": store_id, "key": key, "name": name, "discount": discount, "created_at": now}
        self.conn.execute(insert(t.pools).values(**values, low_threshold=low))

    def pools(
        self, store_id: int, key: str | None = None, lock: bool = False, now: datetime | None = None
    ) -> list[tuple[int, Pool]]:
        """The store's pools by key (or the one `key`), each with its id and counts (the
        codes expired as of `now`; none without it); `lock` holds the pool rows for this
        transaction (PostgreSQL)."""
        expired = and_(_pc.customer_id.is_(None), _pc.expires_at <= now) if now is not None else None
        counts = (
            select(
                _pc.pool_id,
                func.count().label("total"),
                func.count(_pc.customer_id).label("assigned"),
                (func.count(_pc.id).filter(expired) if expired is not None else func.count(None)).label("expired"),
            )
            .group_by(_pc.pool_id)
            .subquery()
        )
        q = (
            select(t.pools, counts.c.total, counts.c.assigned, counts.c.expired)
            .outerjoin(counts, counts.c.pool_id == _p.id)
            .where(_p.store_id == store_id)
            .order_by(_p.key)
        )
        if key is not None:
            q = q.where(_p.key == key)
        if lock and self.pg:
            q = q.with_for_update(of=t.pools)
        return [(r.id, _pool(r)) for r in self.conn.execute(q)]

    def set_pool_threshold(self, pool_id: int, low: int | None) -> None:
        self.conn.execute(update(t.pools).where(_p.id == pool_id).values(low_threshold=low))

    def taken_codes(self, store_id: int, texts: Iterable[str]) -> set[str]:
        """Those of `texts` the store already holds: a reward code or a pool's code."""
        wanted, found = sorted(set(texts)), set[str]()
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            q = union_all(
                select(t.codes.c.code).where(t.codes.c.store_id == store_id, t.codes.c.code.in_(chunk)),
                select(_pc.code).where(_pc.store_id == store_id, _pc.code.in_(chunk)),
            )
            found.update(self.conn.execute(q).scalars())
        return found

    def insert_pool_codes(self, store_id: int, pool_id: int, codes: list[NewCode], now: datetime) -> None:
        rows = [
            {"pool_id": pool_id, "store_id": store_id, "code": c, "expires_at": at, "created_at": now}
            for c, at in codes
        ]
        for i in range(0, len(rows), _CHUNK):
            self.conn.execute(insert(t.pool_codes), rows[i : i + _CHUNK])

    def hold_pool_codes(self, pool_id: int, count: int, now: datetime) -> list[FreeCode]:
        """Up to `count` codes left in the pool, oldest first, held for this transaction
        (an expired code is never given): one query for a batch's firings. On PostgreSQL
        the rows are locked and rows other transactions hold are skipped (FOR UPDATE SKIP
        LOCKED), so two batches at once never hold the same code; SQLite has one writer."""
        issued = select(t.codes.c.id).where(t.codes.c.store_id == _pc.store_id, t.codes.c.code == _pc.code)
        # a code a milestone drew since the import (a chance in 31^8) is never given twice
        free = (
            select(_pc.id, _pc.code, _pc.expires_at)
            .where(
                and_(_pc.pool_id == pool_id, _pc.customer_id.is_(None), ~issued.exists()),
                or_(_pc.expires_at.is_(None), _pc.expires_at > now),
            )
            .order_by(_pc.id)
            .limit(count)
        )
        if self.pg:
            free = free.with_for_update(skip_locked=True)
        return [FreeCode(r.id, r.code, r.expires_at) for r in self.conn.execute(free)]

    def assign_pool_codes(self, assigned: list[tuple[int, int, int]], now: datetime) -> None:
        """Give held codes: (pool code id, customer id, firing id), in one statement."""
        if not assigned:
            return
        q = (
            update(t.pool_codes)
            .where(_pc.id == bindparam("code_id"))
            .values(customer_id=bindparam("customer"), firing_id=bindparam("firing"), assigned_at=now)
        )
        rows = [{"code_id": c, "customer": customer, "firing": firing} for c, customer, firing in assigned]
        self.conn.execute(q, rows)

    def pool_codes_state(self, pool_id: int, codes: Iterable[str]) -> dict[str, bool]:
        """Those of `codes` in the pool, each True when it was assigned."""
        wanted, found = sorted(set(codes)), dict[str, bool]()
        for i in range(0, len(wanted), _CHUNK):
            q = select(_pc.code, _pc.customer_id).where(_pc.pool_id == pool_id, _pc.code.in_(wanted[i : i + _CHUNK]))
            found.update((r.code, r.customer_id is not None) for r in self.conn.execute(q))
        return found

    def remove_pool_codes(self, pool_id: int, codes: list[str] | None, expired_by: datetime | None) -> int:
        """Remove the pool's unassigned codes: those named (every one, with None), and with
        `expired_by` only those expired by then; how many went."""
        q = delete(t.pool_codes).where(_pc.pool_id == pool_id, _pc.customer_id.is_(None))
        if expired_by is not None:
            q = q.where(_pc.expires_at <= expired_by)
        if codes is None:
            return int(self.conn.execute(q).rowcount)
        return sum(
            int(self.conn.execute(q.where(_pc.code.in_(codes[i : i + _CHUNK]))).rowcount)
            for i in range(0, len(codes), _CHUNK)
        )

    def delete_pool(self, pool_id: int) -> None:
        """The pool and its codes (the service refuses a pool with codes assigned)."""
        self.conn.execute(delete(t.pool_codes).where(_pc.pool_id == pool_id))
        self.conn.execute(delete(t.pools).where(_p.id == pool_id))
