"""Settling one attempt: the attempt and the message's new status in one transaction, with
the alerts a dead letter raises. A message kept in the local mailbox is written here too,
so it is kept exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from milepost.domain.delivery import OutboxMessage
from milepost.domain.ids import format_id
from milepost.relay.outcome import Outcome, Verdict
from milepost.service.internal_events import event_key, raise_alert
from milepost.service.ports import AlertsTx, DeliveryTx, EndpointsTx, InternalEventRow, InternalEventsTx


class SettleTx(DeliveryTx, EndpointsTx, AlertsTx, InternalEventsTx, Protocol):
    """Settling an attempt: the outbox, the endpoint a 410 disables, and the alerts raised."""


def settle(
    tx: SettleTx, worker: str, message: OutboxMessage, outcome: Outcome, verdict: Verdict, now: datetime
) -> None:
    """Record what `outcome` came to, as `verdict` decided, in the open transaction `tx`."""
    result = outcome.result
    if verdict.status == "sent":
        if outcome.mailbox is None:
            tx.settle(message, worker, now, "sent", code=result.code)
        elif tx.settle(message, worker, now, "sent"):
            tx.insert_mailbox(message, now, **outcome.mailbox)
    elif verdict.status == "skipped":
        tx.settle(message, worker, now, "skipped", error=result.error)
    elif verdict.status == "pending":
        tx.settle(message, worker, now, "pending", available_at=verdict.due, code=result.code, error=result.error)
    else:
        if verdict.gone and outcome.endpoint_id is not None:
            disable_gone_endpoint(tx, message.store_id, outcome.endpoint_id, now)
        if tx.settle(message, worker, now, "dead", code=result.code, error=result.error):
            dead_letter_alert(tx, message, outcome, verdict.why, now)
            _failed(tx, message, outcome, verdict.why, now)


def _failed(tx: SettleTx, message: OutboxMessage, outcome: Outcome, why: str, now: datetime) -> None:
    """`delivery.failed`: the relay gave the message up (once per time it dies)."""
    delivery = {
        "id": format_id("delivery", message.id),
        "channel": message.channel,
        "key": message.key,
        "attempts": message.attempts + 1,
        "why": why,
        "error": outcome.result.error,
        "endpoint_id": format_id("webhook_endpoint", outcome.endpoint_id),
        "milestone_id": format_id("milestone", message.firing_id),
    }
    key = event_key(f"delivery.failed:{message.id}:{message.attempts + 1}")
    row = InternalEventRow("delivery.failed", key, message.customer_id, now, {"delivery": delivery})
    tx.insert_internal_events(message.store_id, [row], now)


def disable_gone_endpoint(tx: SettleTx, store_id: int, endpoint_id: int, now: datetime) -> None:
    """An endpoint that answered 410 Gone: disabled (one alert says so) and its pending
    messages parked as dead."""
    reason = f"answered 410 Gone on {iso(now)}"
    if tx.disable_endpoint(store_id, endpoint_id, reason, now):
        raise_alert(
            tx,
            store_id,
            f"Webhook endpoint {format_id('webhook_endpoint', endpoint_id)} {reason} and was disabled; its pending "
            "deliveries are parked as dead. Enable it again, then retry them.",
            now,
            dedupe_key=f"endpoint-gone:{endpoint_id}",
        )
    tx.dead_for_endpoint(store_id, endpoint_id, f"endpoint disabled: {reason}", now)


def dead_letter_alert(tx: SettleTx, message: OutboxMessage, outcome: Outcome, why: str, now: datetime) -> None:
    """One alert per channel (and endpoint) while its messages keep dying."""
    target = (
        f"webhook to endpoint {format_id('webhook_endpoint', outcome.endpoint_id)}"
        if outcome.endpoint_id
        else message.channel
    )
    raise_alert(
        tx,
        message.store_id,
        f"Delivery {format_id('delivery', message.id)} ({target}) {why}: {outcome.result.error or 'no reason given'}. "
        "Further failures of this kind are in the deliveries list; retry them there once fixed.",
        now,
        dedupe_key=f"delivery:{message.channel}:{outcome.endpoint_id or ''}",
        customer=(message.customer_id, None) if message.customer_id else None,
        firing_id=message.firing_id,
    )


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
