"""The HTTP side of benchmarks/http_ingest.py: server subprocesses and the load generator.

A server (`milepost serve`, or the no-op app of benchmarks/noop/) runs as a
subprocess on a free port; `serving()` waits until every worker process has
started and /readyz answers, and stops it with SIGTERM at the end.

`drive()` sends prepared request bodies from client processes, each running
one thread per keep-alive connection (`http.client`). Every connection owns
a share of the customers and sends its bodies in order, so one customer's
events never race each other. The clock starts once every connection is open
and waiting at a barrier; each process reports the CPU it used, to show
whether the client (not the server) was the limit.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from milepost.runtime import tune_gc

HOST = "127.0.0.1"
NOOP_DIR = Path(__file__).resolve().parent / "noop"
READY_TIMEOUT = 60.0
STARTED = b"Application startup complete"

# -- servers -------------------------------------------------------------------------------------


def milepost_command(workers: int) -> Callable[[int], list[str]]:
    """`milepost serve` with `workers` processes, as the command for a port."""
    base = [sys.executable, "-m", "milepost.entrypoints.cli", "serve", "--host", HOST]
    return lambda port: [*base, "--port", str(port), "--workers", str(workers)]


def noop_command(workers: int) -> Callable[[int], list[str]]:
    """The no-op FastAPI app under uvicorn with the settings `milepost serve` uses."""
    base = [sys.executable, "-m", "uvicorn", "noop_app:app", "--app-dir", str(NOOP_DIR), "--host", HOST]
    flags = ["--no-access-log", "--no-proxy-headers", "--log-level", "info"]
    return lambda port: [*base, "--port", str(port), "--workers", str(workers), *flags]


def server_env(database_url: str | None = None, schema: str | None = None) -> dict[str, str]:
    """This environment without MILEPOST_* and PGOPTIONS, plus the database to serve."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILEPOST_") and k != "PGOPTIONS"}
    if database_url:
        env["MILEPOST_DATABASE_URL"] = database_url
    if schema:
        env["PGOPTIONS"] = f"-csearch_path={schema}"
    return env


@dataclass(frozen=True)
class Server:
    port: int
    pid: int

    def cpu(self) -> float:
        """CPU seconds used so far by the server process and its worker processes (Linux; else 0)."""
        return sum(_cpu_seconds(pid) for pid in (self.pid, *_children(self.pid)))


@contextmanager
def serving(command: Callable[[int], list[str]], env: dict[str, str], workers: int, log: Path) -> Iterator[Server]:
    """Run the server on a free port until the block ends.
    Its stdout and stderr (the access log) go to `log`, never to a pipe that could fill up."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(command(port), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=NOOP_DIR)
        try:
            wait_ready(proc, port, workers, log)
            yield Server(port, proc.pid)
        finally:
            stop(proc)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_ready(proc: subprocess.Popen, port: int, workers: int, log: Path) -> None:
    """Until /readyz answers 200 and all `workers` processes have started."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        if log.read_bytes().count(STARTED) >= workers and _ready(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"the server did not get ready in {READY_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


def _ready(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", "/readyz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM (a graceful shutdown), then SIGKILL if it takes more than 20 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- the load --------------------------------------------------------------------------------------


@dataclass
class Load:
    """What the clients saw: the timed window, each request's latency, the answers."""

    seconds: float
    latencies: list[float]
    tally: Counter = field(default_factory=Counter)  # accepted, duplicates, rejected, http_<status>
    client_cpu: float = 0.0  # CPU seconds the client processes used in all
    server_cpu: float = 0.0  # CPU seconds the server processes used, from start to end of the load
    errors: list[str] = field(default_factory=list)  # the first answers that were not 200

    @property
    def client_share(self) -> float:
        """The clients' CPU as a fraction of one core over the timed window."""
        return self.client_cpu / self.seconds if self.seconds else 0.0

    @property
    def server_share(self) -> float:
        """The server's CPU (all its processes) as a fraction of one core over the timed window."""
        return self.server_cpu / self.seconds if self.seconds else 0.0


def drive(server: Server, path: str, headers: dict[str, str], shares: list[list[bytes]], processes: int) -> Load:
    """POST every body of every share (one share per connection) and collect the answers,
    and the CPU the server used meanwhile."""
    before = server.cpu()
    load = _drive(server.port, path, headers, shares, processes)
    load.server_cpu = server.cpu() - before
    return load


def _drive(port: int, path: str, headers: dict[str, str], shares: list[list[bytes]], processes: int) -> Load:
    processes = max(1, min(processes, len(shares)))
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(shares)), ctx.Queue()
    groups = [shares[i::processes] for i in range(processes)]
    procs = [ctx.Process(target=_client, args=(port, path, headers, g, barrier, results)) for g in groups]
    for p in procs:
        p.start()
    done = [results.get() for _ in procs]
    for p in procs:
        p.join()
    return _combine(done)


def _combine(done: list[dict[str, Any]]) -> Load:
    outcomes = [c for process in done for c in process["connections"]]
    load = Load(
        seconds=max(c["end"] for c in outcomes) - min(c["start"] for c in outcomes),
        latencies=[x for c in outcomes for x in c["latencies"]],
        client_cpu=sum(process["cpu"] for process in done),
    )
    for c in outcomes:
        load.tally.update(c["tally"])
        load.errors.extend(c["errors"])
    load.errors = load.errors[:5]
    return load


def _client(
    port: int, path: str, headers: dict[str, str], shares: list[list[bytes]], barrier: Any, results: Any
) -> None:
    """One client process: a thread per connection; reports what each saw and the CPU used."""
    tune_gc()
    outcomes: list[dict[str, Any]] = [{} for _ in shares]
    threads = [
        threading.Thread(target=_connection, args=(port, path, headers, share, barrier, outcomes[i]))
        for i, share in enumerate(shares)
    ]
    cpu = time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put({"connections": outcomes, "cpu": time.process_time() - cpu})


def _connection(
    port: int, path: str, headers: dict[str, str], bodies: list[bytes], barrier: Any, out: dict[str, Any]
) -> None:
    """One keep-alive connection: opened and warmed before the barrier, then every body in turn."""
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    conn.request("GET", "/healthz")
    conn.getresponse().read()
    tally: Counter[str] = Counter()
    latencies, errors = [], []
    barrier.wait()
    start = time.time()
    for body in bodies:
        t0 = time.perf_counter()
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        data = response.read()
        latencies.append(time.perf_counter() - t0)
        _count(tally, errors, response.status, data)
    out.update(start=start, end=time.time(), latencies=latencies, tally=tally, errors=errors)
    conn.close()


def _count(tally: Counter, errors: list[str], status: int, data: bytes) -> None:
    """Add one answer: Milepost's per-event outcomes, or just the status (the no-op app's `{}`)."""
    tally[f"http_{status}"] += 1
    document = orjson.loads(data) if data[:1] == b"{" else {}
    if status == 200 and "accepted" in document:
        tally.update(accepted=document["accepted"], duplicates=document["duplicates"], rejected=document["rejected"])
    elif status == 422 and "results" in document:
        tally["rejected"] += len(document["results"])
    elif status != 200 and len(errors) < 5:
        errors.append(f"{status}: {data[:300].decode(errors='replace')}")
