"""What the relay asks of a channel, and what a channel answers.

The relay defines these ports; `adapters/channels` implements them (SMTP, Twilio,
webhooks over HTTP) and `bootstrap.py` hands a `Channels` set in. A channel that is
None means "not configured": its messages are kept in the local mailbox instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

SENT = "sent"  # the receiver took it
RETRY = "retry"  # a temporary failure: try again on the schedule
FAILED = "failed"  # a permanent failure (a rejected recipient, a 4xx from a provider): no retry
GONE = "gone"  # the webhook endpoint answered 410 Gone: disable it
SKIPPED = "skipped"  # not to be sent (no consent, no address): not a channel's answer, the relay's


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: str  # SENT | RETRY | FAILED | GONE (| SKIPPED, decided before any channel)
    code: int | None = None  # the HTTP status or SMTP reply code, when there was one
    error: str | None = None  # why it failed, for the operator: one line
    retry_after: float | None = None  # seconds, from the receiver's Retry-After
    provider_id: str | None = None  # the provider's id for the message (Twilio's SID), when given


@dataclass(frozen=True, slots=True)
class Email:
    message_id: str  # full header value with angle brackets: "<mp.milestone.3.17.1.2@shop.example>"
    sender_name: str
    sender_address: str
    recipient_address: str
    recipient_name: str | None
    subject: str
    body_text: str
    body_html: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # extra headers, e.g. {"X-Milepost-Delivery": key}


class EmailChannel(Protocol):
    def send(self, email: Email) -> SendResult: ...
    def close(self) -> None: ...


class SmsChannel(Protocol):
    def send(self, to: str, body: str, idempotency_key: str) -> SendResult: ...
    def close(self) -> None: ...


class WebhookChannel(Protocol):
    def send(self, url: str, msg_id: str, body: str, secrets: Sequence[str], timestamp: int) -> SendResult: ...
    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Channels:
    """The ways out a relay sends through; None keeps that channel's messages in the mailbox."""

    webhooks: WebhookChannel
    email: EmailChannel | None = None
    sms: SmsChannel | None = None

    def close(self) -> None:
        for channel in (self.email, self.sms, self.webhooks):
            if channel is not None:
                channel.close()
