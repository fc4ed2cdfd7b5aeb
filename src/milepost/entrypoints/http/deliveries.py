"""Deliveries (the outbox as operators see it: status, attempts, retry) and the local mailbox."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from milepost.domain import delivery as d
from milepost.entrypoints.http.admin import AdminCaller, Cursor, Limit, cursor_position, page, problems
from milepost.entrypoints.http.schemas.responses import Page, Timestamp
from milepost.entrypoints.http.wire import parse_id, public_id

router = APIRouter(prefix="/api/v1", tags=["deliveries"])

DeliveryId = Annotated[str, Path(description="The delivery's id, like dlv_12.")]
Channel = Annotated[Literal["email", "webhook", "sms"] | None, Query(description="Only this channel.")]


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
        return cls(
            attempt=a.attempt,
            started_at=a.started_at,
            duration_ms=a.duration_ms,
            outcome=a.outcome,
            code=a.code,
            error=a.error,
            worker=a.worker,
        )


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
        return cls(
            id=public_id("delivery", x.id),  # type: ignore[arg-type]
            message_id=x.key,
            channel=x.channel,
            status=x.status,
            attempts=x.attempts,
            customer_id=x.customer_id,
            milestone_id=public_id("milestone", x.firing_id),
            webhook_endpoint_id=public_id("webhook_endpoint", x.endpoint_id),
            type=payload.get("type") if x.channel == "webhook" else None,
            template=payload.get("template") if x.channel == "email" else None,
            created_at=x.created_at,
            next_attempt_at=x.available_at if x.status == "pending" else None,
            sent_at=x.sent_at,
            last_code=x.last_code,
            last_error=x.last_error,
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
        return cls(
            id=public_id("mailbox_message", m.id),  # type: ignore[arg-type]
            delivery_id=public_id("delivery", m.delivery_id),  # type: ignore[arg-type]
            channel=m.channel,
            message_id=m.message_id,
            sender=m.sender,
            recipient=m.recipient,
            subject=m.subject,
            body_text=m.body_text,
            body_html=m.body_html,
            created_at=m.created_at,
        )


@router.get(
    "/deliveries",
    summary="Deliveries, newest first",
    description="Emails, webhooks and texts on their way out or delivered. `status=failing` lists pending "
    "deliveries whose last attempt failed; `dead` ones have no attempts left and can be retried.",
    response_model=Page[Delivery],
    responses=problems(),
)
def list_deliveries(
    admin: AdminCaller,
    status: Annotated[
        Literal["pending", "failing", "sent", "skipped", "dead"] | None, Query(description="Only this status.")
    ] = None,
    channel: Channel = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Delivery]:
    before = cursor_position(cursor, "dlv", int)
    found = admin.mp.deliveries.list(
        admin.store, status=status, channel=channel, before_id=before[0] if before else None, limit=limit + 1
    )
    kept, next_cursor = page(found, limit, lambda x: ["dlv", x.id])
    return Page[Delivery](data=[Delivery.of(x) for x in kept], next_cursor=next_cursor)


@router.post(
    "/deliveries/retry",
    summary="Retry every dead delivery",
    description="Queues every dead delivery of the store again, due now, with a fresh retry schedule.",
    response_model=Retried,
    responses=problems(),
)
def retry_dead(admin: AdminCaller) -> Retried:
    return Retried(retried=admin.mp.deliveries.retry_dead(admin.store))


@router.get(
    "/deliveries/{delivery_id}",
    summary="One delivery with its attempts",
    response_model=Delivery,
    responses=problems(404),
)
def get_delivery(admin: AdminCaller, delivery_id: DeliveryId) -> Delivery:
    found, attempts = admin.mp.deliveries.get(admin.store, parse_id("delivery", delivery_id))
    return Delivery.of(found, attempts)


@router.post(
    "/deliveries/{delivery_id}/retry",
    summary="Retry a delivery now",
    description="A dead or failing delivery is due again now, with a fresh retry schedule. A sent or "
    "skipped one answers 409.",
    response_model=Delivery,
    responses=problems(404, 409),
)
def retry_delivery(admin: AdminCaller, delivery_id: DeliveryId) -> Delivery:
    return Delivery.of(admin.mp.deliveries.retry(admin.store, parse_id("delivery", delivery_id)))


@router.get(
    "/mailbox",
    summary="The local mailbox, newest first",
    description="With no SMTP server (or no SMS provider) configured, emails (texts) are kept here instead "
    "of sent, so you can see what would go out.",
    response_model=Page[MailboxMessage],
    responses=problems(),
)
def list_mailbox(
    admin: AdminCaller,
    channel: Annotated[Literal["email", "sms"] | None, Query(description="Only emails or only texts.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[MailboxMessage]:
    before = cursor_position(cursor, "msg", int)
    found = admin.mp.mailbox.list(
        admin.store, channel=channel, before_id=before[0] if before else None, limit=limit + 1
    )
    kept, next_cursor = page(found, limit, lambda m: ["msg", m.id])
    return Page[MailboxMessage](data=[MailboxMessage.of(m) for m in kept], next_cursor=next_cursor)


@router.get(
    "/mailbox/{message_id}",
    summary="One message of the local mailbox",
    response_model=MailboxMessage,
    responses=problems(404),
)
def get_mailbox_message(
    admin: AdminCaller, message_id: Annotated[str, Path(description="The message's id, like msg_3.")]
) -> MailboxMessage:
    return MailboxMessage.of(admin.mp.mailbox.get(admin.store, parse_id("mailbox_message", message_id)))
