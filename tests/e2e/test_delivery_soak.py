"""SIGKILL soak: `milepost worker` processes killed at random moments lose nothing.

2,000 deliveries (1,000 emails over real SMTP, 1,000 signed webhooks to a real HTTP
receiver) are worked on by 20 worker processes in turn, each killed with SIGKILL
0.1-0.6 s after it started delivering (seeded), then a last worker finishes the outbox
and stops on SIGTERM. The lease is 2 s, so a killed worker's claims come back soon.

Right after each kill, the rows the dead worker still held (pending under its name)
are what it had in flight, and those of them the receivers already got are the ones
it sent but never recorded: the only messages that may reach a receiver twice. At the
end every row must be sent with exactly one recorded `sent` attempt, every key must
have arrived, and every duplicate must be one of those, a byte-identical copy with the
same webhook-id / Message-ID. Run with -s to see the figures.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from milepost import Milepost, connect
from milepost.config import Settings
from milepost.relay.message_ids import message_id_for
from support.receiver import Received, Receiver
from support.smtp import SmtpSink

CLI = [sys.executable, "-m", "milepost.entrypoints.cli"]
CUSTOMERS = 1_000
KILLS = 20
CONCURRENCY = 8
LEASE = 2.0
SEED = 20260301
SENDER = "milepost@localhost"  # Settings.email_from_address; the store sets none
STARTUP_TIMEOUT = 60.0
FINISH_TIMEOUT = 120.0


@dataclass(frozen=True)
class Kill:
    """What one SIGKILL interrupted."""

    ran: float  # seconds the worker delivered before the kill
    received: int  # messages the receivers got while it lived
    in_flight: int  # rows it had claimed and not settled
    unrecorded: frozenset[str]  # keys it sent but did not record: the allowed duplicates
    pending: int  # rows still pending afterwards


class Soak:
    """The store, the receivers and the worker processes of one run."""

    def __init__(self, url: str, store: str, smtp: SmtpSink, receiver: Receiver, logs: Path) -> None:
        self.mp: Milepost = connect(url, settings=Settings(webhooks_allow_private=True))
        self.store, self.smtp, self.receiver, self.logs = store, smtp, receiver, logs
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MILEPOST_")}
        self.env.update(
            PYTHONUNBUFFERED="1",  # the start-up line must reach the log file at once
            MILEPOST_DATABASE_URL=url,
            MILEPOST_SMTP_HOST="127.0.0.1",
            MILEPOST_SMTP_PORT=str(smtp.port),
            MILEPOST_SMTP_SECURITY="none",
            MILEPOST_WEBHOOKS_ALLOW_PRIVATE="true",
            MILEPOST_DELIVERY_LEASE=str(LEASE),
            MILEPOST_DELIVERY_CONCURRENCY=str(CONCURRENCY),
            MILEPOST_DELIVERY_POLL="0.1",
            MILEPOST_DELIVERY_JITTER="0",
        )
        self.procs: list[subprocess.Popen[bytes]] = []

    # -- setup ---------------------------------------------------------------------------------

    def fill_outbox(self) -> None:
        """1,000 consenting customers, each with a first order that fires an email and a webhook."""
        mp = self.mp
        mp.stores.create(self.store, "Soak shop", currency="USD", timezone="UTC")
        mp.templates.save(self.store, "t", subject="Hi {{ customer.name }}", body_text="Order number one, thank you.")
        actions = [{"type": "send_email", "template": "t"}, {"type": "webhook", "url": f"{self.receiver.url}/hooks"}]
        mp.order_count_events.create(self.store, count=1, name="First", actions=actions)
        customers = [
            {
                "id": f"cust-{i}",
                "type": "customer.created",
                "customer_id": f"c{i}",
                "email": f"c{i}@example.com",
                "name": f"Customer {i}",
                "email_consent": True,
            }
            for i in range(CUSTOMERS)
        ]
        orders = [
            {
                "id": f"paid-{i}",
                "type": "order.paid",
                "customer_id": f"c{i}",
                "order_id": f"o{i}",
                "total": 1000,
                "currency": "USD",
            }
            for i in range(CUSTOMERS)
        ]
        for batch in (customers, orders):
            result = mp.ingest(self.store, batch)
            assert result.accepted == CUSTOMERS, result.rejected[:3]

    # -- workers ---------------------------------------------------------------------------------

    def start(self, name: str) -> subprocess.Popen[bytes]:
        """A worker process on the store, once it has said it started (imports and connecting take
        a second or so, which must not eat the time it is given to deliver)."""
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [*CLI, "worker", "--name", name, "--store", self.store],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
            )
        self.procs.append(proc)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while b"worker " not in log.read_bytes():
            assert proc.poll() is None, f"worker {name} exited with {proc.returncode}:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"worker {name} did not start:\n{log.read_text()}"
            time.sleep(0.02)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)

    # -- what the receivers got and the database holds --------------------------------------------

    def received(self) -> int:
        return len(self.receiver.requests) + len(self.smtp.messages)

    def quiet_receivers(self) -> int:
        """The receivers' count once it stops moving: a request a dead worker wrote out in full
        may still be read by the server a moment after the kill."""
        last = self.received()
        while True:
            time.sleep(0.15)
            now = self.received()
            if now == last:
                return now
            last = now

    def received_keys(self) -> set[str]:
        webhooks = {r.headers["webhook-id"] for r in self.receiver.requests}
        return webhooks | {m["X-Milepost-Delivery"] for m in self.smtp.messages}

    def pending(self, worker: str | None = None) -> set[str]:
        """Keys of the pending rows (held by `worker`, if given)."""
        query = "SELECT key FROM outbox WHERE store_id = :store AND status = 'pending'"
        params: dict[str, object] = {"store": self.mp.stores.get(self.store).id}
        if worker is not None:
            query += " AND lease_owner = :worker"
            params["worker"] = worker
        with self.mp.db.engine.connect() as conn:
            return set(conn.execute(sa.text(query), params).scalars())

    def sent_attempts(self) -> dict[str, int]:
        """Recorded `sent` attempts per key."""
        query = (
            "SELECT o.key, count(a.id) FROM outbox o LEFT JOIN delivery_attempts a "
            "ON a.outbox_id = o.id AND a.outcome = 'sent' WHERE o.store_id = :store GROUP BY o.key"
        )
        with self.mp.db.engine.connect() as conn:
            return {k: n for k, n in conn.execute(sa.text(query), {"store": self.mp.stores.get(self.store).id})}


@pytest.fixture(
    params=[
        pytest.param("postgres_url", marks=pytest.mark.postgres, id="postgresql"),
        pytest.param("sqlite_url", id="sqlite"),
    ]
)
def soak_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(request.param)


@pytest.fixture
def soak(soak_url: str, tmp_path: Path) -> Iterator[Soak]:
    with SmtpSink() as smtp, Receiver() as receiver:
        run = Soak(soak_url, f"soak-{os.urandom(6).hex()}", smtp, receiver, tmp_path)
        try:
            yield run
        finally:
            run.stop_all()
            run.mp.close()


@pytest.mark.slow
def test_workers_killed_at_random_lose_nothing_and_repeat_only_what_they_sent_unrecorded(soak: Soak) -> None:
    # Given 2,000 outbox rows: an email and a webhook for each of 1,000 customers
    soak.fill_outbox()
    deliveries = soak.mp.deliveries.list(soak.store, limit=10 * CUSTOMERS)
    assert len(deliveries) == 2 * CUSTOMERS and {d.status for d in deliveries} == {"pending"}
    total = len(deliveries)

    # When 20 workers in turn are killed with SIGKILL 0.1-0.6 s into their work
    rng = random.Random(SEED)
    kills: list[Kill] = []
    for i in range(KILLS):
        name = f"soak-{i:02d}"
        before = soak.received()
        proc = soak.start(name)
        ran = rng.uniform(0.1, 0.6)
        time.sleep(ran)
        soak.kill(proc)
        after = soak.quiet_receivers()
        held = soak.pending(name)
        unrecorded = frozenset(held & soak.received_keys())
        kills.append(Kill(ran, after - before, len(held), unrecorded, len(soak.pending())))

    # Then a last worker finishes the outbox and stops cleanly on SIGTERM
    last = soak.start("soak-last")
    deadline = time.monotonic() + FINISH_TIMEOUT
    while soak.pending():
        assert time.monotonic() < deadline, f"{len(soak.pending())} rows still pending after {FINISH_TIMEOUT:.0f} s"
        time.sleep(0.2)
    last.send_signal(signal.SIGTERM)
    assert last.wait(timeout=30) == 0, (soak.logs / "soak-last.log").read_text()
    assert "stopped after delivering" in (soak.logs / "soak-last.log").read_text()
    soak.quiet_receivers()

    webhooks, emails = by_key(soak.receiver.requests, soak.smtp.messages)
    allowed = frozenset().union(*(k.unrecorded for k in kills))
    copies = {**{k: len(v) for k, v in webhooks.items()}, **{k: len(v) for k, v in emails.items()}}
    duplicated = {k for k, n in copies.items() if n > 1}
    extra = sum(n - 1 for n in copies.values())
    interrupted = sum(1 for k in kills if k.in_flight and k.received)  # delivering, with work unfinished
    figures = (
        f"received {sum(copies.values())} messages for {total} deliveries "
        f"({sum(map(len, webhooks.values()))} webhooks, {sum(map(len, emails.values()))} emails); "
        f"{extra} duplicate copies of {len(duplicated)} keys; {interrupted}/{KILLS} kills interrupted work "
        f"({sum(k.in_flight for k in kills)} rows in flight, {len(allowed)} sent but unrecorded); "
        f"pending after the last kill: {kills[-1].pending}"
    )
    print(f"\nsoak: {figures}")
    for i, k in enumerate(kills):
        print(
            f"  kill {i:2d} after {k.ran:.2f} s: received {k.received:4d}, in flight {k.in_flight:2d}, "
            f"sent unrecorded {len(k.unrecorded)}, pending {k.pending}"
        )

    # The kills fell on real work, before everything was delivered
    assert interrupted >= KILLS * 3 // 4, figures
    assert kills[-1].pending > 0, f"everything was delivered before the last kill: {figures}"

    # Nothing lost: every row sent, with exactly one recorded sent attempt, and every key received
    final = soak.mp.deliveries.list(soak.store, limit=10 * CUSTOMERS)
    assert {d.status for d in final} == {"sent"}, figures
    assert set(soak.sent_attempts().values()) == {1}, figures
    webhook_keys = {d.key for d in final if d.channel == "webhook"}
    email_keys = {d.key for d in final if d.channel == "email"}
    assert set(webhooks) == webhook_keys, figures
    assert {m["Message-ID"] for m in soak.smtp.messages} == {message_id_for(k, SENDER) for k in email_keys}, figures

    # Duplicates only where a kill fell between send and record, as identical copies with the same id
    assert duplicated <= allowed, f"{sorted(duplicated - allowed)[:5]} arrived twice unexplained; {figures}"
    assert extra <= KILLS * CONCURRENCY, figures
    secret = soak.mp.webhooks.secret(soak.store, soak.mp.webhooks.list(soak.store)[0].id)
    for key, requests in webhooks.items():
        assert len({r.body for r in requests}) == 1, f"webhook {key} arrived with different bodies; {figures}"
        for request in requests:
            Webhook(secret).verify(request.body, request.headers)  # timestamp and signature may differ per copy
    for key, messages in emails.items():
        assert {m["Message-ID"] for m in messages} == {message_id_for(key, SENDER)}, figures
        contents = {(m["Subject"], m.get_body(("plain",)).get_content()) for m in messages}
        assert len(contents) == 1, f"email {key} arrived with different contents; {figures}"


def by_key(
    requests: list[Received], messages: list[EmailMessage]
) -> tuple[dict[str, list[Received]], dict[str, list[EmailMessage]]]:
    """Every copy received, by delivery key (webhook-id; X-Milepost-Delivery for emails)."""
    webhooks: dict[str, list[Received]] = defaultdict(list)
    for request in requests:
        webhooks[request.headers["webhook-id"]].append(request)
    emails: dict[str, list[EmailMessage]] = defaultdict(list)
    for message in messages:
        emails[message["X-Milepost-Delivery"]].append(message)
    return webhooks, emails
