"""Webhook endpoints of a store: where its webhooks go, what they subscribe to, and
the secrets that sign them (Standard Webhooks).

An endpoint is registered by the operator (with the internal events it wants), or
implicitly by a rule's webhook action naming a URL no endpoint has yet: that endpoint
subscribes to nothing, but its secret signs what the action sends. Every change bumps
the store's configuration version, so ingest processes reload their subscriptions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypedDict

from milepost.domain.delivery import WEBHOOK_EVENT_TYPES, Endpoint, Secret, new_secret
from milepost.domain.ids import format_id
from milepost.errors import Conflict, ValidationError
from milepost.service.existing import existing
from milepost.service.ports import EndpointsTx, RulesTx, Storage, UrlCheck

#: How long the previous secret keeps signing after a rotation (both signatures sent).
ROTATION_OVERLAP = timedelta(hours=24)
MAX_DESCRIPTION = 200
MAX_URL = 2000
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _url(url: Any, check_url: UrlCheck) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ValidationError("url is required", {"url": "required"})
    text: str = url.strip()
    if len(text) > MAX_URL:
        raise ValidationError(f"url must be at most {MAX_URL} characters", {"url": "too long"})
    check_url(text)
    return text


def _event_types(event_types: Any) -> list[str]:
    if not isinstance(event_types, list | tuple) or not all(isinstance(e, str) for e in event_types):
        raise ValidationError("event_types must be a list of event type names", {"event_types": "not a list"})
    unknown = [e for e in event_types if e not in WEBHOOK_EVENT_TYPES]
    if unknown:
        reason = f"unknown event type {unknown[0]!r}; known: {', '.join(WEBHOOK_EVENT_TYPES)}"
        raise ValidationError(f"event_types: {reason}", {"event_types": reason})
    return list(dict.fromkeys(event_types))


def _description(description: Any) -> str:
    if not isinstance(description, str):
        raise ValidationError("description must be text", {"description": "not text"})
    text: str = description.strip()
    if len(text) > MAX_DESCRIPTION:
        reason = f"at most {MAX_DESCRIPTION} characters"
        raise ValidationError(f"description must be {reason}", {"description": reason})
    return text


def _unique_url(tx: EndpointsTx, store_id: int, url: str, endpoint_id: int | None = None) -> None:
    found = tx.endpoint_by_url(store_id, url)
    if found is not None and found.id != endpoint_id:
        raise Conflict(f"webhook endpoint {format_id('webhook_endpoint', found.id)} already has the URL {url}")


def _rules_sending_to(tx: RulesTx, store_id: int, url: str) -> list[str]:
    return [
        rule.name
        for rule in tx.load_rules(store_id, active_only=False)
        if any(a.type == "webhook" and a.param("url") == url for a in rule.actions)
    ]


def _existing(tx: EndpointsTx, store_id: int, endpoint_id: int) -> Endpoint:
    return existing(
        tx.endpoint(store_id, endpoint_id),
        f"no webhook endpoint {format_id('webhook_endpoint', endpoint_id)} in this store",
    )


def create_endpoint(
    db: Storage,
    now: datetime,
    store_id: int,
    *,
    url: str,
    event_types: list[str],
    description: str = "",
    check_url: UrlCheck,
) -> tuple[Endpoint, str]:
    """A new endpoint and its signing secret (`whsec_...`)."""
    url = _url(url, check_url)
    kinds, description = _event_types(event_types), _description(description)
    secret = new_secret()
    with db.write() as tx:
        tx.lock_store(store_id, exclusive=True)
        _unique_url(tx, store_id, url)
        endpoint = tx.insert_endpoint(_new_values(tx, store_id, now, url, kinds, description, secret))
        tx.bump_rules_version(store_id)
        return endpoint, secret


def _new_values(
    tx: EndpointsTx, store_id: int, now: datetime, url: str, kinds: list[str], description: str, secret: str
) -> dict[str, Any]:
    return {
        "store_id": store_id,
        "url": url,
        "description": description,
        "event_types": tx.dumps(kinds),
        "secrets": (Secret(secret, None),),
        "enabled": True,
        "disabled_reason": None,
        "created_at": now,
        "updated_at": now,
    }


def ensure_endpoint(tx: EndpointsTx, now: datetime, store_id: int, url: Any, check_url: UrlCheck) -> Endpoint:
    """The endpoint a rule's webhook action sends to, registered now if no endpoint has
    the URL yet (subscribed to nothing: it only receives what actions send)."""
    if isinstance(url, str):
        found = tx.endpoint_by_url(store_id, url.strip())
        if found is not None:
            return found
    url = _url(url, check_url)
    values = _new_values(tx, store_id, now, url, [], "created for a rule's webhook action", new_secret())
    endpoint = tx.insert_endpoint(values)
    tx.bump_rules_version(store_id)
    return endpoint


def list_endpoints(db: Storage, store_id: int, after_id: int | None = None, limit: int | None = None) -> list[Endpoint]:
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}", {"limit": "out of range"})
    with db.read() as tx:
        return tx.endpoints(store_id, after_id, limit)


def get_endpoint(db: Storage, store_id: int, endpoint_id: int) -> Endpoint:
    with db.read() as tx:
        return _existing(tx, store_id, endpoint_id)


class EndpointChanges(TypedDict):
    """What `update_endpoint` changes; None keeps it as it is."""

    url: str | None
    event_types: list[str] | None
    description: str | None
    enabled: bool | None


def update_endpoint(
    db: Storage, now: datetime, store_id: int, endpoint_id: int, changes: EndpointChanges, *, check_url: UrlCheck
) -> Endpoint:
    """Change what is given. Enabling a disabled endpoint clears why it was disabled
    (its parked deliveries stay dead until an operator retries them)."""
    url, event_types = changes["url"], changes["event_types"]
    description, enabled = changes["description"], changes["enabled"]
    values: dict[str, Any] = {}
    get_endpoint(db, store_id, endpoint_id)  # an unknown endpoint is 404 before its new URL is checked
    new_url = _url(url, check_url) if url is not None else None
    if event_types is not None:
        values["event_types"] = _event_types(event_types)
    if description is not None:
        values["description"] = _description(description)
    if enabled is not None and not isinstance(enabled, bool):
        raise ValidationError("enabled must be true or false", {"enabled": "not a boolean"})
    with db.write() as tx:
        tx.lock_store(store_id, exclusive=True)
        current = _existing(tx, store_id, endpoint_id)
        if new_url is not None and new_url != current.url:
            _unique_url(tx, store_id, new_url, endpoint_id)
            users = _rules_sending_to(tx, store_id, current.url)
            if users:
                raise Conflict(
                    f"rules {', '.join(repr(n) for n in users)} send to {current.url}: change their webhook "
                    "action's URL instead (it registers the new address), or register another endpoint"
                )
            values["url"] = new_url
        if "event_types" in values:
            values["event_types"] = tx.dumps(values["event_types"])
        if enabled is not None and enabled != current.enabled:
            values["enabled"] = enabled
            values["disabled_reason"] = None if enabled else "disabled by an operator"
        if values:
            values["updated_at"] = now
            tx.update_endpoint(store_id, endpoint_id, values)
            tx.bump_rules_version(store_id)
        return _existing(tx, store_id, endpoint_id)


def rotate_secret(db: Storage, now: datetime, store_id: int, endpoint_id: int) -> tuple[Endpoint, str]:
    """A new secret signs from now on; the previous one signs too (both signatures are
    sent) for ROTATION_OVERLAP, so receivers can switch without losing a message."""
    secret = new_secret()
    with db.write() as tx:
        tx.lock_store(store_id, exclusive=True)
        current = _existing(tx, store_id, endpoint_id)
        until = now + ROTATION_OVERLAP
        kept = tuple(
            Secret(s.secret, until if s.expires_at is None else min(s.expires_at, until))
            for s in current.secrets
            if s.expires_at is None or s.expires_at > now
        )
        values = {"secrets": (Secret(secret, None), *kept), "updated_at": now}
        tx.update_endpoint(store_id, endpoint_id, values)
        return _existing(tx, store_id, endpoint_id), secret


def current_secret(db: Storage, now: datetime, store_id: int, endpoint_id: int) -> str:
    """The newest secret: the one a receiver should verify with."""
    return get_endpoint(db, store_id, endpoint_id).secrets[0].secret


def delete_endpoint(db: Storage, now: datetime, store_id: int, endpoint_id: int) -> None:
    """Delete it; its pending deliveries are parked as dead. Refused while a rule's
    webhook action sends to its URL."""
    with db.write() as tx:
        tx.lock_store(store_id, exclusive=True)
        current = _existing(tx, store_id, endpoint_id)
        users = _rules_sending_to(tx, store_id, current.url)
        if users:
            raise Conflict(
                f"rules {', '.join(repr(n) for n in users)} send to {current.url}: remove their webhook action first"
            )
        tx.dead_for_endpoint(store_id, endpoint_id, "endpoint deleted", now)
        tx.delete_endpoint(store_id, endpoint_id)
        tx.bump_rules_version(store_id)
