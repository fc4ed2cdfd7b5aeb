"""`mp.pools`: coupon pools ("promotions"), sets of codes made ahead that `pool_code`
actions give out, one code to one customer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from milepost.capabilities.wiring import Capability
from milepost.domain.pools import Pool
from milepost.service import pools
from milepost.service.pools import Row


class Pools(Capability):
    def create(
        self, store: str, key: str, *, name: str, discount: dict[str, Any], low_threshold: int | None = None
    ) -> Pool:
        """A new, empty pool whose codes give `discount` (as a `code` action's); with
        `low_threshold`, an alert is raised when fewer codes than that are left."""
        w = self._w
        return pools.create_pool(w.db, w.clock(), w.store_id(store), key, name, discount, low_threshold)

    def list(self, store: str) -> list[Pool]:
        """The store's pools by key, with their codes: total, assigned, expired (never to be
        given) and left."""
        return pools.list_pools(self._w.db, self._w.clock(), self._w.store_id(store))

    def get(self, store: str, key: str) -> Pool:
        """The pool `key`, with its counts."""
        return pools.get_pool(self._w.db, self._w.clock(), self._w.store_id(store), key)

    def import_codes(self, store: str, key: str, rows: Iterable[Row]) -> Pool:
        """Add codes: each row a code, or a CSV row whose first cell is the code; a header
        on line 1 (first cell `code`) is skipped, and its column `expires_at`, if any, gives
        each code's expiry (2027-01-31: good through that day in the store's time zone; an
        ISO 8601 time; empty: never). An expired code is never assigned. All or nothing: a
        bad code or expiry, a duplicate in the rows or a code the store already holds
        refuses the whole import, each named by its line."""
        w = self._w
        return pools.import_codes(w.db, w.clock(), w.store_id(store), key, rows)

    def generate(
        self,
        store: str,
        key: str,
        count: int,
        pattern: str | None = None,
        *,
        expires_at: date | datetime | str | None = None,
    ) -> Pool:
        """Add `count` new codes drawn by `pattern` (like VIP-XXXX-XXXX, as a `code` action's),
        expiring at `expires_at` (a date, or ISO 8601 text of one or of a time; a date is good
        through that day in the store's time zone)."""
        w = self._w
        return pools.generate_codes(w.db, w.clock(), w.store_id(store), key, count, pattern, expires_at)

    def remove_codes(
        self, store: str, key: str, codes: Sequence[str] | None = None, *, expired: bool = False
    ) -> tuple[Pool, int]:
        """Remove codes not assigned yet: those of `codes` (all named must be in the pool and
        unassigned, or nothing goes), or every one with None; with `expired`, only those
        past their expiry. The pool after, and how many were removed."""
        w = self._w
        return pools.remove_codes(w.db, w.clock(), w.store_id(store), key, codes, expired)

    def delete(self, store: str, key: str) -> None:
        """Delete the pool and its codes. Refused (`Conflict`, with the reason) while any of
        its codes was assigned to a customer, or a program or event gives codes of it."""
        pools.delete_pool(self._w.db, self._w.store_id(store), key)

    def set_threshold(self, store: str, key: str, low_threshold: int | None) -> Pool:
        """Alert when fewer than `low_threshold` codes are left (None: never)."""
        return pools.set_threshold(self._w.db, self._w.clock(), self._w.store_id(store), key, low_threshold)
