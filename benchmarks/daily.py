"""The daily run over a big store: `mp.sweeps.run_daily` beside a bare SQL query that selects
the first-purchase anniversary audience of the same day.

    python3 benchmarks/daily.py                               # 1,000,000 customers, SQLite then PostgreSQL
    python3 benchmarks/daily.py --backend sqlite --customers 100000
    python3 benchmarks/daily.py --customers 2000              # a smoke run, seconds

Population (not timed), set-based: one INSERT ... SELECT over a generated series for the
customers, one for their orders, one for the pool's codes, not the API (a million
customers through ingest would take an hour before anything is measured). Each customer
has a first counted order spread over the last ~3 years (customers.first_order_at, an
`orders` row that counts, paid, counted_at = first_order_at); every 4th a second one 10
days later; each order has the `order.paid` event that made it count (an orders
aggregate reads orders through their events); 90% have an email, 80% email consent. The
store's time zone is `--timezone` (Europe/Paris). A coupon pool `1year_anniversary_discount`
holds `--codes` codes (default a hundredth of the customers, ten times a day's audience).
The first-purchase anniversary automation is installed as the demo ships it
(`install_anniversary`: its aggregate `orders_365d`, its two emails). An inactivity program (90 days without an
order: a tag, `--inactivity-days`, 0 for none) is created after the load, so its arming
excludes the lapses already due, as it would in a live store.

The audience query needs an index on customers(store_id, first_order_at). Migration 0022
(automations) adds it; on a schema without it, the setup creates it (and says so).

Timed, for the date D (`--date`, default today in UTC):

1. the baseline: the bare SQL selecting the anniversary audience of D (store-local date
   of first_order_at = D - 365, an email, email consent), best of 3 after a first run;
   its plan is printed, so an audience found by scanning every customer shows;
2. `mp.sweeps.run_daily([store], D)`: the anniversary automation, the inactivity
   programs and points expiry, each part timed on its own (the functions
   scheduler/daily.py calls, wrapped): the automation's seconds and customers/s of the
   store are printed beside the bare SQL, and the whole run's. `--inactivity-days 0`
   leaves the inactivity sweep out.
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import milepost  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import argparse
import json
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

from harness import Backend, databases
from sqlalchemy import Connection, inspect, text

from milepost import Milepost
from milepost.adapters.storage.times import sqlite_time
from milepost.domain.automations import candidate_window
from milepost.entrypoints.cli import demo_anniversary
from milepost.scheduler import daily as scheduler_daily

STORE = "bench"
POOL = "1year_anniversary_discount"
INDEX = "ix_customers_store_id_first_order_at"
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
SPREAD_SECONDS = 3 * 365 * 86_400  # first orders over the last ~3 years
NEWEST_DAYS = 11  # the newest first order is this many days old: its second one (10 days on) is past
SECOND_ORDER_DAYS = 10
HASH = 2_654_435_761  # Knuth's multiplicative hash: customer n's first order, spread and shuffled


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--codes", type=int, help="codes in the pool (default: a hundredth of the customers)")
    p.add_argument("--date", type=date.fromisoformat, help="the day D run (default: today in UTC)")
    p.add_argument("--timezone", default="Europe/Paris", help="the store's time zone")
    p.add_argument("--inactivity-days", type=int, default=90, help="an inactivity program of N days (0: none)")
    p.add_argument("--backend", choices=("sqlite", "postgres", "postgresql", "both"), default="both")
    p.add_argument("--postgres-url", default=DEFAULT_PG)
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    args = p.parse_args(argv)
    if args.customers < 1:
        p.error("--customers must be at least 1")
    args.codes = args.codes or max(100, args.customers // 100)
    args.date = args.date or datetime.now(UTC).date()
    return args


def backends(args: argparse.Namespace) -> list[str]:
    if args.backend == "both":
        return ["sqlite", "postgresql"]
    return ["postgresql" if args.backend == "postgres" else args.backend]


# -- population, set-based -------------------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    """What differs between the backends in the set-based inserts."""

    series: str  # a CTE `seq(n)` of 1..:n
    ts: str  # a time from epoch seconds {x}, as the column stores it
    code: str  # the pool code of number n

    @staticmethod
    def of(name: str) -> Dialect:
        if name == "sqlite":
            return Dialect(
                "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :n)",
                "strftime('%Y-%m-%d %H:%M:%S', {x}, 'unixepoch') || '.000000+00:00'",
                "'ANNIV-' || printf('%08d', n)",
            )
        return Dialect(
            "WITH seq(n) AS (SELECT generate_series(1, :n)::bigint)",
            "to_timestamp({x})",
            "'ANNIV-' || lpad(n::text, 8, '0')",
        )


def populate(mp: Milepost, conn: Connection, store_id: int, customers: int, codes: int, now: datetime) -> None:
    d = Dialect.of(mp.db.engine.dialect.name)
    epoch = int(now.timestamp())
    first = d.ts.format(x=f"{epoch - NEWEST_DAYS * 86_400} - (n * {HASH}) % {SPREAD_SECONDS}")
    second = d.ts.format(x=f"{epoch - (NEWEST_DAYS - SECOND_ORDER_DAYS) * 86_400} - (n * {HASH}) % {SPREAD_SECONDS}")
    stamp = d.ts.format(x=str(epoch))
    two = "n % 4 = 0"
    conn.execute(
        text(
            f"""{d.series}
            INSERT INTO customers (store_id, external_id, email, email_consent, sms_consent, attributes,
                order_count, amount_spent, first_order_at, last_order_at, created_at, updated_at)
            SELECT :s, 'c' || n, CASE WHEN n % 10 = 0 THEN NULL ELSE 'c' || n || '@example.com' END,
                n % 5 <> 0, false, '{{}}',
                CASE WHEN {two} THEN 2 ELSE 1 END, CASE WHEN {two} THEN 5000 ELSE 2500 END,
                {first}, CASE WHEN {two} THEN {second} ELSE {first} END, {stamp}, {stamp}
            FROM seq"""
        ),
        {"n": customers, "s": store_id},
    )
    for suffix, when, which in (("a", "first_order_at", ""), ("b", "last_order_at", "AND order_count = 2")):
        conn.execute(
            text(
                f"""INSERT INTO orders (store_id, external_id, customer_id, total, currency, refunded,
                    full_refund, cancelled, status_rank, counted_at, counts, created_at, updated_at)
                SELECT store_id, external_id || '-{suffix}', id, 2500, 'USD', 0, false, false, 1,
                    {when}, true, {when}, {when}
                FROM customers WHERE store_id = :s {which}"""
            ),
            {"s": store_id},
        )
    conn.execute(  # the events that made them count: an orders aggregate reads orders through them
        text(
            """INSERT INTO events (store_id, source, external_id, type, customer_id, order_id, occurred_at,
                received_at, payload)
            SELECT store_id, 'bench', 'e-' || external_id, 'order.paid', customer_id, external_id, counted_at,
                counted_at, '{}'
            FROM orders WHERE store_id = :s"""
        ),
        {"s": store_id},
    )
    conn.execute(
        text(
            f"""{d.series}
            INSERT INTO pool_codes (pool_id, store_id, code, created_at)
            SELECT (SELECT id FROM pools WHERE store_id = :s AND key = :pool), :s, {d.code}, {stamp} FROM seq"""
        ),
        {"n": codes, "s": store_id, "pool": POOL},
    )


def ensure_index(conn: Connection) -> bool:
    """Create the audience's index on customers(store_id, first_order_at) unless the
    schema has one (migration 0022 adds it); True when this created it."""
    with warnings.catch_warnings():  # the expression index on lower(email) is not reflected: not this one
        warnings.simplefilter("ignore")
        indexes = inspect(conn).get_indexes("customers")
    found = [i for i in indexes if i["column_names"] == ["store_id", "first_order_at"]]
    if found:
        return False
    conn.execute(text(f"CREATE INDEX {INDEX} ON customers (store_id, first_order_at)"))
    return True


def analyze(conn: Connection) -> None:
    """Statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` would gather them."""
    conn.execute(text("ANALYZE"))


def install_anniversary(mp: Milepost, store: str, day: date) -> bool:
    """The first-purchase anniversary automation as the demo store ships it
    (entrypoints/cli/demo_anniversary.py): the aggregate `orders_365d`, the gift and
    thank-you emails, and the automation (audience: an email, consent; 1-2 orders in the
    last 365 days: a code from the pool POOL, an event, a tag and the gift email, or, the
    pool empty, an email to the account manager and an alert; 3+: the thank-you email),
    live before `day`. The pool and its codes are the setup's."""
    demo_anniversary.configure(mp, store, day)
    return True


def setup(mp: Milepost, args: argparse.Namespace, now: datetime) -> dict[str, Any]:
    mp.stores.create(STORE, "Daily benchmark", timezone=args.timezone)
    store_id = mp.stores.get(STORE).id
    mp.pools.create(STORE, POOL, name="1 year anniversary", discount={"kind": "percentage", "percent": 15})
    t0 = time.perf_counter()
    with mp.db.engine.begin() as conn:
        populate(mp, conn, store_id, args.customers, args.codes, now)
        created = ensure_index(conn)
        analyze(conn)
    loaded = time.perf_counter() - t0
    t0 = time.perf_counter()
    if args.inactivity_days:
        actions = [{"type": "add_tag", "tag": "lapsed"}]
        mp.programs.create_inactivity(STORE, name="Come back", days=args.inactivity_days, actions=actions)
    armed = time.perf_counter() - t0
    return {
        "store_id": store_id,
        "load_seconds": round(loaded, 2),
        "arm_seconds": round(armed, 2),
        "index_created": created,
        "anniversary_installed": install_anniversary(mp, STORE, args.date),
    }


# -- the two timed parts ---------------------------------------------------------------------------

AUDIENCE = """SELECT id, external_id, email FROM customers
WHERE store_id = :s AND first_order_at >= :lo AND first_order_at < :hi
  AND email IS NOT NULL AND email <> '' AND email_consent"""


# The engine's candidate page (adapters/storage/automations.py `automation_candidates`):
# first_order_at in a UTC range holding D - 365 in every zone, by id, a page at a time.
CANDIDATES = """SELECT id, external_id, first_order_at FROM customers
WHERE store_id = :s AND id > 0 AND first_order_at >= :lo AND first_order_at < :hi
ORDER BY id LIMIT 1000"""


def candidates_plan(mp: Milepost, store_id: int, day: date) -> list[str]:
    """The plan of the engine's candidate query for `day`: it must read the index on
    first_order_at, not walk every customer by id."""
    lo, hi = candidate_window(day - timedelta(days=365))
    sqlite = mp.db.engine.dialect.name == "sqlite"
    params = {"s": store_id, "lo": sqlite_time(lo) if sqlite else lo, "hi": sqlite_time(hi) if sqlite else hi}
    explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    with mp.db.engine.connect() as conn:
        return [" ".join(str(c) for c in r) for r in conn.execute(text(explain + CANDIDATES), params)]


def local_day(day: date, zone: str) -> tuple[datetime, datetime]:
    """The store-local `day` as a UTC range [start, end)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, clock_time(), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), clock_time(), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def audience(mp: Milepost, store_id: int, day: date, zone: str) -> dict[str, Any]:
    """The bare SQL of the anniversary audience of `day`: first run, best of 3, its plan."""
    lo, hi = local_day(day - timedelta(days=365), zone)
    sqlite = mp.db.engine.dialect.name == "sqlite"
    params = {"s": store_id, "lo": sqlite_time(lo) if sqlite else lo, "hi": sqlite_time(hi) if sqlite else hi}
    times, found = [], 0
    with mp.db.engine.connect() as conn:
        for _ in range(4):
            t0 = time.perf_counter()
            found = len(conn.execute(text(AUDIENCE), params).all())
            times.append(time.perf_counter() - t0)
        explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        plan = [" ".join(str(c) for c in r) for r in conn.execute(text(explain + AUDIENCE), params)]
    return {"customers": found, "first_seconds": times[0], "seconds": min(times[1:]), "plan": plan}


PARTS = ("run_automations", "check_inactivity", "expire_points")  # what scheduler/daily.py's run of a day calls


@contextmanager
def timed_parts() -> Iterator[dict[str, float]]:
    """Seconds spent in each part of the daily run, by wrapping the functions
    scheduler/daily.py calls (restored after)."""
    spent = dict.fromkeys(PARTS, 0.0)
    originals = {name: getattr(scheduler_daily, name) for name in PARTS}

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t0

        return timed

    for name, fn in originals.items():
        setattr(scheduler_daily, name, wrap(name, fn))
    try:
        yield spent
    finally:
        for name, fn in originals.items():
            setattr(scheduler_daily, name, fn)


def daily(mp: Milepost, day: date, customers: int) -> dict[str, Any]:
    with timed_parts() as spent:
        t0 = time.perf_counter()
        (run,) = mp.sweeps.run_daily([STORE], day)
        seconds = time.perf_counter() - t0
    tallies = [t for d in run.days for t in d.automations]
    automation = spent["run_automations"]
    return {
        "seconds": seconds,
        "customers_per_s": customers / seconds,
        "days": len(run.days),
        "fired": sum(d.fired for d in run.days),
        "expired": sum(d.expired for d in run.days),
        "parts": {name: round(v, 3) for name, v in spent.items()},
        "automation": {
            "seconds": automation,
            "customers_per_s": customers / max(automation, 1e-9),
            "candidates": sum(t.candidates for t in tallies),
            "audience": sum(t.audience for t in tallies),
            "fired": sum(t.fired for t in tallies),
            "branches": dict(sum((t.branches for t in tallies), Counter())),
        },
    }


def bench_backend(backend: Backend, args: argparse.Namespace) -> dict[str, Any]:
    now = datetime.now(UTC)
    with backend.open("daily") as mp:
        print(f"\n{LABELS[backend.name]}: {args.customers:,} customers, D = {args.date}", flush=True)
        made = setup(mp, args, now)
        index = "created by this benchmark (no migration 0022 yet)" if made["index_created"] else "from the schema"
        print(
            f"  setup:     loaded in {made['load_seconds']:.1f} s; inactivity program armed in "
            f"{made['arm_seconds']:.1f} s; index customers(store_id, first_order_at) {index}"
        )
        found = audience(mp, made["store_id"], args.date, args.timezone)
        found["engine_plan"] = candidates_plan(mp, made["store_id"], args.date)
        ran = daily(mp, args.date, args.customers)

    def indexed(plan: list[str]) -> bool:
        return any(INDEX in line or ("first_order_at" in line and "INDEX" in line.upper()) for line in plan)

    uses_index, engine_indexed = indexed(found["plan"]), indexed(found["engine_plan"])
    print(
        f"  baseline:  bare SQL audience of {args.date}: {found['customers']:,} customers in "
        f"{found['seconds'] * 1000:,.1f} ms (first run {found['first_seconds'] * 1000:,.1f} ms)"
    )
    print("             plan: " + " | ".join(found["plan"]))
    print("  engine's candidates plan: " + " | ".join(found["engine_plan"]))
    print(
        f"  engine:    run_daily({args.date}): {ran['seconds']:,.2f} s, "
        f"{ran['customers_per_s']:,.0f} customers/s; {ran['fired']:,} fired, {ran['expired']:,} expired"
    )
    auto = ran["automation"]
    print(
        f"  automation: {auto['seconds']:,.2f} s of it, {auto['customers_per_s']:,.0f} customers/s; "
        f"{auto['candidates']:,} candidates, {auto['audience']:,} in the audience, {auto['fired']:,} fired "
        f"{auto['branches']}"
    )
    print("  parts:     " + ", ".join(f"{k} {v:,.2f} s" for k, v in ran["parts"].items()))
    print(f"  ratio:     automation / bare SQL = {auto['seconds'] / max(found['seconds'], 1e-9):,.0f}x")
    print(f"  ratio:     run_daily / bare SQL = {ran['seconds'] / max(found['seconds'], 1e-9):,.0f}x")
    problems = [] if uses_index else ["the audience query does not use an index on first_order_at"]
    problems += [] if engine_indexed else ["the engine's candidate query does not use the index on first_order_at"]
    for p in problems:
        print(f"  PROBLEM:   {p}")
    audience_figures = {**found, "uses_index": uses_index, "engine_uses_index": engine_indexed}
    return {"setup": made, "audience": audience_figures, "run_daily": ran, "problems": problems}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    figures: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}}
    for name in backends(args):
        with databases(name, args.postgres_url, prefix="daily") as backend:
            figures[name] = bench_backend(backend, args)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return 1 if any(figures[name]["problems"] for name in backends(args)) else 0


if __name__ == "__main__":
    sys.exit(main())
