"""The worker that delivers the outbox, and what operators do with deliveries.

One delivery is three steps: claim (a lease, in its own transaction), send (no
transaction open), settle (the attempt and the outcome, in one transaction). A worker
killed between claim and send leaves the message to the next claim once the lease
runs out; killed between send and settle, the message goes out again with the same
id (webhook-id, Message-ID), which is the one duplicate a receiver can see and drop.
Messages kept in the local mailbox are written in the settling transaction itself,
so they are kept exactly once.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from milepost.adapters.channels.email import Email, SmtpSender, message_id_for
from milepost.adapters.channels.result import FAILED, GONE, RETRY, SENT, SendResult
from milepost.adapters.channels.sms import TwilioSender
from milepost.adapters.channels.webhook import WebhookSender
from milepost.config import Settings
from milepost.domain.delivery import Attempt, Delivery, Endpoint, MailboxMessage, OutboxMessage, next_attempt_at
from milepost.domain.records import Store
from milepost.domain.users import User
from milepost.errors import Conflict, NotFound
from milepost.service.inactivity import check_inactivity
from milepost.service.points import expire_points
from milepost.service.ports import Storage
from milepost.service.rendering import Rendered, TemplateProblem, render
from milepost.service.reports import customer_in
from milepost.service.templates import template_context

log = logging.getLogger("milepost.worker")

SKIPPED = "skipped"
MAILBOX = "mailbox"


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What settling must record: a channel's result, a skip, or a message kept locally."""

    result: SendResult
    mailbox: dict[str, Any] | None = None  # the mailbox row to keep, in the settling transaction
    endpoint_id: int | None = None  # the webhook endpoint it went to


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    """Claims due messages, sends them `settings.delivery_concurrency` at a time, settles them."""

    def __init__(
        self,
        db: Storage,
        settings: Settings,
        clock: Callable[[], datetime],
        name: str | None = None,
        store_ids: Sequence[int] | None = None,
    ) -> None:
        self.db, self.settings, self.clock = db, settings, clock
        self.store_ids = tuple(store_ids) if store_ids else None  # None: every store
        self.name = name or worker_name()
        self.concurrency = settings.delivery_concurrency
        self.email = SmtpSender.from_settings(settings)
        self.sms = TwilioSender.from_settings(settings, self.concurrency)
        self.webhooks = WebhookSender(settings.delivery_timeout, settings.webhooks_allow_private, self.concurrency)
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="milepost-delivery")
        self.delivered = 0  # messages this worker settled as sent (incl. the local mailbox)

    # -- the loop ------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Deliver until `stop` is set; an idle worker looks again every `delivery_poll` seconds
        (sooner when a retry comes due)."""
        log.info("worker %s started", self.name)
        swept = float("-inf")
        while not stop.is_set():
            if time.monotonic() - swept >= self.settings.inactivity_interval:
                swept = time.monotonic()
                self.sweep_inactivity()
            try:
                if self.run_once():
                    continue
                stop.wait(self._idle_wait())
            except Exception:  # the database away for a moment must not end the worker
                log.exception("worker %s: delivery round failed; trying again", self.name)
                stop.wait(self.settings.delivery_poll)
        log.info("worker %s stopped", self.name)

    def sweep_inactivity(self) -> None:
        """Fire the inactivity programs that came due (see service/inactivity.py) and expire
        the points that did (service/points.py)."""
        try:
            found = check_inactivity(self.db, self.clock(), list(self.store_ids) if self.store_ids else None)
            if found.fired:
                log.info("worker %s: inactivity programs fired %d milestones", self.name, found.fired)
        except Exception:  # the next sweep tries again; delivery goes on
            log.exception("worker %s: the inactivity sweep failed", self.name)
        try:
            expired = expire_points(self.db, self.clock(), list(self.store_ids) if self.store_ids else None)
            if expired.points:
                log.info("worker %s: %d points expired", self.name, expired.points)
        except Exception:
            log.exception("worker %s: the points expiry sweep failed", self.name)

    def run_once(self) -> int:
        """Claim one round of due messages and deliver them; the number claimed."""
        now = self.clock()
        lease_until = now + timedelta(seconds=self.settings.delivery_lease)
        with self.db.write() as tx:
            claimed = tx.claim_outbox(self.name, now, lease_until, self.concurrency * 4, self.store_ids)
        if claimed:
            endpoints = self._endpoints_of(claimed)
            list(self._pool.map(lambda message: self.deliver(message, endpoints), claimed))
        return len(claimed)

    def _endpoints_of(self, claimed: Sequence[OutboxMessage]) -> dict[int, Endpoint]:
        """The webhook endpoints a round sends to, read once for the round."""
        ids = {m.endpoint_id for m in claimed if m.channel == "webhook" and m.endpoint_id is not None}
        if not ids:
            return {}
        with self.db.read() as tx:
            return {e.id: e for e in tx.endpoints_by_id(ids)}

    def drain(self, timeout: float = 30.0) -> int:
        """Deliver until nothing is due now (tests, `milepost worker --once`); the number claimed."""
        deadline, total = time.monotonic() + timeout, 0
        while time.monotonic() < deadline:
            n = self.run_once()
            if not n:
                return total
            total += n
        return total

    def _idle_wait(self) -> float:
        with self.db.read() as tx:
            due = tx.next_due(self.store_ids)
        if due is None:
            return self.settings.delivery_poll
        return max(0.01, min(self.settings.delivery_poll, (due - self.clock()).total_seconds()))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for sender in (self.email, self.sms, self.webhooks):
            if sender is not None:
                sender.close()

    # -- one message ---------------------------------------------------------------------

    def deliver(self, message: OutboxMessage, endpoints: Mapping[int, Endpoint] | None = None) -> str:
        """Send one claimed message and settle it; the status it ends in."""
        started, t0 = self.clock(), time.perf_counter()
        try:
            outcome = self._send(message, endpoints or {})
        except Exception as exc:  # a bug or an outage in our own reads: retry on the schedule
            log.exception("worker %s: message %s failed before sending", self.name, message.key)
            outcome = _Outcome(SendResult(RETRY, error=f"internal error: {type(exc).__name__}: {exc}"))
        duration_ms = int((time.perf_counter() - t0) * 1000)
        return self._settle(message, started, duration_ms, outcome)

    def _send(self, message: OutboxMessage, endpoints: Mapping[int, Endpoint]) -> _Outcome:
        payload = orjson.loads(message.payload)
        if message.channel == "webhook":
            return self._webhook(message, payload, endpoints)
        with self.db.read() as tx:
            store = tx.store(message.store_id)
            if store is None:
                return _Outcome(SendResult(FAILED, error="the store no longer exists"))
            try:
                customer = customer_in(tx, store.id, payload["customer"]["id"], history=False)
            except NotFound:
                return _Outcome(SendResult(FAILED, error="the customer no longer exists"))
            if "agent_alert" in payload:
                found = tx.user_by_email(payload["agent_alert"]["assignee"])
                return self._agent_email(message, payload, store, customer, found[0] if found else None)
            credit = tx.firing_credit(store.id, customer.external_id, _firing_id(payload))
            points = tx.firing_points(store.id, customer.external_id, _firing_id(payload))
            code = tx.firing_code(store.id, customer.external_id, _firing_id(payload))
            template = tx.template(store.id, payload["template"]) if message.channel == "email" else None
        context = template_context(
            store,
            customer,
            {"name": payload["milestone"]["name"], "count": payload["milestone"]["count"]},
            {"id": payload.get("order_id") or "", "total": 0, "currency": store.currency},
            {"credit_amount": credit, "points": points, "coupon_code": code},  # what the same firing gave
        )
        if message.channel == "email":
            return self._email(message, payload, store, customer, context, template)
        if message.channel == "sms":
            return self._sms(message, payload, customer, context)
        return _Outcome(SendResult(FAILED, error=f"unknown channel {message.channel!r}"))

    def _email(
        self,
        message: OutboxMessage,
        payload: dict[str, Any],
        store: Store,
        customer: Any,
        context: Any,
        template: Mapping[str, Any] | None,
    ) -> _Outcome:
        if not customer.email:
            return _skip("the customer has no email address")
        if not customer.email_consent:
            return _skip("the customer has not consented to marketing email")
        if template is None:
            return _Outcome(SendResult(FAILED, error=f"the email template {payload['template']!r} no longer exists"))
        try:
            rendered = render(template, context)
        except TemplateProblem as exc:
            return _Outcome(SendResult(FAILED, error=f"the template does not render: {exc}"))
        return self._send_email(message, store, customer.email, customer.name, rendered)

    def _send_email(
        self, message: OutboxMessage, store: Store, address: str, name: str | None, rendered: Rendered
    ) -> _Outcome:
        """Through the SMTP server, or kept in the local mailbox when there is none."""
        sender_name = store.email_from_name or self.settings.email_from_name
        sender_address = store.email_from_address or self.settings.email_from_address
        email = Email(
            message_id=message_id_for(message.key, sender_address),
            sender_name=sender_name,
            sender_address=sender_address,
            recipient_address=address,
            recipient_name=name,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            headers={"X-Milepost-Delivery": message.key},
        )
        if self.email is None:
            return _Outcome(
                SendResult(SENT),
                mailbox={
                    "channel": "email",
                    "message_id": email.message_id,
                    "sender": f"{sender_name} <{sender_address}>",
                    "recipient": f"{name} <{address}>" if name else address,
                    "subject": email.subject,
                    "body_text": email.body_text,
                    "body_html": email.body_html,
                },
            )
        return _Outcome(self.email.send(email))

    def _agent_email(
        self, message: OutboxMessage, payload: dict[str, Any], store: Store, customer: Any, user: User | None
    ) -> _Outcome:
        """The internal email to the agent an alert names: what happened and where to act."""
        alert = payload["agent_alert"]
        if user is None or user.disabled_at is not None:
            return _skip(f"no active user has the email {alert['assignee']}")
        who = customer.name or customer.email or customer.external_id
        base = self.settings.public_url.rstrip("/")
        where = f"{base}/admin/{store.key}" if base else f"the admin UI's dashboard of {store.name}"
        text = (
            f"Hello {user.name},\n\n"
            f"An alert in {store.name} is yours:\n\n    {alert['message']}\n\n"
            f"Customer: {who} ({customer.external_id})\n"
            f"Milestone: {payload['milestone']['name']}\n\n"
            f"Acknowledge it when you are on it and resolve it when it is done: {where}\n"
        )
        rendered = Rendered(f"[{store.name}] Alert for you: {who}", text, None)
        return self._send_email(message, store, user.email, user.name, rendered)

    def _sms(self, message: OutboxMessage, payload: dict[str, Any], customer: Any, context: Any) -> _Outcome:
        if not customer.phone:
            return _skip("the customer has no phone number")
        if not customer.sms_consent:
            return _skip("the customer has not consented to text messages")
        try:
            text = render({"subject": "", "body_text": payload["text"]}, context).text
        except TemplateProblem as exc:
            return _Outcome(SendResult(FAILED, error=f"the text does not render: {exc}"))
        if self.sms is None:
            return _Outcome(
                SendResult(SENT),
                mailbox={
                    "channel": "sms",
                    "message_id": message.key,
                    "sender": self.settings.twilio_from_number or "sms",
                    "recipient": customer.phone,
                    "subject": None,
                    "body_text": text,
                    "body_html": None,
                },
            )
        return _Outcome(self.sms.send(customer.phone, text, message.key))

    def _webhook(self, message: OutboxMessage, payload: dict[str, Any], endpoints: Mapping[int, Endpoint]) -> _Outcome:
        url = payload.get("url")
        endpoint = endpoints.get(message.endpoint_id) if message.endpoint_id is not None else None
        if endpoint is None or endpoint.store_id != message.store_id:
            with self.db.read() as tx:
                if message.endpoint_id is not None:
                    endpoint = tx.endpoint(message.store_id, message.endpoint_id)
                else:
                    endpoint = tx.endpoint_by_url(message.store_id, url)
        if endpoint is None:
            target = f"the URL {url}" if url else "its endpoint"
            return _Outcome(SendResult(FAILED, error=f"no webhook endpoint is registered for {target}"))
        if not endpoint.enabled:
            reason = endpoint.disabled_reason or "disabled"
            return _Outcome(
                SendResult(FAILED, error=f"endpoint whe_{endpoint.id} is disabled: {reason}"), None, endpoint.id
            )
        now = self.clock()
        body = orjson.dumps(
            {"type": payload["type"], "timestamp": _iso(message.created_at), "data": payload["data"]}
        ).decode()
        result = self.webhooks.send(
            endpoint.url, message.key, body, endpoint.signing_secrets(now), int(now.timestamp())
        )
        return _Outcome(result, None, endpoint.id)

    # -- settling ----------------------------------------------------------------------------

    def _settle(self, message: OutboxMessage, started: datetime, duration_ms: int, outcome: _Outcome) -> str:
        result, now = outcome.result, self.clock()
        with self.db.write() as tx:
            attempt_outcome = SKIPPED if result.outcome == SKIPPED else result.outcome
            tx.record_attempt(message, self.name, started, duration_ms, attempt_outcome, result.code, result.error)
            if result.outcome == SENT:
                if outcome.mailbox is not None and tx.settle(message, self.name, now, "sent"):
                    tx.insert_mailbox(message, now, **outcome.mailbox)
                elif outcome.mailbox is None:
                    tx.settle(message, self.name, now, "sent", code=result.code)
                self.delivered += 1
                return "sent"
            if result.outcome == SKIPPED:
                tx.settle(message, self.name, now, "skipped", error=result.error)
                return "skipped"
            if result.outcome == RETRY:
                due = next_attempt_at(
                    now,
                    message.attempts + 1,
                    self.settings.delivery_schedule,
                    self.settings.delivery_jitter,
                    result.retry_after,
                )
                if due is not None:
                    tx.settle(
                        message, self.name, now, "pending", available_at=due, code=result.code, error=result.error
                    )
                    return "pending"
                why = f"failed {message.attempts + 1} times"
            elif result.outcome == GONE and outcome.endpoint_id is not None:
                why = "was refused for good"
                reason = f"answered 410 Gone on {_iso(now)}"
                if tx.disable_endpoint(message.store_id, outcome.endpoint_id, reason, now):
                    tx.raise_alert(
                        message.store_id,
                        f"Webhook endpoint whe_{outcome.endpoint_id} {reason} and was disabled; its pending "
                        "deliveries are parked as dead. Enable it again, then retry them.",
                        now,
                        dedupe_key=f"endpoint-gone:{outcome.endpoint_id}",
                    )
                tx.dead_for_endpoint(message.store_id, outcome.endpoint_id, f"endpoint disabled: {reason}", now)
            else:
                why = "was refused"
            if tx.settle(message, self.name, now, "dead", code=result.code, error=result.error):
                self._dead_letter_alert(tx, message, outcome, why, result, now)
            return "dead"

    def _dead_letter_alert(
        self, tx: Any, message: OutboxMessage, outcome: _Outcome, why: str, result: SendResult, now: datetime
    ) -> None:
        target = f"webhook to endpoint whe_{outcome.endpoint_id}" if outcome.endpoint_id else message.channel
        tx.raise_alert(
            message.store_id,
            f"Delivery dlv_{message.id} ({target}) {why}: {result.error or 'no reason given'}. "
            "Further failures of this kind are in the deliveries list; retry them there once fixed.",
            now,
            dedupe_key=f"delivery:{message.channel}:{outcome.endpoint_id or ''}",
            customer_id=message.customer_id,
            firing_id=message.firing_id,
        )


def _skip(reason: str) -> _Outcome:
    return _Outcome(SendResult(SKIPPED, error=reason))


def _firing_id(payload: dict[str, Any]) -> int:
    firing = payload["milestone"]["id"]
    return int(firing.removeprefix("mst_")) if isinstance(firing, str) else int(firing)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- what operators read and do ---------------------------------------------------------------


def list_deliveries(
    db: Storage,
    store_id: int,
    status: str | None = None,
    channel: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[Delivery]:
    with db.read() as tx:
        return tx.deliveries(store_id, status, channel, before_id, limit)


def customer_messages(db: Storage, store_id: int, customer_id: str, limit: int = 20) -> list[Delivery]:
    """The emails and texts milestones sent about the customer (to them, or to the agent an
    alert named), newest first."""
    with db.read() as tx:
        found = tx.customer(store_id, customer_id)
        if found is None:
            raise NotFound(f"no customer {customer_id!r} in this store")
        return tx.customer_messages(found[0].id, limit)  # type: ignore[no-any-return]


def get_delivery(db: Storage, store_id: int, delivery_id: int) -> tuple[Delivery, list[Attempt]]:
    with db.read() as tx:
        found = tx.delivery(store_id, delivery_id)
        if found is None:
            raise NotFound(f"no delivery {delivery_id} in this store")
        return found, tx.attempts_of(delivery_id)


def retry_delivery(db: Storage, now: datetime, store_id: int, delivery_id: int) -> Delivery:
    """Send a dead or pending (failing, or waiting) message again now, with a fresh schedule;
    not one a worker is sending at this moment."""
    with db.write() as tx:
        found = tx.delivery(store_id, delivery_id)
        if found is None:
            raise NotFound(f"no delivery {delivery_id} in this store")
        if found.status not in ("dead", "pending"):
            raise Conflict(f"delivery {delivery_id} is {found.status}; only dead or pending ones can be retried")
        if not tx.requeue(store_id, [delivery_id], ("dead", "pending"), now):
            raise Conflict(f"delivery {delivery_id} is being sent right now; see how it went before retrying it")
        return tx.delivery(store_id, delivery_id)


def retry_dead(db: Storage, now: datetime, store_id: int) -> int:
    """Send every dead message of the store again, with a fresh schedule; how many."""
    with db.write() as tx:
        return tx.requeue(store_id, None, ("dead",), now)


def list_mailbox(
    db: Storage, store_id: int, channel: str | None = None, before_id: int | None = None, limit: int = 100
) -> list[MailboxMessage]:
    with db.read() as tx:
        return tx.mailbox_messages(store_id, channel, before_id, limit)


def get_mailbox_message(db: Storage, store_id: int, message_id: int) -> MailboxMessage:
    with db.read() as tx:
        found = tx.mailbox_message(store_id, message_id)
    if found is None:
        raise NotFound(f"no message {message_id} in this store's mailbox")
    return found
