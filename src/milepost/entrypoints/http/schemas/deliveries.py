"""Deliveries and the messages of the local mailbox, as the API answers them."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, Field

from milepost.domain import delivery as d
from milepost.entrypoints.http.schemas.responses import Timestamp, from_record
from milepost.entrypoints.http.wire import public_id


class DeliveryAttempt(BaseModel):
    attempt: int = Field(description="1 for the first.")
    started_at: Timestamp
    duration_ms: int
    outcome: str = Field(description="sent, retry, failed (permanent), gone (410: endpoint disabled) or skipped.")
    code: int | None = Field(description="The HTTP status or SMTP reply code.")
    error: str | None
    worker: str

    @classmethod
    def of(cls, a: d.Attempt) -> DeliveryAttempt:
        return from_record(cls, a)


class Delivery(BaseModel):
    id: str = Field(examples=["dlv_12"])
    message_id: str = Field(description="Stable across attempts: the webhook-id, or the email's Message-ID source.")
    channel: str = Field(description="email, webhook or sms.")
    status: str = Field(description="pending, sent, skipped (with the reason in last_error) or dead.")
    attempts: int
    customer_id: str | None
    milestone_id: str | None
    webhook_endpoint_id: str | None
    type: str | None = Field(description="A webhook's event type, like milestone.reached.")
    template: str | None = Field(description="An email's template key.")
    created_at: Timestamp
    next_attempt_at: Timestamp | None = Field(description="While pending.")
    sent_at: Timestamp | None
    last_code: int | None
    last_error: str | None
    attempt_log: list[DeliveryAttempt] | None = Field(
        default=None, description="Every attempt, oldest first (on the single delivery only)."
    )

    @classmethod
    def of(cls, x: d.Delivery, attempts: list[d.Attempt] | None = None) -> Delivery:
        payload: dict[str, Any] = orjson.loads(x.payload)
        return from_record(
            cls,
            x,
            id=public_id("delivery", x.id),
            message_id=x.key,
            milestone_id=public_id("milestone", x.firing_id),
            webhook_endpoint_id=public_id("webhook_endpoint", x.endpoint_id),
            type=payload.get("type") if x.channel == "webhook" else None,
            template=payload.get("template") if x.channel == "email" else None,
            next_attempt_at=x.available_at if x.status == "pending" else None,
            attempt_log=None if attempts is None else [DeliveryAttempt.of(a) for a in attempts],
        )


class Retried(BaseModel):
    retried: int = Field(description="How many dead deliveries were queued again.")


class MailboxMessage(BaseModel):
    id: str = Field(examples=["msg_3"])
    delivery_id: str
    channel: str = Field(description="email or sms.")
    message_id: str = Field(description="The email's Message-ID header, or the text's delivery key.")
    sender: str
    recipient: str
    subject: str | None
    body_text: str
    body_html: str | None
    created_at: Timestamp

    @classmethod
    def of(cls, m: d.MailboxMessage) -> MailboxMessage:
        return from_record(
            cls, m, id=public_id("mailbox_message", m.id), delivery_id=public_id("delivery", m.delivery_id)
        )
