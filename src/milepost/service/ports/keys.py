"""API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from milepost.domain.records import (
    ApiKey,
    Store,
)


class KeysTx(Protocol):
    """API keys."""

    def insert_api_key(self, values: dict[str, Any]) -> ApiKey: ...
    def api_keys(self, store_id: int) -> list[ApiKey]: ...
    def revoke_api_key(self, store_id: int, key_id: int, now: datetime) -> bool: ...
    def api_key_by_hash(self, secret_hash: str) -> tuple[ApiKey, Store] | None: ...
