"""Email templates, stored per store; rendering and delivery come with the delivery work."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from milepost.errors import ValidationError
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
) -> None:
    problems = {}
    if not _KEY.match(key or ""):
        problems["key"] = "lowercase letters, digits, '.', '-' or '_', at most 100"
    if not subject or not subject.strip():
        problems["subject"] = "is required"
    if not body_text or not body_text.strip():
        problems["body_text"] = "is required"
    if problems:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
    with db.write() as tx:
        tx.lock_store(store_id)
        tx.upsert_template(
            store_id,
            {"key": key, "name": name or key, "subject": subject, "body_text": body_text, "body_html": body_html},
            now,
        )


def list_templates(db: Storage, store_id: int) -> list[dict[str, Any]]:
    with db.read() as tx:
        return tx.list_templates(store_id)
