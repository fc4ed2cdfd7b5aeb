"""The real `milepost serve`: a subprocess on a free port, spoken to over real HTTP.

Stores and keys are made with the real CLI on the same database (a SQLite file in a
temporary directory, or a fresh PostgreSQL schema chosen with PGOPTIONS). The server's
stdout and stderr go to files, which the tests read: the access log is on stderr.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-m", "milepost.entrypoints.cli"]
STARTED = "Application startup complete"
EVENTS = "/api/v1/events"
PROBLEM = "application/problem+json"


def paid(customer: str, n: int = 1, total: int = 2500) -> dict[str, Any]:
    order = f"{customer}-o{n}"
    return {"id": f"{order}-paid", "type": "order.paid", "customer_id": customer, "order_id": order, "total": total}


# -- where the server's database lives ---------------------------------------------------------


class Deployment:
    """The environment of one database, for the CLI and the server alike."""

    def __init__(self, **settings: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MILEPOST_") and k != "PGOPTIONS"}
        self.env = {**env, "COLUMNS": "200", "PYTHONUNBUFFERED": "1", **settings}

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*CLI, *args], capture_output=True, text=True, env=self.env, timeout=60, check=False)
        assert done.returncode == 0, f"milepost {' '.join(args)}: exit {done.returncode}\n{done.stdout}{done.stderr}"
        return done

    def new_key(self, store: str, scope: str = "ingest") -> dict[str, Any]:
        """`milepost keys create --json`: the key's id and its secret."""
        return json.loads(self.cli("keys", "create", "--store", store, "--scope", scope, "--json").stdout)


def sqlite_deployment(data_dir: Path) -> Deployment:
    return Deployment(MILEPOST_DATA_DIR=str(data_dir))


@contextmanager
def postgres_deployment(server_url: str) -> Iterator[Deployment]:
    """A fresh schema on the server, dropped at the end."""
    import psycopg

    schema = f"milepost_serve_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield Deployment(MILEPOST_DATABASE_URL=server_url, PGOPTIONS=f"-csearch_path={schema}")
        finally:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


# -- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`milepost serve --port <free port> ...` with its output in files under `logs`."""

    def __init__(self, deployment: Deployment, logs: Path, *options: str, workers: int = 1) -> None:
        self.port, self.workers = free_port(), workers
        self.url = f"http://127.0.0.1:{self.port}"
        logs.mkdir(parents=True, exist_ok=True)
        self.out_path, self.err_path = logs / f"serve-{self.port}.out", logs / f"serve-{self.port}.err"
        command = [*CLI, "serve", "--port", str(self.port), "--workers", str(workers), *options]
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.process = subprocess.Popen(command, stdout=out, stderr=err, env=deployment.env)

    @property
    def stdout(self) -> str:
        return self.out_path.read_text()

    @property
    def stderr(self) -> str:
        return self.err_path.read_text()

    def wait_ready(self, seconds: float = 60) -> None:
        """Until every worker has started and /readyz answers 200."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"exited {self.process.returncode}\n{self.stdout}{self.stderr}"
            if self.stderr.count(STARTED) >= self.workers and self._ready():
                return
            time.sleep(0.1)
        raise AssertionError(f"not ready after {seconds} s\n{self.stdout}{self.stderr}")

    def _ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self, seconds: float = 10) -> int | None:
        """SIGTERM; the exit code, or None if it had to be killed after `seconds`."""
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None

    def access_log(self) -> list[dict[str, Any]]:
        """The JSON request lines of stderr (uvicorn's own lines are plain text)."""
        lines = [json.loads(line) for line in self.stderr.splitlines() if line.startswith("{")]
        return [line for line in lines if line.get("event") == "request"]


def eventually(probe: Callable[[], Any], seconds: float = 5) -> Any:
    """`probe()` once it is truthy (log lines reach the file a moment after the answer)."""
    deadline = time.monotonic() + seconds
    while not (found := probe()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


# -- one server per backend for most tests ------------------------------------------------------


class Served(NamedTuple):
    deployment: Deployment
    server: Server
    client: httpx.Client
    store: str
    secret: str

    def auth(self, secret: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret or self.secret}"}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def deployment(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    if request.param == "sqlite":
        yield sqlite_deployment(tmp_path_factory.mktemp("serve-sqlite"))
        return
    with postgres_deployment(request.getfixturevalue("postgres_server")) as found:
        yield found


@pytest.fixture(scope="module")
def served(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A store `s` and an ingest key made with the CLI, then the server on the same database."""
    deployment.cli("stores", "create", "s", "--name", "S")
    secret = deployment.new_key("s")["secret"]
    server = Server(deployment, tmp_path_factory.mktemp("serve-logs"))
    try:
        server.wait_ready()
        with httpx.Client(base_url=server.url, timeout=30) as client:
            yield Served(deployment, server, client, "s", secret)
    finally:
        server.stop()


def test_a_batch_is_ingested_and_the_cli_sees_it(served: Served) -> None:
    # Given a batch of three paid orders of one customer and a resend of the first
    batch = [paid("ada", 1), paid("ada", 2), paid("ada", 3), paid("ada", 1)]

    # When it is POSTed with the ingest key
    r = served.client.post(EVENTS, json={"events": batch}, headers=served.auth())

    # Then each event has its outcome, and the CLI reads the new count from the same database
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (3, 1, 0)
    assert [x["status"] for x in body["results"]] == ["accepted", "accepted", "accepted", "duplicate"]
    shown = served.deployment.cli("customers", "show", "ada", "--store", served.store, "--json")
    assert json.loads(shown.stdout)["order_count"] == 3


def test_health_readiness_docs_and_openapi_answer_without_a_key(served: Served) -> None:
    health, ready = served.client.get("/healthz"), served.client.get("/readyz")
    docs, openapi = served.client.get("/docs"), served.client.get("/openapi.json")

    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert "swagger" in docs.text.lower()
    assert openapi.status_code == 200 and EVENTS in openapi.json()["paths"]


def test_a_request_without_a_key_is_a_401_problem(served: Served) -> None:
    r = served.client.post(EVENTS, json=paid("bob"))

    assert r.status_code == 401
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.headers["www-authenticate"].lower().startswith("bearer")
    assert r.json()["status"] == 401


def test_a_revoked_key_is_refused_at_once(served: Served) -> None:
    # Given a second key that works
    key = served.deployment.new_key(served.store)
    assert served.client.post(EVENTS, json=paid("cy"), headers=served.auth(key["secret"])).status_code == 200

    # When the CLI revokes it while the server runs
    served.deployment.cli("keys", "revoke", key["id"], "--store", served.store)

    # Then the very next request with it is refused, and the other key still works
    refused = served.client.post(EVENTS, json=paid("cy", 2), headers=served.auth(key["secret"]))
    assert refused.status_code == 401 and refused.headers["content-type"].startswith(PROBLEM)
    assert served.client.post(EVENTS, json=paid("cy", 3), headers=served.auth()).status_code == 200


def test_a_read_key_made_with_the_cli_reads_and_is_refused_every_change(served: Served) -> None:
    # Given a customer, and a read key made with `milepost keys create --scope read`
    assert served.client.post(EVENTS, json=paid("rae"), headers=served.auth()).status_code == 200
    key = served.deployment.new_key(served.store, "read")
    assert key["scope"] == "read"
    reader = served.auth(key["secret"])

    # When it reads and then tries to change things over real HTTP
    customer = served.client.get("/api/v1/customers/rae", headers=reader)
    automations = served.client.get("/api/v1/automations", headers=reader)
    refused = [
        served.client.post(EVENTS, json=paid("rae", 2), headers=reader),
        served.client.patch("/api/v1/store", json={"name": "Renamed"}, headers=reader),
        served.client.post("/api/v1/customers/rae/tags", json={"tags": ["x"]}, headers=reader),
        served.client.delete("/api/v1/customers/rae/tags/x", headers=reader),
    ]

    # Then it reads, every change is a 403 problem naming the scope needed, and nothing changed
    assert customer.status_code == 200 and customer.json()["order_count"] == 1
    assert automations.status_code == 200 and automations.json()["data"] == []
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert all(r.headers["content-type"].startswith(PROBLEM) for r in refused)
    assert [r.json()["detail"].rsplit(" ", 1)[-1] for r in refused] == ["'ingest'", "'admin'", "'admin'", "'admin'"]
    shown = served.deployment.cli("customers", "show", "rae", "--store", served.store, "--json")
    assert json.loads(shown.stdout)["order_count"] == 1


def test_each_request_is_one_json_access_log_line_without_secrets(served: Served) -> None:
    # Given requests of every kind, each with its own request id
    tag = uuid.uuid4().hex
    requests = [
        ("GET", "/healthz", {}, None, 200),
        ("GET", "/readyz", {}, None, 200),
        ("POST", EVENTS, served.auth(), paid("dee"), 200),
        ("POST", EVENTS, served.auth("mpk_not-a-key-at-all"), paid("dee", 2), 401),
        ("POST", EVENTS, {}, paid("dee", 3), 401),
        ("GET", "/no/such/page", {}, None, 404),
    ]
    for i, (method, path, headers, body, status) in enumerate(requests):
        r = served.client.request(method, path, json=body, headers={**headers, "X-Request-Id": f"{tag}-{i}"})
        assert r.status_code == status, r.text

    # When the access log is read
    mine = eventually(
        lambda: (
            lines
            if len(lines := [x for x in served.server.access_log() if str(x["request_id"]).startswith(tag)])
            >= len(requests)
            else None
        )
    )

    # Then there is exactly one line per request, with what was asked and how it ended
    assert mine, served.server.stderr
    assert sorted(x["request_id"] for x in mine) == [f"{tag}-{i}" for i in range(len(requests))]
    for line in sorted(mine, key=lambda x: x["request_id"]):
        method, path, _, _, status = requests[int(line["request_id"].rsplit("-", 1)[1])]
        assert (line["method"], line["path"], line["status"]) == (method, path, status)
        assert isinstance(line["duration_ms"], int | float) and line["duration_ms"] >= 0
    # And never a secret or the Authorization header's scheme
    log = served.server.stderr
    assert served.secret not in log and "mpk_not-a-key" not in log
    assert "bearer" not in log.lower()


def test_answers_carry_the_api_headers_and_no_server_banner(served: Served) -> None:
    # When the server answers an API call, an error, a page of the admin and an unknown path
    answers = [
        served.client.post(EVENTS, json=paid("eve"), headers=served.auth()),
        served.client.post(EVENTS, json=paid("eve", 2)),
        served.client.get("/admin/login"),
        served.client.get("/no/such/page"),
    ]

    # Then none names the server software, and the API's answers say nosniff and no-store
    assert [r.status_code for r in answers] == [200, 401, 200, 404]
    assert [r.headers.get("server") for r in answers] == [None] * 4
    for r in answers[:2]:
        assert (r.headers["x-content-type-options"], r.headers["cache-control"]) == ("nosniff", "no-store")


def test_the_api_answers_a_trailing_slash_with_a_404_problem_not_a_redirect(served: Served) -> None:
    r = served.client.post(f"{EVENTS}/", json=paid("fay"), headers=served.auth())

    assert r.status_code == 404 and "location" not in r.headers
    assert r.headers["content-type"].startswith(PROBLEM)


# -- servers of their own --------------------------------------------------------------------


def test_serve_demo_prints_an_admin_key_that_works(tmp_path: Path) -> None:
    # Given `milepost serve --demo` on an empty data directory
    server = Server(sqlite_deployment(tmp_path / "data"), tmp_path / "logs", "--demo")
    try:
        server.wait_ready()
        # When the key it printed is used
        found = re.search(r"shown once\):\s+(mpk_\S+)", server.stdout)
        assert found, server.stdout
        auth = {"Authorization": f"Bearer {found.group(1)}"}
        health = httpx.get(f"{server.url}/healthz", headers=auth, timeout=10)
        sent = httpx.post(f"{server.url}{EVENTS}", json=paid("ada", 1000), headers=auth, timeout=10)
        # Then it works for the demo store
        assert health.status_code == 200
        assert sent.status_code == 200, sent.text
        assert sent.json()["accepted"] == 1
    finally:
        assert server.stop() == 0, server.stderr


def test_sigterm_stops_the_server_within_seconds_with_exit_code_0(tmp_path: Path) -> None:
    # Given a running server that has answered a request
    server = Server(sqlite_deployment(tmp_path / "data"), tmp_path / "logs")
    server.wait_ready()
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200

    # When it gets SIGTERM
    started = time.monotonic()
    code = server.stop(seconds=10)

    # Then it exits 0, within a few seconds
    assert code == 0, server.stderr
    assert time.monotonic() - started < 5


def test_two_server_processes_answer_without_a_server_banner(tmp_path: Path) -> None:
    # Given `milepost serve --workers 2` (uvicorn's process manager, not the single process)
    server = Server(sqlite_deployment(tmp_path / "data"), tmp_path / "logs", workers=2)
    try:
        server.wait_ready()
        # When both processes have had the chance to answer
        answers = [httpx.get(f"{server.url}/healthz", timeout=10) for _ in range(8)]
        # Then no answer names the server software
        assert [r.status_code for r in answers] == [200] * 8
        assert {r.headers.get("server") for r in answers} == {None}
    finally:
        assert server.stop() == 0, server.stderr


@pytest.mark.postgres
def test_two_workers_on_postgresql_serve_requests(postgres_server: str, tmp_path: Path) -> None:
    # Given `milepost serve --workers 2` on a fresh PostgreSQL schema
    with postgres_deployment(postgres_server) as deployment:
        deployment.cli("stores", "create", "s", "--name", "S")
        secret = deployment.new_key("s")["secret"]
        server = Server(deployment, tmp_path, workers=2)
        try:
            server.wait_ready()
            # When 40 batches arrive on 8 connections at once
            auth = {"Authorization": f"Bearer {secret}"}

            def send(n: int) -> httpx.Response:
                batch = [paid(f"c{n}", i) for i in range(1, 6)]
                return httpx.post(f"{server.url}{EVENTS}", json={"events": batch}, headers=auth, timeout=30)

            with ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(send, range(40)))
            # Then every event is accepted, by two worker processes
            assert [r.status_code for r in answers] == [200] * 40
            assert sum(r.json()["accepted"] for r in answers) == 200
            assert len(set(re.findall(r"Started server process \[(\d+)\]", server.stderr))) == 2
            assert len(eventually(lambda: len(server.access_log()) >= 40 and server.access_log())) >= 40
        finally:
            assert server.stop() == 0, server.stderr


def test_serve_runs_the_daily_scheduler_unless_told_not_to(tmp_path: Path) -> None:
    # Given a store that never had a daily run
    deployment = sqlite_deployment(tmp_path / "data")
    deployment.cli("stores", "create", "shop", "--name", "Shop")

    def daily_runs() -> int:
        with sqlite3.connect(tmp_path / "data" / "milepost.db") as db:
            return int(db.execute("SELECT count(*) FROM daily_runs").fetchone()[0])

    # When the server runs with --no-scheduler, nothing runs the day
    server = Server(deployment, tmp_path / "logs", "--no-scheduler")
    server.wait_ready()
    assert server.stop() == 0 and daily_runs() == 0

    # Then by default it runs the store's day at once (its first run: today)
    server = Server(deployment, tmp_path / "logs")
    server.wait_ready()
    try:
        assert "running the daily runs in the server" in server.stdout
        assert eventually(lambda: daily_runs() == 1)
    finally:
        assert server.stop() == 0
