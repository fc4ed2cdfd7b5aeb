"""Coupon pools: created, listed with what is left, filled from a file (all or nothing) or
by pattern, and their low-stock threshold set. Their codes are assigned by the firing
pipeline (service/pool_claims.py)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson

from milepost.domain.codes import Discount, Pattern, normalize
from milepost.domain.pools import Pool, check_count, check_key, check_name, check_rows, check_threshold
from milepost.errors import Conflict, NotFound, StorageError, ValidationError
from milepost.service.ports import PoolsTx, Storage

Row = str | Sequence[str]
_DRAWS = 10  # rounds of drawing again the codes that came out already taken


def create_pool(
    db: Storage, now: datetime, store_id: int, key: Any, name: Any, discount: Any, low_threshold: Any = None
) -> Pool:
    key, name, low = check_key(key), check_name(name), check_threshold(low_threshold)
    with db.write() as tx:
        store = tx.lock_store(store_id)
        given = Discount.parse(discount, store.currency)
        if tx.pools(store_id, key):
            raise Conflict(f"a pool with the key {key!r} already exists")
        tx.insert_pool(store_id, key, name, orjson.dumps(given.as_dict()).decode(), low, now)
        return _pool(tx, store_id, key)[1]


def list_pools(db: Storage, store_id: int) -> list[Pool]:
    """The store's pools by key, each with its codes: total, assigned and left."""
    with db.read() as tx:
        return [p for _, p in tx.pools(store_id)]


def get_pool(db: Storage, store_id: int, key: str) -> Pool:
    with db.read() as tx:
        return _pool(tx, store_id, key)[1]


def set_threshold(db: Storage, store_id: int, key: str, low_threshold: Any) -> Pool:
    low = check_threshold(low_threshold)
    with db.write() as tx:
        pool_id, _ = _pool(tx, store_id, key, lock=True)
        tx.set_pool_threshold(pool_id, low)
        return _pool(tx, store_id, key)[1]


def import_codes(db: Storage, now: datetime, store_id: int, key: str, rows: Iterable[Row]) -> Pool:
    """Add the codes of `rows` (a code, or a row whose first cell is the code; line 1 may
    be a header `code`) to the pool: all of them, or none with every bad row named by its line."""
    numbered = list(_numbered(rows))
    wanted = [normalize(text) for _, text in numbered if isinstance(text, str)]
    with db.write() as tx:
        pool_id, _ = _pool(tx, store_id, key, lock=True)
        codes = check_rows(numbered, tx.taken_codes(store_id, wanted))
        if not codes:
            raise ValidationError("the file holds no codes", {"file": "no codes"})
        tx.insert_pool_codes(store_id, pool_id, codes, now)
        return _pool(tx, store_id, key)[1]


def generate_codes(
    db: Storage, now: datetime, store_id: int, key: str, count: Any, pattern: Any, rng: random.Random | None = None
) -> Pool:
    """Add `count` new codes drawn by `pattern` (domain/codes.py), none the store holds already."""
    n, drawn_by = check_count(count), Pattern.parse(pattern)
    if drawn_by.combinations < 100 * n:
        raise ValidationError(f"the pattern {drawn_by.text} has too few combinations for {n:,} codes", {})
    rng = rng or secrets.SystemRandom()
    with db.write() as tx:
        pool_id, _ = _pool(tx, store_id, key, lock=True)
        codes: set[str] = set()
        for _ in range(_DRAWS):
            fresh = {drawn_by.generate(rng) for _ in range(n - len(codes))} - codes
            codes |= fresh - tx.taken_codes(store_id, fresh)
            if len(codes) == n:
                tx.insert_pool_codes(store_id, pool_id, sorted(codes), now)
                return _pool(tx, store_id, key)[1]
    raise StorageError(f"could not draw {n:,} codes the store does not hold already; try again")


def _numbered(rows: Iterable[Row]) -> Iterable[tuple[int, str]]:
    """(line, code text) of each row that is not blank, without a header `code` on line 1."""
    for line, row in enumerate(rows, start=1):
        cell = row if isinstance(row, str) else (row[0] if row else "")
        if not isinstance(cell, str):
            yield line, cell  # refused with its line
        elif line == 1 and cell.strip().lower() == "code":
            continue
        elif cell.strip() or (not isinstance(row, str) and any(str(c).strip() for c in row)):
            yield line, cell


def _pool(tx: PoolsTx, store_id: int, key: str, lock: bool = False) -> tuple[int, Pool]:
    found = tx.pools(store_id, key, lock=lock)
    if not found:
        raise NotFound(f"no pool {key!r} in this store")
    return found[0]
