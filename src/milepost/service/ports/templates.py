"""A store's message templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class TemplatesTx(Protocol):
    """A store's message templates."""

    def template_keys(self, store_id: int) -> set[str]: ...
    def upsert_template(self, store_id: int, values: dict[str, Any], now: datetime) -> bool: ...
    def list_templates(
        self, store_id: int, after_key: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]: ...
    def template(self, store_id: int, key: str) -> dict[str, Any] | None: ...
    def delete_template(self, store_id: int, key: str) -> bool: ...
