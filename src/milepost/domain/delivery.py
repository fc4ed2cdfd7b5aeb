"""Messages on their way out: what the outbox holds, and when a failed one is tried again.

Statuses: `pending` (due at `available_at`; a claimed one is pending with its lease as
`available_at`), `sent`, `skipped` (not to be sent, e.g. no consent: the reason is in
`last_error`) and `dead` (no more attempts; an operator can retry it).
"""

from __future__ import annotations

import base64
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

CHANNELS = ("email", "webhook", "sms")
STATUSES = ("pending", "sent", "skipped", "dead")
#: Standard Webhooks' schedule: the delay before each attempt, the first one immediate.
STANDARD_SCHEDULE = (0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A claimed row: what the worker needs to send it."""

    id: int
    store_id: int
    key: str  # the message's stable id: webhook-id, the email's Message-ID
    channel: str
    customer_id: int | None
    firing_id: int | None
    payload: str  # JSON
    attempts: int  # attempts made before this one
    endpoint_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """A message as operators see it."""

    id: int
    key: str
    channel: str
    status: str
    attempts: int
    customer_id: str | None  # the store's own customer id
    firing_id: int | None
    endpoint_id: int | None
    payload: str
    created_at: datetime
    available_at: datetime  # the next attempt, while pending
    sent_at: datetime | None
    last_code: int | None
    last_error: str | None

    @property
    def failing(self) -> bool:
        return self.status == "pending" and self.attempts > 0

    @property
    def shown_status(self) -> str:
        """The status as operators read it: `failing` for a pending one whose last attempt failed."""
        return "failing" if self.failing else self.status


def attempts_text(n: int) -> str:
    """`1 attempt`, `3 attempts`."""
    return f"{n:,} {'attempt' if n == 1 else 'attempts'}"


def message_outcome(action: Mapping[str, Any], d: Delivery) -> dict[str, Any]:
    """What a queued email, text or webhook action did, as its message stands now: the
    delivery's status (pending, failing, sent, skipped, dead) in place of the `queued` of
    the firing, and when it was not sent, why (`reason`)."""
    what = str(action.get("detail") or action.get("type", "")).removesuffix(" queued")
    status = d.shown_status
    outcome = {**action, "status": status, "delivery_id": d.id}
    if status == "sent" or status == "pending":
        outcome["detail"] = f"{what} {'sent' if status == 'sent' else 'waiting to be sent'}"
        return outcome
    tried = f" ({attempts_text(d.attempts)})" if status != "skipped" else ""
    reason = d.last_error or "no reason recorded"
    return {**outcome, "detail": f"{what} {status}{tried}: {reason}", "reason": reason}


@dataclass(frozen=True, slots=True)
class Attempt:
    attempt: int
    started_at: datetime
    duration_ms: int
    outcome: str  # sent | retry | failed | gone | skipped
    code: int | None
    error: str | None
    worker: str


@dataclass(frozen=True, slots=True)
class MailboxMessage:
    """An email or text kept locally because no SMTP server or SMS provider is configured."""

    id: int
    delivery_id: int
    channel: str
    message_id: str
    sender: str
    recipient: str
    subject: str | None
    body_text: str
    body_html: str | None
    created_at: datetime


def next_attempt_at(
    now: datetime,
    attempts_made: int,
    schedule: Sequence[float],
    jitter: float = 0.1,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> datetime | None:
    """When to try again after `attempts_made` attempts failed, or None when the schedule
    is spent (the message is dead). The scheduled delay varies by +-`jitter` of itself,
    so messages that failed together do not all come back at once; a receiver's
    Retry-After is honoured when it asks for longer (up to the schedule's longest delay)."""
    if attempts_made >= len(schedule):
        return None
    delay = float(schedule[attempts_made])
    if jitter and delay:
        delay *= 1 + (rng or random).uniform(-jitter, jitter)
    if retry_after is not None and retry_after > delay:
        delay = min(retry_after, float(max(schedule)))
    return now + timedelta(seconds=delay)


#: The internal events a webhook endpoint may subscribe to.
WEBHOOK_EVENT_TYPES = (
    "customer.created",
    "customer.updated",
    "order.created",
    "order.paid",
    "order.canceled",
    "order.updated",
    "coupon.assigned",
    "milestone.reached",
    "customer.rewarded",
    "alert.created",
    "reward.issued",
    "redemption.succeeded",
    "redemption.failed",
    "reward.clawed_back",
)


#: What begins every endpoint secret (Standard Webhooks' convention).
SECRET_PREFIX = "whsec_"


@dataclass(frozen=True, slots=True)
class Secret:
    secret: str  # whsec_...
    expires_at: datetime | None  # None for the current secret; set on the old one by a rotation


def new_secret() -> str:
    """A fresh endpoint secret: `whsec_` and 32 random bytes, base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a store's webhooks go, which internal events it wants, and what signs them."""

    id: int
    store_id: int
    url: str
    description: str
    event_types: tuple[str, ...]
    enabled: bool
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime
    secrets: tuple[Secret, ...]  # newest first

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets that sign a message sent at `now`: the newest, and during a
        rotation the previous ones until they expire."""
        return [s.secret for s in self.secrets if s.expires_at is None or s.expires_at > now]

    def __repr__(self) -> str:  # never print secrets into logs
        return f"Endpoint(id={self.id}, store_id={self.store_id}, url={self.url!r}, enabled={self.enabled})"
