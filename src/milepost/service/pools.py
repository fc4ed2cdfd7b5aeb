"""Coupon pools: created, listed with what is left, filled from a file (all or nothing) or
by pattern, codes with an expiry or without, their unassigned codes removed, a pool with
none assigned deleted, and their low-stock threshold set. Their codes are assigned by the
firing pipeline (service/pool_claims.py)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson

from milepost.domain.codes import Discount, Pattern, normalize
from milepost.domain.pools import (
    NewCode,
    Pool,
    check_count,
    check_expiry,
    check_key,
    check_name,
    check_rows,
    check_threshold,
)
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
        return _pool(tx, store_id, key, now=now)[1]


def list_pools(db: Storage, now: datetime, store_id: int) -> list[Pool]:
    """The store's pools by key, each with its codes: total, assigned, expired and left."""
    with db.read() as tx:
        return [p for _, p in tx.pools(store_id, now=now)]


def get_pool(db: Storage, now: datetime, store_id: int, key: str) -> Pool:
    with db.read() as tx:
        return _pool(tx, store_id, key, now=now)[1]


def set_threshold(db: Storage, now: datetime, store_id: int, key: str, low_threshold: Any) -> Pool:
    low = check_threshold(low_threshold)
    with db.write() as tx:
        pool_id, _ = _pool(tx, store_id, key, lock=True)
        tx.set_pool_threshold(pool_id, low)
        return _pool(tx, store_id, key, now=now)[1]


def import_codes(db: Storage, now: datetime, store_id: int, key: str, rows: Iterable[Row]) -> Pool:
    """Add the codes of `rows` (a code, or a row whose first cell is the code; line 1 may
    be a header `code`, and its column `expires_at` the codes' expiry) to the pool: all of
    them, or none with every bad row named by its line."""
    numbered = list(_numbered(rows))
    wanted = [normalize(row[1]) for row in numbered if isinstance(row[1], str)]
    with db.write() as tx:
        store = tx.lock_store(store_id)
        pool_id, _ = _pool(tx, store_id, key, lock=True)
        codes = check_rows(numbered, tx.taken_codes(store_id, wanted), store.timezone, now)
        if not codes:
            raise ValidationError("the file holds no codes", {"file": "no codes"})
        tx.insert_pool_codes(store_id, pool_id, codes, now)
        return _pool(tx, store_id, key, now=now)[1]


def generate_codes(
    db: Storage,
    now: datetime,
    store_id: int,
    key: str,
    count: Any,
    pattern: Any,
    expires_at: Any = None,
    rng: random.Random | None = None,
) -> Pool:
    """Add `count` new codes drawn by `pattern` (domain/codes.py), none the store holds
    already, expiring at `expires_at` (a time, or a date: through that day, store-local)."""
    n, drawn_by = check_count(count), Pattern.parse(pattern)
    if drawn_by.combinations < 100 * n:
        raise ValidationError(f"the pattern {drawn_by.text} has too few combinations for {n:,} codes", {})
    rng = rng or secrets.SystemRandom()
    with db.write() as tx:
        until = check_expiry(expires_at, tx.lock_store(store_id).timezone, now)
        pool_id, _ = _pool(tx, store_id, key, lock=True)
        codes: set[str] = set()
        for _ in range(_DRAWS):
            fresh = {drawn_by.generate(rng) for _ in range(n - len(codes))} - codes
            codes |= fresh - tx.taken_codes(store_id, fresh)
            if len(codes) == n:
                tx.insert_pool_codes(store_id, pool_id, [NewCode(c, until) for c in sorted(codes)], now)
                return _pool(tx, store_id, key, now=now)[1]
    raise StorageError(f"could not draw {n:,} codes the store does not hold already; try again")


def remove_codes(
    db: Storage, now: datetime, store_id: int, key: str, codes: Any = None, expired: bool = False
) -> tuple[Pool, int]:
    """Remove codes not yet assigned from the pool: those of `codes` (every one named must
    be in the pool and unassigned, or nothing is removed), or with None all of them; with
    `expired`, only those past their expiry. The pool after, and how many went."""
    named = _code_list(codes)
    with db.write() as tx:
        pool_id, _ = _pool(tx, store_id, key, lock=True)
        if named is not None:
            state = tx.pool_codes_state(pool_id, named)
            unknown = [c for c in named if c not in state]
            if unknown:
                problems = {c: "is not a code of this pool" for c in unknown}
                raise ValidationError(f"nothing removed: not codes of this pool: {', '.join(unknown)}", problems)
            assigned = [c for c in named if state[c]]
            if assigned:
                raise Conflict(f"nothing removed: assigned to customers already: {', '.join(assigned)}")
        removed = tx.remove_pool_codes(pool_id, named, now if expired else None)
        return _pool(tx, store_id, key, now=now)[1], removed


def delete_pool(db: Storage, store_id: int, key: str) -> None:
    """Delete the pool and its codes; refused while a code of it was assigned (the
    customer holds it) or an action gives codes of it."""
    with db.write() as tx:
        pool_id, pool = _pool(tx, store_id, key, lock=True)
        if pool.assigned:
            raise Conflict(f"pool {key!r} cannot be deleted: {pool.assigned:,} of its codes were assigned to customers")
        naming = [
            r.name for r in tx.load_rules(store_id, active_only=False) if any(_gives_from(a, key) for a in r.actions)
        ]
        if naming:
            raise Conflict(f"pool {key!r} cannot be deleted: {', '.join(sorted(naming))} give(s) codes of it")
        tx.delete_pool(pool_id)


def _gives_from(action: Any, key: str) -> bool:
    return bool(action.type == "pool_code" and action.param("pool") == key)


def _code_list(codes: Any) -> list[str] | None:
    if codes is None:
        return None
    if not isinstance(codes, list | tuple) or not codes or not all(isinstance(c, str) and c.strip() for c in codes):
        raise ValidationError("codes must be a list of codes", {"codes": "a non-empty list of codes"})
    return sorted({normalize(c) for c in codes})


def _numbered(rows: Iterable[Row]) -> Iterable[tuple[Any, ...]]:
    """(line, code text[, expiry]) of each row that is not blank, without a header on
    line 1 (first cell `code`); the expiry is read from the header's column `expires_at`."""
    expiry_at: int | None = None
    for line, row in enumerate(rows, start=1):
        cell = row if isinstance(row, str) else (row[0] if row else "")
        if not isinstance(cell, str):
            yield line, cell  # refused with its line
        elif line == 1 and cell.strip().lower() == "code":
            named = [str(c).strip().lower() for c in row] if not isinstance(row, str) else []
            expiry_at = named.index("expires_at") if "expires_at" in named else None
        elif cell.strip() or (not isinstance(row, str) and any(str(c).strip() for c in row)):
            given = row[expiry_at] if expiry_at is not None and len(row) > expiry_at else None
            yield (line, cell) if expiry_at is None else (line, cell, given)


def _pool(tx: PoolsTx, store_id: int, key: str, lock: bool = False, now: datetime | None = None) -> tuple[int, Pool]:
    found = tx.pools(store_id, key, lock=lock, now=now)
    if not found:
        raise NotFound(f"no pool {key!r} in this store")
    return found[0]
