"""Webhook signatures per the Standard Webhooks spec (https://www.standardwebhooks.com).

Each message carries `webhook-id` (the outbox row's stable id: a retry sends the same
one, so receivers can drop duplicates), `webhook-timestamp` (seconds) and
`webhook-signature`: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, once per
secret, space separated, so that while a secret is rotated both old and new verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

from milepost.domain.delivery import SECRET_PREFIX


def signature(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secrets_: Sequence[str], msg_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three headers for `body`, signed with every secret given (newest first)."""
    if not secrets_:
        raise ValueError("an endpoint needs at least one secret")
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, msg_id, timestamp, body) for s in secrets_),
        "content-type": "application/json",
    }
