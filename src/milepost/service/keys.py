"""API keys per store: created with a scope, shown once, stored only as a hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from milepost.domain.ids import format_id
from milepost.domain.records import ApiKey, Store
from milepost.errors import NotFound, ValidationError
from milepost.service.ports import Storage

SCOPES = ("ingest", "read", "admin")  # admin includes the others
KEY_PREFIX = "mpk_"
_SHOWN = len(KEY_PREFIX) + 8


def secret_hash(secret: str) -> str:
    """Keys are 192 random bits, so a plain SHA-256 is enough (no password stretching)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(db: Storage, now: datetime, store_id: int, scope: str, name: str = "") -> tuple[ApiKey, str]:
    """A new key and its secret; the secret is not stored and cannot be shown again."""
    if scope not in SCOPES:
        raise ValidationError(f"scope must be one of {', '.join(SCOPES)}", {"scope": "unknown scope"})
    name = name.strip() or f"{scope} key"
    if len(name) > 200:
        raise ValidationError("name must be at most 200 characters", {"name": "too long"})
    secret = KEY_PREFIX + secrets.token_urlsafe(24)
    values = {
        "store_id": store_id,
        "name": name,
        "scope": scope,
        "prefix": secret[:_SHOWN],
        "secret_hash": secret_hash(secret),
        "created_at": now,
    }
    with db.write() as tx:
        return tx.insert_api_key(values), secret


def list_keys(db: Storage, store_id: int) -> list[ApiKey]:
    with db.read() as tx:
        return tx.api_keys(store_id)


def revoke_key(db: Storage, now: datetime, store_id: int, key_id: int) -> None:
    with db.write() as tx:
        if not tx.revoke_api_key(store_id, key_id, now):
            raise NotFound(f"no API key {format_id('api_key', key_id)} in this store")


def authenticate(db: Storage, secret: str) -> tuple[ApiKey, Store] | None:
    """The active key matching `secret`, and its store; None for an unknown or revoked key."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 100:
        return None
    with db.read() as tx:
        return tx.api_key_by_hash(secret_hash(secret))


def allows(key: ApiKey, scope: str) -> bool:
    """Does `key` carry `scope`? `ingest` sends events, `read` reads everything (every GET of
    the API, the Agent's role for integrations), `admin` does everything; ingest and read
    carry nothing but themselves."""
    return key.scope == "admin" or key.scope == scope
