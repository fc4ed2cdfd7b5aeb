"""What operators read and do with deliveries: list and inspect them, retry the dead or
failing ones and the skipped ones that may go now, read the local mailbox. The sending
itself is the relay's (milepost.relay)."""

from __future__ import annotations

import json
from datetime import datetime

from milepost.domain.consent import agent_blocked, email_blocked, sms_blocked
from milepost.domain.delivery import Attempt, Delivery, MailboxMessage
from milepost.domain.ids import format_id
from milepost.errors import Conflict, NotFound
from milepost.service.existing import existing, find_customer
from milepost.service.ports import Storage, Tx
from milepost.service.ports.delivery import DeliveryTx
from milepost.service.reports import customer_in


def customer_messages(db: Storage, store_id: int, customer_id: str, limit: int = 20) -> list[Delivery]:
    """The emails and texts milestones sent about the customer (to them, or to the agent an
    alert named), newest first."""
    with db.read() as tx:
        return tx.customer_messages(find_customer(tx, store_id, customer_id).id, limit)


def get_delivery(db: Storage, store_id: int, delivery_id: int) -> tuple[Delivery, list[Attempt]]:
    with db.read() as tx:
        return _delivery(tx, store_id, delivery_id), tx.attempts_of(delivery_id)


def retry_delivery(db: Storage, now: datetime, store_id: int, delivery_id: int) -> Delivery:
    """Send a dead or pending (failing, or waiting) message again now, with a fresh schedule;
    not one a worker is sending at this moment. A skipped one too, once it may go: the
    customer has an address and the consent it needs now (the same row: sent once at most)."""
    with db.write() as tx:
        found, shown = _delivery(tx, store_id, delivery_id), format_id("delivery", delivery_id)
        if found.status not in ("dead", "pending", "skipped"):
            raise Conflict(f"delivery {shown} is {found.status}; only dead, pending or skipped ones can be retried")
        if found.status == "skipped":
            blocked = _blocked(tx, store_id, found)
            if blocked:
                raise Conflict(f"delivery {shown} still cannot be sent: {blocked}")
        statuses = ("skipped",) if found.status == "skipped" else ("dead", "pending")
        if not tx.requeue(store_id, [delivery_id], statuses, now):
            raise Conflict(f"delivery {shown} is being sent right now; see how it went before retrying it")
        changed = tx.delivery(store_id, delivery_id)
    assert changed is not None  # read back in the transaction that changed it
    return changed


def _delivery(tx: DeliveryTx, store_id: int, delivery_id: int) -> Delivery:
    missing = f"no delivery {format_id('delivery', delivery_id)} in this store"
    return existing(tx.delivery(store_id, delivery_id), missing)


def _blocked(tx: Tx, store_id: int, d: Delivery) -> str | None:
    """Why a skipped message still may not go, by the relay's rules (domain/consent.py)."""
    payload = json.loads(d.payload)
    if "agent_alert" in payload:
        assignee = payload["agent_alert"]["assignee"]
        found = tx.user_by_email(assignee)
        return agent_blocked(assignee, found[0] if found else None)
    if d.channel not in ("email", "sms") or d.customer_id is None:
        return None
    store = existing(tx.store(store_id), f"no store {store_id}")
    try:
        customer = customer_in(tx, store_id, d.customer_id, history=False)
    except NotFound:
        return "the customer no longer exists"
    return email_blocked(customer, store.milestone_emails) if d.channel == "email" else sms_blocked(customer)


def retry_dead(db: Storage, now: datetime, store_id: int) -> int:
    """Send every dead message of the store again, with a fresh schedule; how many."""
    with db.write() as tx:
        return tx.requeue(store_id, None, ("dead",), now)


def get_mailbox_message(db: Storage, store_id: int, message_id: int) -> MailboxMessage:
    with db.read() as tx:
        return existing(
            tx.mailbox_message(store_id, message_id),
            f"no message {format_id('mailbox_message', message_id)} in this store's mailbox",
        )
