"""`mp.keys`: the API keys a store's callers authenticate with."""

from __future__ import annotations

from milepost.capabilities.wiring import Capability
from milepost.domain.records import ApiKey, Store
from milepost.service import keys


class Keys(Capability):
    def create(self, store: str, scope: str, name: str = "") -> tuple[ApiKey, str]:
        """A new key and its secret, which is shown this once and stored only as a hash.
        `scope`: "ingest" (send events), "read" (read everything, change nothing) or
        "admin" (everything)."""
        return keys.create_key(self._w.db, self._w.clock(), self._w.store_id(store), scope, name)

    def revoke(self, store: str, key_id: int) -> None:
        keys.revoke_key(self._w.db, self._w.clock(), self._w.store_id(store), key_id)

    def authenticate(self, secret: str) -> tuple[ApiKey, Store] | None:
        """The live key with this secret and its store, or None."""
        return keys.authenticate(self._w.db, secret)

    def list(self, store: str) -> list[ApiKey]:
        return keys.list_keys(self._w.db, self._w.store_id(store))
