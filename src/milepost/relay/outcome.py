"""What one attempt came to, and what settling it means: small pure functions.

`decide` is the relay's retry policy: a sent message is done, a skipped one too, a
temporary failure waits for the next slot of the schedule (with jitter, honouring the
receiver's Retry-After) until the schedule is spent, and anything else is dead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from milepost.domain.delivery import attempts_text, next_attempt_at
from milepost.relay.ports import FAILED, GONE, RETRY, SENT, SKIPPED, SendResult


@dataclass(frozen=True, slots=True)
class Outcome:
    """What settling must record: a channel's result, a skip, or a message kept locally."""

    result: SendResult
    mailbox: dict[str, Any] | None = None  # the mailbox row to keep, in the settling transaction
    endpoint_id: int | None = None  # the webhook endpoint it went to


@dataclass(frozen=True, slots=True)
class Verdict:
    """The status a message settles in: sent, skipped, pending (again at `due`) or dead (`why`)."""

    status: str
    due: datetime | None = None
    why: str = ""
    gone: bool = False  # the endpoint refused for good: disable it and park its other messages


def skip(reason: str) -> Outcome:
    return Outcome(SendResult(SKIPPED, error=reason))


def failed(error: str, endpoint_id: int | None = None) -> Outcome:
    return Outcome(SendResult(FAILED, error=error), None, endpoint_id)


def kept(
    channel: str, message_id: str, sender: str, recipient: str, subject: str | None, text: str, html: str | None
) -> Outcome:
    """Sent to the local mailbox: the row is written when the message settles."""
    row = {
        "channel": channel,
        "message_id": message_id,
        "sender": sender,
        "recipient": recipient,
        "subject": subject,
        "body_text": text,
        "body_html": html,
    }
    return Outcome(SendResult(SENT), mailbox=row)


def decide(outcome: Outcome, attempts_made: int, now: datetime, schedule: Sequence[float], jitter: float) -> Verdict:
    """`attempts_made` counts this attempt."""
    result = outcome.result
    if result.outcome in (SENT, SKIPPED):
        return Verdict(result.outcome)
    if result.outcome == RETRY:
        due = next_attempt_at(now, attempts_made, schedule, jitter, result.retry_after)
        return (
            Verdict("pending", due)
            if due is not None
            else Verdict("dead", why=f"failed after {attempts_text(attempts_made)}")
        )
    if result.outcome == GONE and outcome.endpoint_id is not None:
        return Verdict("dead", why="was refused for good", gone=True)
    return Verdict("dead", why="was refused")
