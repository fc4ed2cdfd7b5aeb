"""The outbox as the relay works it, and the deliveries operators read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from milepost.domain.delivery import Attempt, Delivery, MailboxMessage, OutboxMessage


class DeliveryTx(Protocol):
    """The outbox as the relay works it, and the deliveries operators read."""

    def claim_outbox(
        self, worker: str, now: datetime, lease_until: datetime, limit: int, store_ids: Sequence[int] | None = None
    ) -> list[OutboxMessage]: ...
    def next_due(self, store_ids: Sequence[int] | None = None) -> datetime | None: ...
    def record_attempt(
        self,
        message: OutboxMessage,
        worker: str,
        started_at: datetime,
        duration_ms: int,
        outcome: str,
        code: int | None,
        error: str | None,
    ) -> None: ...
    def settle(
        self,
        message: OutboxMessage,
        worker: str,
        now: datetime,
        status: str,
        *,
        available_at: datetime | None = None,
        code: int | None = None,
        error: str | None = None,
    ) -> bool: ...
    def insert_mailbox(self, message: OutboxMessage, now: datetime, **fields: Any) -> None: ...
    def dead_for_endpoint(self, store_id: int, endpoint_id: int, reason: str, now: datetime) -> int: ...
    def deliveries(
        self,
        store_id: int,
        status: str | None = None,
        channel: str | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[Delivery]: ...
    def customer_messages(self, customer_id: int, limit: int) -> list[Delivery]: ...
    def delivery(self, store_id: int, delivery_id: int) -> Delivery | None: ...
    def attempts_of(self, delivery_id: int) -> list[Attempt]: ...
    def requeue(self, store_id: int, ids: Sequence[int] | None, statuses: Sequence[str], now: datetime) -> int: ...
    def mailbox_messages(
        self, store_id: int, channel: str | None = None, before_id: int | None = None, limit: int = 100
    ) -> list[MailboxMessage]: ...
    def mailbox_message(self, store_id: int, message_id: int) -> MailboxMessage | None: ...
