"""HTTP ingest throughput: `POST /api/v1/events` against the engine and a no-op endpoint.

    python3 benchmarks/http_ingest.py                          # 100,000 events on SQLite, 1 server worker
    python3 benchmarks/http_ingest.py --backend postgresql     # PostgreSQL, 1 then 2 server workers
    python3 benchmarks/http_ingest.py --events 2000 --customers 200 --single-events 500   # a smoke run

The workload is the one of benchmarks/ingest.py (benchmarks/workload.py, seeded).
For each backend and each number of server workers, on a fresh database each:

- engine: the events through `Milepost.ingest`, in this process, no HTTP, in
  the very batches the HTTP clients send (each connection's customers,
  `--batch-size` at a time, taken in turn), since what a batch holds changes
  its cost; with N workers: N processes sharing the customers, as
  `ingest.py --workers N`, in batches of `--batch-size`;
- HTTP batch: `milepost serve --workers N` as a subprocess, the same events
  POSTed as `{"events": [...]}` in batches of 100. With one worker, the
  engine and the server take turns (five rounds, each a fifth of every
  connection's batches, engine first), so that the machine's drift in speed
  over the minutes of a run affects both alike and their ratio holds still;
- HTTP single: the same server, one event per request, for the first
  `--single-events` events (10,000) only;
- no-op: a FastAPI app under uvicorn (benchmarks/noop/noop_app.py, N workers)
  whose endpoint reads the body and answers `{}`, sent the same batch bodies
  and the same single bodies: the ceiling of framework, server and client.

Clients: `--connections` keep-alive connections (http.client), one thread
each, in `--client-processes` processes; each connection owns a share of the
customers (so a customer's events keep their order) and its bodies are
encoded with orjson before the clock starts. The clients' CPU is reported: near
100% of a core per client process means the client, not the server, was the
limit. Each run is checked against an independent fold of its events, as in
ingest.py; the script exits 1 if anything differs.
"""
# ruff: noqa: E402 - milepost is found in the checkout before the rest is imported

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
try:
    import milepost  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.append(str(_HERE.parent / "src"))

import argparse
import json
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import orjson
from harness import Backend, Timing, databases, opened, raw_connection
from http_load import Load, Server, drive, milepost_command, noop_command, server_env, serving
from ingest import STORE, problems, read_back, setup_store
from parallel import partition, run_parallel
from workload import Expected, Rung, Workload, expected, generate, ladder

from milepost.runtime import tune_gc

PATH = "/api/v1/events"
TARGET_RATIO = 0.70
NOOP_REQUESTS = 10_000
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DEFAULT_WORKERS = {"sqlite": [1], "postgresql": [1, 2]}
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--events", type=int, default=100_000, help="events in all, duplicates included")
    p.add_argument("--customers", type=int, default=10_000)
    p.add_argument("--rules", type=int, default=20, help="order count events on the ladder")
    p.add_argument("--batch-size", type=int, default=100, help="events per request in the batch runs")
    p.add_argument("--single-events", type=int, default=10_000, help="the first N events, one per request")
    p.add_argument("--connections", type=int, default=4, help="concurrent keep-alive client connections")
    p.add_argument("--client-processes", type=int, default=1, help="processes the connections are spread over")
    p.add_argument("--noop-requests", type=int, default=NOOP_REQUESTS, help="requests per no-op run, at least")
    p.add_argument(
        "--workers", type=int, nargs="+", help="server worker processes; default: 1 on SQLite, 1 and 2 on PostgreSQL"
    )
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    p.add_argument("--postgres-url", default=DEFAULT_PG)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    args = p.parse_args(argv)
    numbers = (args.events, args.customers, args.rules, args.batch_size, args.single_events, args.connections)
    if min(*numbers, args.client_processes, args.noop_requests, *(args.workers or [1])) < 1:
        p.error("counts, sizes, connections, processes and workers must be at least 1")
    args.single_events = min(args.single_events, args.events)
    return args


# -- what is sent --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The events, what they must produce, and the request bodies, encoded up front."""

    rungs: list[Rung]
    workload: Workload
    want: Expected
    single: Workload  # the first --single-events events
    want_single: Expected
    batches: list[list[bytes]]  # per connection: {"events": [...]} bodies
    singles: list[list[bytes]]  # per connection: one event per body
    batch_size: int
    client_processes: int
    noop_requests: int  # the no-op runs send at least this many requests each


def make_plan(args: argparse.Namespace) -> Plan:
    rungs = ladder(args.rules)
    workload = generate(args.events, args.customers, args.seed)
    single = prefix(workload, args.single_events)
    return Plan(
        rungs=rungs,
        workload=workload,
        want=expected(workload, rungs),
        single=single,
        want_single=expected(single, rungs),
        batches=batch_bodies(workload.events, args.connections, args.batch_size),
        singles=[[orjson.dumps(e) for e in share] for share in partition(single.events, args.connections)],
        batch_size=args.batch_size,
        client_processes=args.client_processes,
        noop_requests=args.noop_requests,
    )


def prefix(workload: Workload, n: int) -> Workload:
    """The first `n` events of the stream, described like a workload of their own."""
    events = workload.events[:n]
    types = {e["id"]: e["type"] for e in events}
    return Workload(
        events=events,
        customers=len({e["customer_id"] for e in events}),
        orders=len({e["order_id"] for e in events}),
        duplicates=len(events) - len(types),
        types=dict(Counter(types.values())),
    )


def batch_bodies(events: list[dict[str, Any]], connections: int, size: int) -> list[list[bytes]]:
    """Each connection's customers' events, in order, as {"events": [...]} bodies of `size`."""
    return [
        [orjson.dumps({"events": share[i : i + size]}) for i in range(0, len(share), size)]
        for share in partition(events, connections)
    ]


# -- the databases ---------------------------------------------------------------------------------


def written_in(url: str, schema: str | None) -> dict[str, int]:
    with opened(url, schema) as mp, raw_connection(mp) as conn:
        return read_back(conn)


def prepared(backend: Backend, run: str, rungs: list[Rung], key: bool = False) -> tuple[str, str | None, str]:
    """A fresh database for `run` with the benchmark store set up, and (`key`) an ingest key's secret."""
    url, schema = backend.locate(run)
    with opened(url, schema) as mp:
        setup_store(mp, rungs)
        secret = mp.keys.create(STORE, "ingest", "benchmark")[1] if key else ""
    return url, schema, secret


# -- the runs ---------------------------------------------------------------------------------


@dataclass
class Run:
    """One measured run: its rate and latencies, the outcomes counted, what it left behind."""

    timing: Timing
    tally: Counter
    written: dict[str, int] | None = None  # what the database holds afterwards
    load: Load | None = None  # HTTP runs: what the clients saw


def run_engine(backend: Backend, plan: Plan, workers: int) -> Run:
    """`Milepost.ingest` on a fresh database in `workers` processes sharing the customers
    (as `ingest.py --workers N`), in batches of `--batch-size`."""
    url, schema, _secret = prepared(backend, f"engine_w{workers}", plan.rungs)
    events = plan.workload.events
    timing, tally = run_parallel(backend, events, plan.batch_size, workers, f"engine_w{workers}")
    return Run(timing, tally, written_in(url, schema))


def run_http(backend: Backend, plan: Plan, workers: int, kind: str, logs: Path) -> Run:
    """`milepost serve --workers N` on a fresh database, sent the batch or the single bodies."""
    run = f"{kind}_w{workers}"
    url, schema, secret = prepared(backend, run, plan.rungs, key=True)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {secret}"}
    bodies, events = (plan.batches, plan.workload) if kind == "batch" else (plan.singles, plan.single)
    log = logs / f"{backend.name}-{run}.log"
    say(f"{backend.name}: HTTP {kind}, {workers} worker(s)...")
    with serving(milepost_command(workers), server_env(url, schema), workers, log) as server:
        load = drive(server, PATH, headers, bodies, plan.client_processes)
    timing = Timing(len(events.events), load.seconds, load.latencies)
    return Run(timing, load.tally, written_in(url, schema), load)


def run_noop(plan: Plan, workers: int, logs: Path) -> tuple[Run, Run]:
    """The no-op app with N workers, sent the same batch bodies, then the same single bodies,
    each set `noop_rounds()` times over (the no-op app is fast: a short run is mostly noise)."""
    say(f"no-op, {workers} worker(s)...")
    with serving(noop_command(workers), server_env(), workers, logs / f"noop-w{workers}.log") as server:
        batch = noop_run(server, plan.batches, len(plan.workload.events), plan)
        return batch, noop_run(server, plan.singles, len(plan.single.events), plan)


def noop_run(server: Server, bodies: list[list[bytes]], events: int, plan: Plan) -> Run:
    """The bodies sent to the no-op app; `events` is what one round of them holds."""
    rounds = noop_rounds(bodies, plan.noop_requests)
    headers = {"Content-Type": "application/json", "Authorization": "Bearer mpk_noop"}
    load = drive(server, PATH, headers, [share * rounds for share in bodies], plan.client_processes)
    return Run(Timing(events * rounds, load.seconds, load.latencies), load.tally, load=load)


def noop_rounds(bodies: list[list[bytes]], requests: int) -> int:
    """How many times the no-op runs send their bodies: at least `requests` requests."""
    return max(1, -(-requests // sum(len(share) for share in bodies)))


def bench(backend: Backend, plan: Plan, workers: int, logs: Path) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    if workers == 1:
        say(f"{backend.name}: engine and HTTP batch, in turns of {ROUNDS} rounds...")
        runs["engine"], runs["http_batch"] = run_in_turns(backend, plan, logs)
    else:
        say(f"{backend.name}: engine, {workers} process(es)...")
        runs["engine"] = run_engine(backend, plan, workers)
        runs["http_batch"] = run_http(backend, plan, workers, "batch", logs)
    runs["noop_batch"], runs["noop_single"] = run_noop(plan, workers, logs)
    runs["http_single"] = run_http(backend, plan, workers, "single", logs)
    return runs


ROUNDS = 5


def run_in_turns(backend: Backend, plan: Plan, logs: Path) -> tuple[Run, Run]:
    """The engine (in this process) and the server (1 worker), each on its own fresh
    database, fed the same batches in turns: a fifth of every connection's bodies to the
    engine, the same fifth to the server, and so on. The machine's speed drifts over
    minutes here; taking turns puts both rates under the same conditions, so the ratio
    holds still even when the rates move."""
    e_url, e_schema, _ = prepared(backend, "engine_w1", plan.rungs)
    h_url, h_schema, secret = prepared(backend, "batch_w1", plan.rungs, key=True)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {secret}"}
    rounds = [[_slice(share, r) for share in plan.batches] for r in range(ROUNDS)]
    engine_seconds, engine_latencies, engine_tally = 0.0, [], Counter()
    loads = []
    log = logs / f"{backend.name}-batch_w1.log"
    with opened(e_url, e_schema) as mp, serving(milepost_command(1), server_env(h_url, h_schema), 1, log) as server:
        for shares in rounds:
            batches = _in_turn(shares)
            start = time.perf_counter()
            for batch in batches:
                t0 = time.perf_counter()
                result = mp.ingest(STORE, batch)
                engine_latencies.append(time.perf_counter() - t0)
                engine_tally.update(
                    accepted=result.accepted, duplicates=result.duplicates, rejected=len(result.rejected)
                )
            engine_seconds += time.perf_counter() - start
            loads.append(drive(server, PATH, headers, shares, plan.client_processes))
    events = len(plan.workload.events)
    engine = Run(Timing(events, engine_seconds, engine_latencies), engine_tally, written_in(e_url, e_schema))
    load = _sum_loads(loads)
    http = Run(Timing(events, load.seconds, load.latencies), load.tally, written_in(h_url, h_schema), load)
    return engine, http


def _slice(share: list[bytes], r: int) -> list[bytes]:
    """Round `r` of a connection's bodies: a contiguous fifth, so each customer's events stay in order."""
    size = -(-len(share) // ROUNDS)
    return share[r * size : (r + 1) * size]


def _in_turn(shares: list[list[bytes]]) -> list[list[dict[str, Any]]]:
    """The batches of these bodies, taken in turn from each connection."""
    decoded = [[orjson.loads(body)["events"] for body in share] for share in shares]
    return [share[i] for i in range(max(map(len, decoded), default=0)) for share in decoded if i < len(share)]


def _sum_loads(loads: list[Load]) -> Load:
    total = Load(seconds=sum(x.seconds for x in loads), latencies=[v for x in loads for v in x.latencies])
    for x in loads:
        total.tally.update(x.tally)
        total.errors.extend(x.errors)
        total.client_cpu += x.client_cpu
        total.server_cpu += x.server_cpu
    total.errors = total.errors[:5]
    return total


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- is it right --------------------------------------------------------------------------------


def check(runs: dict[str, Run], plan: Plan) -> list[str]:
    found = []
    for name, workload, want in (
        ("engine", plan.workload, plan.want),
        ("http_batch", plan.workload, plan.want),
        ("http_single", plan.single, plan.want_single),
    ):
        found += check_ingest(name, runs[name], workload, want)
    for name, bodies in (("noop_batch", plan.batches), ("noop_single", plan.singles)):
        sent = sum(len(share) for share in bodies) * noop_rounds(bodies, plan.noop_requests)
        if runs[name].tally["http_200"] != sent:
            found.append(f"{name}: {runs[name].tally['http_200']:,} of {sent:,} requests answered 200")
    return found


def check_ingest(name: str, run: Run, workload: Workload, want: Expected) -> list[str]:
    """Every event accepted or reported a duplicate, and the database holds what the fold says."""
    outcomes = {k: run.tally.get(k, 0) for k in ("accepted", "duplicates", "rejected")}
    wanted = {"accepted": want.events, "duplicates": workload.duplicates, "rejected": 0}
    stored = {**asdict(want), "repeat_firings": 0}
    found = [
        *problems(f"{name} results", outcomes, wanted),
        *problems(f"{name} database", {k: (run.written or {}).get(k, 0) for k in stored}, stored),
    ]
    if run.load is not None:
        answered = {k: n for k, n in run.tally.items() if k.startswith("http_") and k != "http_200"}
        found += [f"{name}: {n:,} requests answered {k.removeprefix('http_')}" for k, n in answered.items()]
        found += [f"{name}: e.g. {e}" for e in run.load.errors[:2]]
    return found


# -- report --------------------------------------------------------------------------------------


def describe(args: argparse.Namespace, plan: Plan, seconds: float) -> None:
    w = plan.workload
    print(
        f"Milepost HTTP benchmark: {len(w.events):,} events ({w.duplicates:,} re-sent duplicates), "
        f"{w.customers:,} customers, {w.orders:,} orders, {args.rules} order count events, seed {args.seed}"
    )
    print(
        f"HTTP batch: all events, {args.batch_size} per request; HTTP single: the first "
        f"{len(plan.single.events):,} events, one per request; generated in {seconds:.1f} s (not timed)"
    )
    print(
        f"clients: {args.connections} keep-alive connections (http.client, bodies encoded with orjson "
        f"up front) in {args.client_processes} process(es), each connection owning a share of the customers",
        flush=True,
    )


def line(label: str, run: Run, unit: str, note: str = "") -> str:
    t = run.timing
    load = run.load
    cpu = f"   CPU: server {load.server_share:.0%}, client {load.client_share:.0%} of a core" if load else ""
    return (
        f"  {label:<14}{t.rate:>10,.0f} events/s  ({t.seconds:,.1f} s)  per {unit:<7} p50 {t.percentile(50):.1f} ms"
        f"  p95 {t.percentile(95):.1f} ms  p99 {t.percentile(99):.1f} ms{cpu}{note}"
    )


def report(name: str, workers: int, runs: dict[str, Run], found: list[str], plan: Plan) -> dict[str, Any]:
    rate = {k: r.timing.rate for k, r in runs.items()}
    ratios = {
        "http_batch/engine": rate["http_batch"] / rate["engine"],
        "http_batch/noop_batch": rate["http_batch"] / rate["noop_batch"],
        "http_single/engine": rate["http_single"] / rate["engine"],
        "http_single/noop_single": rate["http_single"] / rate["noop_single"],
    }
    verdict = "PASS" if ratios["http_batch/engine"] >= TARGET_RATIO else "BELOW"
    print_runs(name, workers, runs, plan)
    print("  ratios: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
    w = runs["http_batch"].written or {}
    print(
        f"  HTTP batch wrote: {w.get('events', 0):,} events, {w.get('firings', 0):,} firings, "
        f"{w.get('ledger', 0):,} ledger entries, {w.get('outbox', 0):,} outbox rows; "
        f"order counts sum to {w.get('order_count', 0):,}"
    )
    print(f"  invariants: {'OK' if not found else 'FAILED'}")
    for problem in found:
        print(f"    - {problem}")
    print(
        f"  target: HTTP batch >= {TARGET_RATIO:.0%} of the engine's rate -> "
        f"{ratios['http_batch/engine']:.0%}: {verdict}",
        flush=True,
    )
    return {
        **{k: figures(r) for k, r in runs.items()},
        "ratios": {k: round(v, 3) for k, v in ratios.items()},
        "verdict": verdict,
        "problems": found,
    }


def print_runs(name: str, workers: int, runs: dict[str, Run], plan: Plan) -> None:
    processes = "in-process, no HTTP" if workers == 1 else f"{workers} processes, no HTTP"
    requests = runs["noop_batch"].timing.rate / plan.batch_size
    print(f"\n[{LABELS[name]}, {workers} server worker{'s' if workers > 1 else ''}]")
    print(line("engine:", runs["engine"], "batch", f"   ({processes})"))
    print(line("HTTP batch:", runs["http_batch"], "request"))
    print(line("HTTP single:", runs["http_single"], "request", f"   (first {len(plan.single.events):,} events)"))
    rounds = noop_rounds(plan.batches, plan.noop_requests), noop_rounds(plan.singles, plan.noop_requests)
    print(line("no-op batch:", runs["noop_batch"], "request", f"   (~{requests:,.0f} requests/s; {rounds[0]} rounds)"))
    print(line("no-op single:", runs["noop_single"], "request", f"   (= requests/s; {rounds[1]} round(s))"))


def figures(run: Run) -> dict[str, Any]:
    out: dict[str, Any] = run.timing.as_dict()
    if run.load is not None:
        out["client_cpu_share"] = round(run.load.client_share, 3)
        out["server_cpu_share"] = round(run.load.server_share, 3)
    if run.written is not None:
        out["written"] = run.written
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    say("generating the workload...")
    t0 = time.perf_counter()
    plan = make_plan(args)
    describe(args, plan, time.perf_counter() - t0)
    tune_gc()  # the server processes' collector settings; also freezes the workload
    out: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}, "expected": asdict(plan.want)}
    failed = []
    with tempfile.TemporaryDirectory(prefix="milepost-http-bench-") as logs:
        for name in ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]:
            out[name] = {}
            with databases(name, args.postgres_url, "bench_http") as backend:
                for workers in args.workers or DEFAULT_WORKERS[name]:
                    runs = bench(backend, plan, workers, Path(logs))
                    found = check(runs, plan)
                    out[name][f"workers_{workers}"] = report(name, workers, runs, found, plan)
                    failed += found
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    if failed:
        print(f"\nFAILED: {len(failed)} invariant(s) do not hold; see above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
