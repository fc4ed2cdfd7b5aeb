"""The relay's worker: claim due messages, send them a few at a time, settle each.

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
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import orjson

from milepost.config import Settings
from milepost.domain.delivery import Endpoint, OutboxMessage
from milepost.relay.messages import Messages
from milepost.relay.outcome import Outcome, decide
from milepost.relay.ports import RETRY, Channels, EmailChannel, SendResult, SmsChannel
from milepost.relay.settle import settle
from milepost.relay.webhooks import send_webhook
from milepost.service.ports import Storage

if TYPE_CHECKING:
    from milepost.scheduler import Scheduler

log = logging.getLogger("milepost.worker")


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    """Claims due messages, sends them `settings.delivery_concurrency` at a time, settles them.
    Between rounds it runs the `scheduler`'s sweeps that came due, when it is given one."""

    def __init__(
        self,
        db: Storage,
        settings: Settings,
        clock: Callable[[], datetime],
        channels: Channels,
        name: str | None = None,
        store_ids: Sequence[int] | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.db, self.settings, self.clock, self.channels = db, settings, clock, channels
        self.store_ids = tuple(store_ids) if store_ids else None  # None: every store
        self.name = name or worker_name()
        self.scheduler = scheduler
        self.concurrency = settings.delivery_concurrency
        self.messages = Messages(db, settings, channels, clock)
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="milepost-delivery")
        self.delivered = 0  # messages this worker settled as sent (incl. the local mailbox)

    @property
    def email(self) -> EmailChannel | None:
        return self.channels.email

    @property
    def sms(self) -> SmsChannel | None:
        return self.channels.sms

    # -- the loop ------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Deliver until `stop` is set; an idle worker looks again every `delivery_poll` seconds
        (sooner when a retry comes due)."""
        log.info("worker %s started", self.name)
        while not stop.is_set():
            if self.scheduler is not None:
                self.scheduler.run_due()
            try:
                if self.run_once():
                    continue
                stop.wait(self._idle_wait())
            except Exception:  # the database away for a moment must not end the worker
                log.exception("worker %s: delivery round failed; trying again", self.name)
                stop.wait(self.settings.delivery_poll)
        log.info("worker %s stopped", self.name)

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
            due: datetime | None = tx.next_due(self.store_ids)
        if due is None:
            return self.settings.delivery_poll
        return max(0.01, min(self.settings.delivery_poll, (due - self.clock()).total_seconds()))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.channels.close()

    # -- one message ---------------------------------------------------------------------

    def deliver(self, message: OutboxMessage, endpoints: Mapping[int, Endpoint] | None = None) -> str:
        """Send one claimed message and settle it; the status it ends in."""
        started, t0 = self.clock(), time.perf_counter()
        try:
            outcome = self._send(message, endpoints or {})
        except Exception as exc:  # a bug or an outage in our own reads: retry on the schedule
            log.exception("worker %s: message %s failed before sending", self.name, message.key)
            outcome = Outcome(SendResult(RETRY, error=f"internal error: {type(exc).__name__}: {exc}"))
        duration_ms = int((time.perf_counter() - t0) * 1000)
        return self._settle(message, started, duration_ms, outcome)

    def _send(self, message: OutboxMessage, endpoints: Mapping[int, Endpoint]) -> Outcome:
        payload = orjson.loads(message.payload)
        if message.channel == "webhook":
            return send_webhook(self.db, self.channels.webhooks, self.clock, message, payload, endpoints)
        return self.messages.send(message, payload)

    def _settle(self, message: OutboxMessage, started: datetime, duration_ms: int, outcome: Outcome) -> str:
        result, now = outcome.result, self.clock()
        schedule, jitter = self.settings.delivery_schedule, self.settings.delivery_jitter
        verdict = decide(outcome, message.attempts + 1, now, schedule, jitter)
        with self.db.write() as tx:
            tx.record_attempt(message, self.name, started, duration_ms, result.outcome, result.code, result.error)
            settle(tx, self.name, message, outcome, verdict, now)
        if verdict.status == "sent":
            self.delivered += 1
        return verdict.status
