"""Webhooks: find the message's endpoint, sign the body, post it through the webhook channel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import orjson

from milepost.domain.delivery import Endpoint, OutboxMessage
from milepost.domain.ids import format_id
from milepost.relay.outcome import Outcome, failed
from milepost.relay.ports import WebhookChannel
from milepost.relay.settle import iso
from milepost.service.ports import Storage


def send_webhook(
    db: Storage,
    channel: WebhookChannel,
    clock: Callable[[], datetime],
    message: OutboxMessage,
    payload: dict[str, Any],
    endpoints: Mapping[int, Endpoint],
) -> Outcome:
    """`endpoints` are those read once for the round; one missing there is read now."""
    url = payload.get("url")
    endpoint = endpoints.get(message.endpoint_id) if message.endpoint_id is not None else None
    if endpoint is None or endpoint.store_id != message.store_id:
        endpoint = _read_endpoint(db, message, url)
    if endpoint is None:
        target = f"the URL {url}" if url else "its endpoint"
        return failed(f"no webhook endpoint is registered for {target}")
    if not endpoint.enabled:
        why = endpoint.disabled_reason or "disabled"
        return failed(f"endpoint {format_id('webhook_endpoint', endpoint.id)} is disabled: {why}", endpoint.id)
    now = clock()
    body = orjson.dumps({"type": payload["type"], "timestamp": iso(message.created_at), "data": payload["data"]})
    result = channel.send(endpoint.url, message.key, body.decode(), endpoint.signing_secrets(now), int(now.timestamp()))
    return Outcome(result, None, endpoint.id)


def _read_endpoint(db: Storage, message: OutboxMessage, url: str | None) -> Endpoint | None:
    with db.read() as tx:
        if message.endpoint_id is not None:
            return tx.endpoint(message.store_id, message.endpoint_id)
        return tx.endpoint_by_url(message.store_id, url)
