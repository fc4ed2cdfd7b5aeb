"""`mp.deliveries` and `mp.mailbox`: the outbox's messages (emails, texts, webhooks) with
every attempt to send them, and the emails and texts kept locally when no SMTP server or
SMS provider is configured."""

from __future__ import annotations

from milepost.capabilities.wiring import Capability
from milepost.domain.delivery import Attempt, Delivery, MailboxMessage
from milepost.service import delivery


class Deliveries(Capability):
    def get(self, store: str, delivery_id: int) -> tuple[Delivery, list[Attempt]]:
        """One delivery and every attempt made, oldest first."""
        return delivery.get_delivery(self._w.db, self._w.store_id(store), delivery_id)

    def retry(self, store: str, delivery_id: int) -> Delivery:
        """Send a dead or pending message again now, with a fresh schedule; a skipped one
        too once it may go (an address and the consent it needs now: Conflict says why not)."""
        return delivery.retry_delivery(self._w.db, self._w.clock(), self._w.store_id(store), delivery_id)

    def retry_dead(self, store: str) -> int:
        """Send every dead message of the store again, with a fresh schedule; how many."""
        return delivery.retry_dead(self._w.db, self._w.clock(), self._w.store_id(store))

    def list(
        self,
        store: str,
        status: str | None = None,
        channel: str | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        """Newest first; status pending, sent, skipped, dead, or failing (pending after a failure)."""
        with self._w.db.read() as tx:
            return tx.deliveries(self._w.store_id(store), status, channel, before_id, limit)


class Mailbox(Capability):
    def get(self, store: str, message_id: int) -> MailboxMessage:
        return delivery.get_mailbox_message(self._w.db, self._w.store_id(store), message_id)

    def list(
        self, store: str, channel: str | None = None, before_id: int | None = None, limit: int = 100
    ) -> list[MailboxMessage]:
        """Emails and texts kept locally, newest first."""
        with self._w.db.read() as tx:
            return tx.mailbox_messages(self._w.store_id(store), channel, before_id, limit)
