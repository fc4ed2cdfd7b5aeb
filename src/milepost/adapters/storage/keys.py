"""API keys: stored as a SHA-256 hash, found by it, revoked by stamping a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import insert, select, update

from milepost.adapters.storage import tables as t
from milepost.adapters.storage.base import TxBase
from milepost.domain.records import ApiKey, Store

_k = t.api_keys.c


def _key(r: Any) -> ApiKey:
    return ApiKey(r.id, r.store_id, r.name, r.scope, r.prefix, r.created_at, r.revoked_at)


class KeyQueries(TxBase):
    def insert_api_key(self, values: dict[str, Any]) -> ApiKey:
        new_id = self.conn.execute(insert(t.api_keys).values(**values).returning(_k.id)).scalar_one()
        return _key(self.conn.execute(select(t.api_keys).where(_k.id == new_id)).one())

    def api_keys(self, store_id: int) -> list[ApiKey]:
        rows = self.conn.execute(select(t.api_keys).where(_k.store_id == store_id).order_by(_k.id))
        return [_key(r) for r in rows]

    def revoke_api_key(self, store_id: int, key_id: int, now: datetime) -> bool:
        """True when the key existed (revoking twice keeps the first time)."""
        found = self.conn.execute(select(_k.revoked_at).where(_k.store_id == store_id, _k.id == key_id)).first()
        if found is None:
            return False
        if found.revoked_at is None:
            self.conn.execute(update(t.api_keys).where(_k.id == key_id).values(revoked_at=now))
        return True

    def api_key_by_hash(self, secret_hash: str) -> tuple[ApiKey, Store] | None:
        """The active key with this hash and its store: one indexed query, on every request."""
        rows = self._rows(
            "SELECT k.id, k.store_id, k.name, k.scope, k.prefix, k.created_at, "
            "s.key, s.name, s.currency, s.timezone, s.counting_status, s.allow_negative_credit, s.rules_version "
            f"FROM api_keys k JOIN stores s ON s.id = k.store_id WHERE k.secret_hash = {self.ph} "
            "AND k.revoked_at IS NULL",
            (secret_hash,),
        )
        if not rows:
            return None
        r = rows[0]
        key = ApiKey(r[0], r[1], r[2], r[3], r[4], cast(datetime, self.from_ts(r[5])))  # NOT NULL
        return key, Store(r[1], r[6], r[7], r[8], r[9], r[10], bool(r[11]), r[12])
