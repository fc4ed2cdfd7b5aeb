"""Delivery throughput: `milepost worker` processes against local receivers, beside bare loops.

    python3 benchmarks/delivery.py                         # 5,000 messages per run on PostgreSQL
    python3 benchmarks/delivery.py --quick                 # 300 messages: a smoke run
    python3 benchmarks/delivery.py --messages 20000 --workers 1 2 4
    python3 benchmarks/delivery.py --backend sqlite        # the embedded store (or `both`)

Runs, each on a fresh database (`--backend`, default postgresql: a schema with a random
name, dropped at the end; sqlite: a file in a temporary directory):

- webhooks, N workers for each N of `--workers` (default 1 and 4): `--messages`
  customers whose first order fires a rule with one webhook action, so one signed
  webhook each, to an HTTP receiver (ThreadingHTTPServer, answers 204), sent by N
  `milepost worker` processes of `--concurrency` (8) threads each;
- emails, 1 worker: the same with a send_email action, to an SMTP server (aiosmtpd),
  plain SMTP;
- bare loops, to the same receivers, no database: httpx POSTing as many webhooks
  (the bodies the workers sent, signed the same way) from `--concurrency` threads of
  one process, and smtplib sending as many emails from as many threads. They are the
  ceiling of client library, receiver and machine that a worker's figure reads against.

The receivers run in processes of their own (multiprocessing), so that they share no
GIL with what is measured; each counts what it gets, and that count is printed beside
the rows the database shows sent. The outbox is filled (not timed) with every row held
back a day; once every worker has started and is polling (every 0.1 s), the clock starts
and one UPDATE makes them all due; it stops when the database shows no pending
row. The workers' latencies are per attempt, from delivery_attempts.duration_ms (the
worker's reads, rendering and the send; not the settling transaction); the bare loops'
are per request or message. CPU is that of the workers' and the receiver's processes
over the timed window, as a share of one core. The script exits 1 if a row is not
sent, a receiver's count differs from the messages sent, or a worker does not stop
cleanly on SIGTERM.
"""
# ruff: noqa: E402 - milepost is found in the checkout before the rest is imported

from __future__ import annotations

import http.server
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
try:
    import milepost  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.append(str(_HERE.parent / "src"))

import argparse
import json
import multiprocessing
import os
import re
import signal
import smtplib
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from math import ceil
from typing import Any

import httpx
import orjson
from harness import Backend, databases, opened
from http_load import free_port, server_env
from sqlalchemy import Connection, func, select, update

from milepost import Milepost
from milepost.adapters.channels.signing import signed_headers
from milepost.adapters.storage import tables as t
from milepost.config import Settings
from milepost.relay.message_ids import message_id_for

HOST = "127.0.0.1"
STORE = "bench"
TEMPLATE = "milestone"
SENDER = "milepost@localhost"  # Settings.email_from_address; the store sets none
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
QUICK_MESSAGES = 300
STARTUP_TIMEOUT = 60.0
RUN_TIMEOUT = 600.0
INGEST_BATCH = 1_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--messages", type=int, default=5_000, help="messages per run")
    p.add_argument("--quick", action="store_true", help=f"a smoke run: {QUICK_MESSAGES} messages per run")
    p.add_argument(
        "--workers", type=int, nargs="+", default=[1, 4], help="worker processes for the webhook runs (1 and 4)"
    )
    p.add_argument("--concurrency", type=int, default=8, help="sends at once per worker, and bare-loop threads")
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="postgresql")
    p.add_argument("--postgres-url", default=DEFAULT_PG)
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    args = p.parse_args(argv)
    if args.quick:
        args.messages = QUICK_MESSAGES
    if min(args.messages, args.concurrency, *args.workers) < 1:
        p.error("--messages, --concurrency and --workers must be at least 1")
    return args


# -- receivers, in processes of their own ---------------------------------------------------------


@dataclass(frozen=True)
class Receiver:
    port: int
    pid: int
    count: Any  # a multiprocessing Value: messages received so far

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def received(self) -> int:
        return self.count.value


@contextmanager
def receiving(kind: str) -> Iterator[Receiver]:
    """An HTTP (`kind` "http") or SMTP receiver process until the block ends."""
    ctx = multiprocessing.get_context("spawn")
    count, ready, stop = ctx.Value("q", 0), ctx.Queue(), ctx.Event()
    target = _serve_http if kind == "http" else _serve_smtp
    proc = ctx.Process(target=target, args=(count, ready, stop), daemon=True)
    proc.start()
    try:
        yield Receiver(ready.get(timeout=STARTUP_TIMEOUT), proc.pid, count)
    finally:
        stop.set()
        proc.join(10)
        if proc.is_alive():
            proc.terminate()
            proc.join()


def _serve_http(count: Any, ready: Any, stop: Any) -> None:
    """Answers every POST 204 after reading it, over keep-alive connections, and counts it."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            with count.get_lock():
                count.value += 1
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024  # the default 5 drops the SYNs of a burst of new connections

    server = Server((HOST, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.put(server.server_address[1])
    stop.wait()
    server.shutdown()
    server.server_close()


def _serve_smtp(count: Any, ready: Any, stop: Any) -> None:
    """Accepts every message (aiosmtpd, plain SMTP) and counts it."""
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with count.get_lock():
                count.value += 1
            return "250 OK"

    port = free_port()
    controller = Controller(Counting(), hostname=HOST, port=port)
    controller.start()
    ready.put(port)
    stop.wait()
    controller.stop()


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds the processes have used so far (Linux; 0 elsewhere)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return total


# -- one measured run ------------------------------------------------------------------------------


@dataclass
class Measure:
    """One row of the table."""

    label: str
    channel: str  # webhook | email
    messages: int
    seconds: float
    latencies_ms: list[float]
    received: int  # the receiver's own count
    sent: int | None = None  # rows the database shows sent (None: a bare loop)
    worker_cpu: float = 0.0  # CPU seconds of the workers (bare loop: of this process)
    receiver_cpu: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest rank, in ms."""
        ordered = sorted(self.latencies_ms)
        return ordered[max(ceil(p / 100 * len(ordered)) - 1, 0)] if ordered else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "seconds": round(self.seconds, 3),
            "deliveries_per_s": round(self.rate, 1),
            "received": self.received,
            "sent_in_db": self.sent,
            **{f"p{p}_ms": round(self.percentile(p), 2) for p in (50, 95, 99)},
            "worker_cpu_share": round(self.worker_cpu / self.seconds, 3) if self.seconds else 0.0,
            "receiver_cpu_share": round(self.receiver_cpu / self.seconds, 3) if self.seconds else 0.0,
            "problems": self.problems,
        }


@dataclass(frozen=True)
class Database:
    """One run's database (SQLite file or PostgreSQL schema), read and written through
    Milepost's own engine, so its connection settings and column types apply."""

    url: str
    schema: str | None
    mp: Milepost

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.mp.db.engine.connect() as conn:
            yield conn.execution_options(milepost_mode="read")

    def outbox(self, status: str) -> int:
        """How many outbox rows have `status`."""
        with self.reading() as conn:
            query = select(func.count()).select_from(t.outbox).where(t.outbox.c.status == status)
            return conn.execute(query).scalar_one()

    def due_at(self, moment: datetime) -> int:
        """Every outbox row made due at `moment`; how many rows there are."""
        with self.mp.db.engine.begin() as conn:
            return conn.execute(update(t.outbox).values(available_at=moment)).rowcount


@contextmanager
def database(backend: Backend, run: str) -> Iterator[Database]:
    """The fresh database `run` of `backend`, open until the block ends."""
    url, schema = backend.locate(run)
    with opened(url, schema) as mp:
        yield Database(url, schema, mp)


def fill_outbox(db: Database, action: dict[str, Any], messages: int) -> None:
    """A store whose first-order rule has `action`, and `messages` customers with one paid order
    each: `messages` outbox rows, held back a day so that no worker takes one before the clock."""
    mp = db.mp
    settings = mp.settings
    mp.settings = Settings(webhooks_allow_private=True)
    try:
        mp.stores.create(STORE, "Benchmark store", currency="USD")
        mp.templates.save(
            STORE, TEMPLATE, subject="Hi {{ customer.name }}", body_text="Thank you for your first order!"
        )
        mp.order_count_events.create(STORE, count=1, name="First order", actions=[action])
        events = [
            {
                "id": f"cust-{i}",
                "type": "customer.created",
                "customer_id": f"c{i}",
                "email": f"c{i}@example.com",
                "name": f"Customer {i}",
                "email_consent": True,
            }
            for i in range(messages)
        ] + [
            {
                "id": f"paid-{i}",
                "type": "order.paid",
                "customer_id": f"c{i}",
                "order_id": f"o{i}",
                "total": 4200,
                "currency": "USD",
            }
            for i in range(messages)
        ]
        for i in range(0, len(events), INGEST_BATCH):
            result = mp.ingest(STORE, events[i : i + INGEST_BATCH])
            if result.rejected:
                raise RuntimeError(f"the benchmark's events were rejected: {result.rejected[:3]}")
    finally:
        mp.settings = settings
    held = db.due_at(datetime.now(UTC) + timedelta(days=1))
    if held != messages:
        raise RuntimeError(f"expected {messages} outbox rows, found {held}")


def worker_env(db: Database, concurrency: int, smtp_port: int | None) -> dict[str, str]:
    env = server_env(db.url, db.schema)
    env.update(
        PYTHONUNBUFFERED="1",  # the start-up line reaches the log at once
        MILEPOST_WEBHOOKS_ALLOW_PRIVATE="true",
        MILEPOST_DELIVERY_CONCURRENCY=str(concurrency),
        MILEPOST_DELIVERY_POLL="0.1",
    )
    if smtp_port is not None:
        env.update(MILEPOST_SMTP_HOST=HOST, MILEPOST_SMTP_PORT=str(smtp_port), MILEPOST_SMTP_SECURITY="none")
    return env


@contextmanager
def workers(count: int, env: dict[str, str], logs: Path, run: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` `milepost worker` processes, yielded once each has started; killed if the block fails."""
    command = [sys.executable, "-m", "milepost.entrypoints.cli", "worker", "--store", STORE]
    paths = [logs / f"{run}-{i}.log" for i in range(count)]
    procs = []
    for i, path in enumerate(paths):
        with path.open("wb") as out:
            procs.append(
                subprocess.Popen([*command, "--name", f"{run}-{i}"], stdout=out, stderr=subprocess.STDOUT, env=env)
            )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        for proc, path in zip(procs, paths, strict=True):
            while b"worker " not in path.read_bytes():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"a worker did not start:\n{path.read_text()[-3000:]}")
                time.sleep(0.02)
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def stop_workers(procs: list[subprocess.Popen[bytes]], logs: Path, run: str) -> list[str]:
    """SIGTERM each worker; problems if one does not exit 0 in 30 s."""
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    found = []
    for i, proc in enumerate(procs):
        try:
            code = proc.wait(30)
        except subprocess.TimeoutExpired:
            code = None
        if code != 0:
            tail = (logs / f"{run}-{i}.log").read_text()[-500:]
            found.append(f"{run}: worker {i} exited with {code} on SIGTERM: {tail}")
    return found


def run_workers(
    label: str,
    channel: str,
    db: Database,
    receiver: Receiver,
    count: int,
    env: dict[str, str],
    messages: int,
    logs: Path,
) -> Measure:
    """Start the workers, release the outbox, time until the database shows every row sent."""
    run = re.sub(r"\W+", "_", label).strip("_")
    say(f"{label}...")
    with workers(count, env, logs, run) as procs:
        pids = [p.pid for p in procs]
        before_received, cpu, receiver_cpu = receiver.received(), cpu_seconds(pids), cpu_seconds([receiver.pid])
        start = time.perf_counter()
        db.due_at(datetime.now(UTC))
        deadline = start + RUN_TIMEOUT
        while db.outbox("pending"):
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{label}: rows still pending after {RUN_TIMEOUT:.0f} s")
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        cpu, receiver_cpu = cpu_seconds(pids) - cpu, cpu_seconds([receiver.pid]) - receiver_cpu
        problems = stop_workers(procs, logs, run)
    sent = db.outbox("sent")
    with db.reading() as conn:
        latencies = list(conn.execute(select(t.delivery_attempts.c.duration_ms)).scalars())
    received = receiver.received() - before_received
    if sent != messages:
        problems.append(f"{label}: {sent:,} of {messages:,} rows sent")
    if received != sent:
        problems.append(f"{label}: the receiver got {received:,} messages for {sent:,} rows sent")
    return Measure(label, channel, messages, seconds, latencies, received, sent, cpu, receiver_cpu, problems)


# -- the bare loops ----------------------------------------------------------------------------------


def bare(
    label: str, channel: str, receiver: Receiver, send: Callable[[int], None], messages: int, concurrency: int
) -> Measure:
    """`send(i)` for every message from `concurrency` threads, timed, each send's latency kept."""
    say(f"{label}...")

    def timed(i: int) -> float:
        t0 = time.perf_counter()
        send(i)
        return (time.perf_counter() - t0) * 1000

    before_received, receiver_cpu, cpu = receiver.received(), cpu_seconds([receiver.pid]), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        start = time.perf_counter()
        latencies = list(pool.map(timed, range(messages)))
        seconds = time.perf_counter() - start
    received = receiver.received() - before_received
    measure = Measure(label, channel, messages, seconds, latencies, received)
    measure.worker_cpu, measure.receiver_cpu = time.process_time() - cpu, cpu_seconds([receiver.pid]) - receiver_cpu
    if received != messages:
        measure.problems.append(f"{label}: the receiver got {received:,} of {messages:,} messages")
    return measure


def webhook_bodies(db: Database) -> tuple[list[tuple[str, str]], str]:
    """The (webhook-id, body) of every webhook the workers sent, built as the worker builds them,
    and the endpoint's signing secret."""
    ob = t.outbox.c
    with db.reading() as conn:
        rows = conn.execute(select(ob.key, ob.payload, ob.created_at).order_by(ob.id)).all()
        raw = conn.execute(select(t.webhook_endpoints.c.secrets)).scalar_one()
    bodies = []
    for key, payload, created_at in rows:
        data = orjson.loads(payload)
        stamp = created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        bodies.append((key, orjson.dumps({"type": data["type"], "timestamp": stamp, "data": data["data"]}).decode()))
    return bodies, orjson.loads(raw)[0]["secret"]


def httpx_loop(receiver: Receiver, signed: tuple[list[tuple[str, str]], str], concurrency: int) -> Measure:
    """The same webhooks POSTed, signed, from one process: the HTTP ceiling."""
    bodies, secret = signed
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(timeout=15, limits=limits, trust_env=False) as client:

        def send(i: int) -> None:
            key, body = bodies[i]
            headers = signed_headers([secret], key, int(time.time()), body)
            response = client.post(f"{receiver.url}/hooks", content=body.encode(), headers=headers)
            response.raise_for_status()

        return bare(f"httpx bare loop, {concurrency} threads", "webhook", receiver, send, len(bodies), concurrency)


def smtplib_loop(receiver: Receiver, messages: int, concurrency: int) -> Measure:
    """As many emails sent with smtplib, one connection per thread: the SMTP ceiling."""
    local = threading.local()
    connections: list[smtplib.SMTP] = []

    def send(i: int) -> None:
        if not hasattr(local, "smtp"):
            local.smtp = smtplib.SMTP(HOST, receiver.port, timeout=30)
            connections.append(local.smtp)
        message = EmailMessage()
        message["From"] = f"Milepost <{SENDER}>"
        message["To"] = f"Customer {i} <c{i}@example.com>"
        message["Subject"] = f"Hi Customer {i}"
        message["Message-ID"] = message_id_for(f"bare-{i}", SENDER)
        message.set_content("Thank you for your first order!")
        local.smtp.send_message(message)

    try:
        return bare(f"smtplib bare loop, {concurrency} threads", "email", receiver, send, messages, concurrency)
    finally:
        for smtp in connections:
            smtp.quit()


# -- the whole benchmark ------------------------------------------------------------------------------


def bench(args: argparse.Namespace, name: str, logs: Path) -> list[Measure]:
    """Every run on the backend `name`, each on a fresh database."""
    n, concurrency = args.messages, args.concurrency
    measures = []
    with databases(name, args.postgres_url, "bench_dlv") as backend:
        with receiving("http") as receiver:
            bodies: tuple[list[tuple[str, str]], str] | None = None
            for count in args.workers:
                with database(backend, f"webhooks_w{count}") as db:
                    fill_outbox(db, {"type": "webhook", "url": f"{receiver.url}/hooks"}, n)
                    env = worker_env(db, concurrency, None)
                    label = f"webhooks, {count} worker{'s' if count > 1 else ''}"
                    measures.append(run_workers(label, "webhook", db, receiver, count, env, n, logs))
                    bodies = bodies or webhook_bodies(db)
            assert bodies is not None
            measures.append(httpx_loop(receiver, bodies, concurrency))
        with receiving("smtp") as smtp, database(backend, "emails_w1") as db:
            fill_outbox(db, {"type": "send_email", "template": TEMPLATE}, n)
            env = worker_env(db, concurrency, smtp.port)
            measures.append(run_workers("emails, 1 worker", "email", db, smtp, 1, env, n, logs))
            measures.append(smtplib_loop(smtp, n, concurrency))
    return measures


def report(args: argparse.Namespace, name: str, measures: list[Measure]) -> dict[str, Any]:
    print(f"\n[{LABELS[name]}]")
    header = (
        f"  {'run':<30}{'deliveries/s':>13}{'time':>9}{'received':>10}{'sent (DB)':>11}"
        f"   {'latency p50 / p95 / p99':<27}CPU: sender / receiver"
    )
    print(header)
    for m in measures:
        sent = f"{m.sent:,}" if m.sent is not None else "-"
        latency = f"{m.percentile(50):.1f} / {m.percentile(95):.1f} / {m.percentile(99):.1f} ms"
        cpu = f"{m.worker_cpu / m.seconds:.0%} / {m.receiver_cpu / m.seconds:.0%}" if m.seconds else "-"
        print(f"  {m.label:<30}{m.rate:>13,.0f}{m.seconds:>8.1f}s{m.received:>10,}{sent:>11}   {latency:<27}{cpu}")
    ceiling = {m.channel: m for m in measures if m.sent is None}
    ratios = [f"{m.label} {m.rate / ceiling[m.channel].rate:.2f}" for m in measures if m.sent is not None]
    print("  of the bare loop's rate: " + "; ".join(ratios))
    print(
        "  latency: workers per attempt (delivery_attempts.duration_ms: reads, rendering and the send, "
        "not the settle); bare loops per request / message"
    )
    print("  CPU: the workers' processes (bare loops: this process) and the receiver's, as a share of one core")
    problems = [p for m in measures for p in m.problems]
    print(f"  invariants: {'OK' if not problems else 'FAILED'}", flush=True)
    for problem in problems:
        print(f"    - {problem}")
    return {m.label: m.as_dict() for m in measures}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"Milepost delivery benchmark: {args.messages:,} messages per run, {args.concurrency} sends at once per worker",
        flush=True,
    )
    figures: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}}
    failed = False
    for name in ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]:
        with tempfile.TemporaryDirectory(prefix="milepost-delivery-bench-") as logs:
            measures = bench(args, name, Path(logs))
        figures[name] = report(args, name, measures)
        failed = failed or any(m.problems for m in measures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if failed:
        print("\nFAILED: see the invariants above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
