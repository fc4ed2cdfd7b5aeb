"""Email templates, stored per store; rendering and delivery come with the delivery work."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from milepost.errors import Conflict, NotFound, ValidationError
from milepost.service.ports import Storage

_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")


def save_template(
    db: Storage,
    now: datetime,
    store_id: int,
    *,
    key: str,
    subject: str,
    body_text: str,
    name: str | None = None,
    body_html: str | None = None,
) -> bool:
    """Create or replace the template `key`; True when it is new."""
    problems = {}
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        problems["key"] = "lowercase letters, digits, '.', '-' or '_', at most 100"
    if not subject or not subject.strip():
        problems["subject"] = "is required"
    if not body_text or not body_text.strip():
        problems["body_text"] = "is required"
    if problems:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
    with db.write() as tx:
        tx.lock_store(store_id)
        return tx.upsert_template(
            store_id,
            {"key": key, "name": name or key, "subject": subject, "body_text": body_text, "body_html": body_html},
            now,
        )


def list_templates(
    db: Storage, store_id: int, after_key: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """The store's templates by key; `after_key` (the last key seen) and `limit` give one page."""
    with db.read() as tx:
        return tx.list_templates(store_id, after_key, limit)


def get_template(db: Storage, store_id: int, key: str) -> dict[str, Any]:
    with db.read() as tx:
        found = tx.template(store_id, key)
    if found is None:
        raise NotFound(f"no email template {key!r} in this store")
    return found


def delete_template(db: Storage, store_id: int, key: str) -> None:
    """Delete a template no order count event sends; one still in use is a conflict."""
    with db.write() as tx:
        tx.lock_store(store_id, exclusive=True)
        users = [r.name for r in tx.rule_rows(store_id) if _sends(r.actions, key)]
        if users:
            names = ", ".join(repr(n) for n in users)
            raise Conflict(f"the template {key!r} is sent by the order count events {names}; change them first")
        if not tx.delete_template(store_id, key):
            raise NotFound(f"no email template {key!r} in this store")


def _sends(actions_json: str, key: str) -> bool:
    return any(a.get("type") == "send_email" and a.get("template") == key for a in json.loads(actions_json))
