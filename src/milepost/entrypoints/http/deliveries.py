"""Deliveries (the outbox as operators see it: status, attempts, retry) and the local mailbox."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from milepost.entrypoints.http.admin import AdminCaller, Cursor, Limit, ReadCaller, cursor_id, id_page, problems
from milepost.entrypoints.http.schemas.deliveries import Delivery, MailboxMessage, Retried
from milepost.entrypoints.http.schemas.responses import Page
from milepost.entrypoints.http.wire import parse_id

router = APIRouter(prefix="/api/v1", tags=["deliveries"])

DeliveryId = Annotated[str, Path(description="The delivery's id, like dlv_12.")]
Channel = Annotated[Literal["email", "webhook", "sms"] | None, Query(description="Only this channel.")]


@router.get(
    "/deliveries",
    summary="Deliveries, newest first",
    description="Emails, webhooks and texts on their way out or delivered. `status=failing` lists pending "
    "deliveries whose last attempt failed; `dead` ones have no attempts left and can be retried.",
    response_model=Page[Delivery],
    responses=problems(),
)
def list_deliveries(
    admin: ReadCaller,
    status: Annotated[
        Literal["pending", "failing", "sent", "skipped", "dead"] | None, Query(description="Only this status.")
    ] = None,
    channel: Channel = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Delivery]:
    found = admin.mp.deliveries.list(
        admin.store, status=status, channel=channel, before_id=cursor_id(cursor, "dlv"), limit=limit + 1
    )
    return id_page(Delivery, "dlv", found, limit)


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
def get_delivery(admin: ReadCaller, delivery_id: DeliveryId) -> Delivery:
    found, attempts = admin.mp.deliveries.get(admin.store, parse_id("delivery", delivery_id))
    return Delivery.of(found, attempts)


@router.post(
    "/deliveries/{delivery_id}/retry",
    summary="Retry a delivery now",
    description="A dead or failing delivery is due again now, with a fresh retry schedule. A skipped one "
    "(no email address, no consent) too, once the customer has what it lacked: until then 409 with the "
    "reason. The same delivery is sent, once. A sent one answers 409.",
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
    admin: ReadCaller,
    channel: Annotated[Literal["email", "sms"] | None, Query(description="Only emails or only texts.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[MailboxMessage]:
    found = admin.mp.mailbox.list(admin.store, channel=channel, before_id=cursor_id(cursor, "msg"), limit=limit + 1)
    return id_page(MailboxMessage, "msg", found, limit)


@router.get(
    "/mailbox/{message_id}",
    summary="One message of the local mailbox",
    response_model=MailboxMessage,
    responses=problems(404),
)
def get_mailbox_message(
    admin: ReadCaller, message_id: Annotated[str, Path(description="The message's id, like msg_3.")]
) -> MailboxMessage:
    return MailboxMessage.of(admin.mp.mailbox.get(admin.store, parse_id("mailbox_message", message_id)))
