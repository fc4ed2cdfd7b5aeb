"""`mp.templates`: a store's email templates, and how they render for a customer."""

from __future__ import annotations

from typing import Any

from milepost.capabilities.wiring import Capability
from milepost.service import templates
from milepost.service.rendering import Rendered


class Templates(Capability):
    def save(
        self,
        store: str,
        key: str,
        *,
        subject: str,
        body_text: str,
        name: str | None = None,
        body_html: str | None = None,
    ) -> bool:
        """Create or replace the template `key`; True when it is new."""
        parts = templates.Parts(subject=subject, body_text=body_text, body_html=body_html)
        return templates.save_template(self._w.db, self._w.clock(), self._w.store_id(store), key, parts, name)

    def get(self, store: str, key: str) -> dict[str, Any]:
        return templates.get_template(self._w.db, self._w.store_id(store), key)

    def delete(self, store: str, key: str) -> None:
        """Delete the template; a Conflict while a program's action still sends it."""
        templates.delete_template(self._w.db, self._w.store_id(store), key)

    def preview(self, store: str, key: str, customer_id: str) -> Rendered:
        """The template `key` as the customer `customer_id` would get it."""
        return templates.preview_template(self._w.db, self._w.store(store), key, customer_id, self._w.clock())

    def preview_draft(
        self,
        store: str,
        *,
        subject: str,
        body_text: str,
        body_html: str | None = None,
        customer_id: str | None = None,
    ) -> Rendered:
        """A template not saved yet as the customer `customer_id` would get it (None: the
        sample customer); TemplateProblem names the part and the line of what does not render."""
        draft = templates.Parts(subject=subject, body_text=body_text, body_html=body_html)
        return templates.preview_draft(self._w.db, self._w.store(store), draft, self._w.clock(), customer_id)

    def list(self, store: str, after_key: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """By key; `after_key` (the last key seen) and `limit` give one page."""
        return templates.list_templates(self._w.db, self._w.store_id(store), after_key, limit)
