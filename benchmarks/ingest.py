"""Ingest throughput: the engine against a bare loop of the same reads and writes.

    python3 benchmarks/ingest.py                       # 1,000,000 events on SQLite
    python3 benchmarks/ingest.py --backend both        # and on PostgreSQL
    python3 benchmarks/ingest.py --events 20000 --customers 2000   # a quick smoke run

Workload (seeded, generated up front, not timed; see benchmarks/workload.py):

- `--customers` customers with a skewed number of orders: 88% want 1-5
  (mostly 1-2), 9% want 6-19, 3% want 20-60, and 1 in 2,000 is a whale with
  100-250 orders, so every rung of the ladder fires for someone. Everyone's
  first order comes first; further orders are drawn at random until the
  event budget is spent (the last order may be cut short).
- Each order is placed, then paid 5 s-15 min later; 30% are also completed
  1-7 days later; 3% are refunded 2-30 days after payment (60% partly, 40%
  fully); 1% are cancelled (half before payment, half after). Totals are
  log-normal around $40, in cents, in USD.
- Orders are spread over one year and all events are sorted by time, so an
  order's events are close together with other customers' events in between.
- Customers and orders are numbered in order of first appearance (c0000001,
  o0000001, ...), as a store numbers them; an event's id is its order's id
  and its status (o0000001-paid).
- 0.5% of the events are re-sent a second to an hour later with the same id
  (the engine must report them as duplicates and change nothing).
- Exactly `--events` events in all, ingested in batches of `--batch-size`.
- `--rules` order count events on a loyalty ladder (1, 2, 3, 5, 7, 10, 12,
  15, 20, 25, 30, 35, 40, 45, 50, 60, 75, 100, 150, 200), each with 1-3
  actions: send an email (template "milestone"), add a tag, credit $5-$25,
  create an alert.
- Then a second engine run on a fresh database with `--programs` (200) rules:
  the ladder plus milestone programs on every metric (orders, amount spent,
  reviews, referrals, billing cycles; see `workload.programs`), to show what
  more rules cost. Orders cross the thresholds on orders and spend; the
  programs on the other metrics are indexed and looked at, never crossed.

For each backend it times the engine (`Milepost.ingest`, one batch per call)
and the bare loop of benchmarks/bare_loop.py on a fresh database of the same
schema, then reads back what the engine wrote and checks it against an
independent fold of the workload (order counts, amount spent, firings,
ledger entries, outbox rows, alerts, tags); it exits 1 if anything differs.
PostgreSQL runs in two throwaway schemas (random names) that are dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

try:
    import milepost  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from bare_loop import BareLoop
from harness import Backend, Timing, databases, progress, raw_connection, timed_batches
from parallel import run_parallel
from workload import TEMPLATE, Expected, Rung, Workload, expected, generate, ladder, programs

from milepost import Milepost
from milepost.runtime import compiled, tune_gc

STORE = "bench"
TARGETS = {"sqlite": 25_000, "postgresql": 35_000}
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--events", type=int, default=1_000_000, help="events in all, duplicates included")
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--rules", type=int, default=20, help="order count events on the ladder")
    p.add_argument(
        "--programs",
        type=int,
        default=200,
        help="a second engine run with this many rules: the ladder plus programs on every metric (0: none)",
    )
    p.add_argument("--batch-size", type=int, default=1_000)
    p.add_argument(
        "--workers", type=int, default=1, help="engine ingest processes, each owning a share of the customers"
    )
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    p.add_argument("--postgres-url", default=DEFAULT_PG)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    args = p.parse_args(argv)
    if min(args.events, args.customers, args.rules, args.batch_size, args.workers) < 1:
        p.error("--events, --customers, --rules, --batch-size and --workers must be at least 1")
    return args


# -- the two runs ----------------------------------------------------------------------------------


def run_engine(
    backend: Backend, workload: Workload, rungs: list[Rung], batch_size: int, workers: int = 1, stream: bool = False
) -> tuple[Timing, Counter, dict]:
    if stream:
        return run_stream(backend, workload, rungs, batch_size)
    if workers > 1:
        with backend.open("engine") as mp:
            setup_store(mp, rungs)
        timing, tally = run_parallel(backend, workload.events, batch_size, workers)
        with backend.open("engine") as mp, raw_connection(mp) as conn:
            return timing, tally, read_back(conn)
    tally: Counter[str] = Counter()
    with backend.open("engine") as mp:

        def step(batch: list[dict[str, Any]]) -> None:
            result = mp.ingest(STORE, batch)
            tally.update(
                accepted=result.accepted,
                duplicates=result.duplicates,
                rejected=len(result.rejected),
            )

        setup_store(mp, rungs)
        timing = timed_batches(workload.events, batch_size, step, f"{backend.name} engine")
        with raw_connection(mp) as conn:
            return timing, tally, read_back(conn)


def run_stream(
    backend: Backend, workload: Workload, rungs: list[Rung], batch_size: int
) -> tuple[Timing, Counter, dict]:
    """The engine through `Milepost.ingest_stream`: the whole stream in one call, in the
    lanes the storage uses (two on PostgreSQL). Latencies are the times between results."""
    tally: Counter[str] = Counter()
    with backend.open("engine") as mp:
        setup_store(mp, rungs)
        latencies = []
        with progress(f"{backend.name} engine, stream", len(workload.events)) as advance:
            start = last = time.perf_counter()
            for result in mp.ingest_stream(STORE, workload.events, batch_size=batch_size):
                now = time.perf_counter()
                latencies.append(now - last)
                last = now
                tally.update(accepted=result.accepted, duplicates=result.duplicates, rejected=len(result.rejected))
                advance(len(result.results))
            timing = Timing(len(workload.events), time.perf_counter() - start, latencies)
        with raw_connection(mp) as conn:
            return timing, tally, read_back(conn)


def setup_store(mp: Milepost, rungs: list[Rung]) -> None:
    mp.stores.create(STORE, "Benchmark store", currency="USD")
    mp.templates.save(STORE, TEMPLATE, subject="You reached a milestone", body_text="Thank you for your orders!")
    for rung in rungs:
        actions = [dict(a) for a in rung.actions]
        if rung.program:
            mp.programs.create(STORE, name=rung.name, metric=rung.metric, threshold=rung.count, actions=actions)
        else:
            mp.order_count_events.create(STORE, count=rung.count, name=rung.name, actions=actions)


def run_baseline(backend: Backend, workload: Workload, batch_size: int) -> tuple[Timing, dict]:
    with (
        backend.open("baseline") as mp,
        raw_connection(mp) as conn,
    ):  # the same migrations: the same schema
        store_id = mp.stores.create(STORE, "Benchmark store", currency="USD").id
        loop = BareLoop(conn, backend.name, store_id)
        timing = timed_batches(workload.events, batch_size, loop.ingest, f"{backend.name} baseline")
        return timing, read_back(conn, BASELINE_CHECKS)


# -- what was written, and is it right ---------------------------------------------------------

READ_BACK = {
    "events": "SELECT count(*) FROM events WHERE source <> 'milepost'",  # the events sent
    "internal_events": "SELECT count(*) FROM events WHERE source = 'milepost'",  # Milepost's own
    "customers": "SELECT count(*) FROM customers",
    "orders": "SELECT count(*) FROM orders",
    "order_count": "SELECT coalesce(sum(order_count), 0) FROM customers",
    "amount_spent": "SELECT coalesce(sum(amount_spent), 0) FROM customers",
    "firings": "SELECT count(*) FROM firings",
    "ledger": "SELECT count(*) FROM credit_ledger",
    "outbox": "SELECT count(*) FROM outbox",
    "alerts": "SELECT count(*) FROM alerts",
    "tags": "SELECT count(*) FROM customer_tags",
    "repeat_firings": "SELECT count(*) FROM (SELECT rule_id, customer_id FROM firings "
    "GROUP BY rule_id, customer_id HAVING count(*) > 1) AS twice",
}
BASELINE_CHECKS = ("events", "customers", "orders", "order_count", "amount_spent")


def read_back(conn: Any, names: tuple[str, ...] = tuple(READ_BACK)) -> dict[str, int]:
    cur = conn.cursor()
    found = {}
    for name in names:
        cur.execute(READ_BACK[name])
        found[name] = int(cur.fetchone()[0])
    conn.commit()  # end the read transaction psycopg opened
    return found


def problems(label: str, found: dict[str, int], want: dict[str, int]) -> list[str]:
    return [
        f"{label}: {name} is {found[name]:,}, expected {value:,}"
        for name, value in want.items()
        if found[name] != value
    ]


def bench_backend(
    backend: Backend,
    workload: Workload,
    rungs: list[Rung],
    want: Expected,
    batch_size: int,
    workers: int = 1,
    many: tuple[list[Rung], Expected] | None = None,
) -> dict:
    baseline, base_written = run_baseline(backend, workload, batch_size)
    engine, tally, written = run_engine(backend, workload, rungs, batch_size, workers)
    wanted = {**asdict(want), "repeat_firings": 0}
    results = {"accepted": want.events, "duplicates": workload.duplicates, "rejected": 0}
    found = [
        *problems("engine results", dict(tally), results),
        *problems("engine database", written, wanted),
        *problems("baseline database", base_written, {k: wanted[k] for k in BASELINE_CHECKS}),
    ]
    out = {"engine": engine, "baseline": baseline, "written": written, "problems": found, "workers": workers}
    lanes = 2 if backend.name == "postgresql" else 1  # the storage's ingest_lanes
    if workers == 1 and lanes > 1:
        with backend.fresh("engine"):
            timing, stream_tally, stream_written = run_engine(backend, workload, rungs, batch_size, stream=True)
        found += problems("engine stream, results", dict(stream_tally), results)
        found += problems("engine stream, database", stream_written, wanted)
        out["stream"] = {"lanes": lanes, "engine": timing}
    if many is not None:
        many_rungs, many_want = many
        # a fresh database for the run with many rules: the engine name is reused
        with backend.fresh("engine"):
            timing, many_tally, many_written = run_engine(backend, workload, many_rungs, batch_size, workers)
        found += problems(f"engine with {len(many_rungs)} rules, results", dict(many_tally), results)
        found += problems(
            f"engine with {len(many_rungs)} rules, database", many_written, {**asdict(many_want), "repeat_firings": 0}
        )
        out["many"] = {"rules": len(many_rungs), "engine": timing, "written": many_written}
    return out


# -- report ---------------------------------------------------------------------------------------


def describe(args: argparse.Namespace, workload: Workload, seconds: float) -> None:
    print(
        f"Milepost ingest benchmark: {len(workload.events):,} events "
        f"({workload.duplicates:,} re-sent duplicates), "
        f"{workload.customers:,} customers, {workload.orders:,} orders, "
        f"{args.rules} order count events, "
        f"batches of {args.batch_size:,}, seed {args.seed}"
    )
    kinds = ", ".join(f"{k.removeprefix('order.')} {n:,}" for k, n in sorted(workload.types.items()))
    print(f"workload: {kinds}; generated in {seconds:.1f} s (not timed)")
    build = "compiled (mypyc, setup.py)" if compiled() else "interpreted (bash benchmarks/compile.sh DIR: compiled)"
    print(f"build: {build}", flush=True)


def report(name: str, r: dict) -> dict[str, Any]:
    engine, baseline, w = r["engine"], r["baseline"], r["written"]
    ratio = engine.rate / baseline.rate
    target = TARGETS[name]
    verdict = "PASS" if engine.rate >= target else "BELOW"
    print(f"\n[{LABELS[name]}]")
    processes = f"   ({r['workers']} processes)" if r.get("workers", 1) > 1 else ""
    print(f"  engine:   {engine.line()}{processes}")
    print(f"  baseline: {baseline.line()}   (bare loop of the same inserts, no engine)")
    print(f"  ratio engine/baseline: {ratio:.2f}")
    stream = r.get("stream")
    if stream is not None:
        print(
            f"  engine, stream: {stream['engine'].line()}   (Milepost.ingest_stream, one process, "
            f"customers shared out between {stream['lanes']} lanes)"
        )
    many = r.get("many")
    if many is not None:
        slower = engine.rate / many["engine"].rate
        print(
            f"  engine, {many['rules']} rules on every metric: {many['engine'].line()}   "
            f"({slower:.2f}x the time of the ladder run; "
            f"{many['written']['firings']:,} firings)"
        )
    print(
        f"  engine wrote: {w['firings']:,} firings, {w['ledger']:,} ledger entries, "
        f"{w['outbox']:,} outbox rows, {w['alerts']:,} alerts, {w['tags']:,} tags; "
        f"{w['events']:,} events (and {w['internal_events']:,} internal events), {w['customers']:,} customers, "
        f"{w['orders']:,} orders, order counts sum to {w['order_count']:,}"
    )
    print(f"  invariants: {'OK' if not r['problems'] else 'FAILED'}")
    for problem in r["problems"]:
        print(f"    - {problem}")
    print(
        f"  target: >= 25,000 events/s on SQLite, >= 35,000 on PostgreSQL -> "
        f"{LABELS[name]} {engine.rate:,.0f} events/s: {verdict}",
        flush=True,
    )
    best = max(engine.rate, stream["engine"].rate) if stream is not None else engine.rate
    if stream is not None:
        print(f"  best of one process: {best:,.0f} events/s: {'PASS' if best >= target else 'BELOW'}", flush=True)
    extra: dict[str, Any] = {}
    if stream is not None:
        extra["stream"] = {"lanes": stream["lanes"], "engine": stream["engine"].as_dict()}
    if many is not None:
        extra["many_rules"] = {
            "rules": many["rules"],
            "engine": many["engine"].as_dict(),
            "written": many["written"],
            "time_vs_ladder": round(engine.rate / many["engine"].rate, 3),
        }
    return {
        **extra,
        "engine": engine.as_dict(),
        "baseline": baseline.as_dict(),
        "ratio": round(ratio, 3),
        "written": w,
        "target_events_per_s": target,
        "verdict": verdict,
        "problems": r["problems"],
    }


def backends(args: argparse.Namespace) -> list[str]:
    return ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print("generating the workload...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    rungs = ladder(args.rules)
    workload = generate(args.events, args.customers, args.seed)
    want = expected(workload, rungs)
    many = None
    if args.programs > args.rules:
        many_rungs = programs(args.rules, args.programs)
        many = (many_rungs, expected(workload, many_rungs))
    describe(args, workload, time.perf_counter() - t0)
    # The collector settings of `milepost serve` and `milepost ingest`. They also freeze
    # the generated workload (a million dicts that a server streaming its input never
    # holds), which full collections would otherwise walk again and again in both runs.
    tune_gc()
    figures: dict[str, Any] = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "compiled": compiled(),
        "expected": asdict(want),
    }
    for name in backends(args):
        with databases(name, args.postgres_url) as backend:
            result = bench_backend(backend, workload, rungs, want, args.batch_size, args.workers, many)
            figures[name] = report(name, result)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    failed = [p for name in backends(args) for p in figures[name]["problems"]]
    if failed:
        print(f"\nFAILED: {len(failed)} invariant(s) do not hold; see above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
