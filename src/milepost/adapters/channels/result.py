"""What a channel reports about one attempt to send a message."""

from __future__ import annotations

from dataclasses import dataclass

SENT = "sent"  # the receiver took it
RETRY = "retry"  # a temporary failure: try again on the schedule
FAILED = "failed"  # a permanent failure (a rejected recipient, a 4xx from a provider): no retry
GONE = "gone"  # the webhook endpoint answered 410 Gone: disable it


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: str  # SENT | RETRY | FAILED | GONE
    code: int | None = None  # the HTTP status or SMTP reply code, when there was one
    error: str | None = None  # why it failed, for the operator: one line
    retry_after: float | None = None  # seconds, from the receiver's Retry-After
    provider_id: str | None = None  # the provider's id for the message (Twilio's SID), when given
