"""Admin UI pages on a big store: how long each takes to answer, next to a small store.

    python3 benchmarks/admin.py                              # 1,000,000 customers, 10,000,000 events, SQLite
    python3 benchmarks/admin.py --backend postgresql --customers 100000 --events 1000000
    python3 benchmarks/admin.py --customers 300 --events 3000 --repeat 3   # a smoke run

Population (not timed): one database holding two stores, a small one (`--small-customers`,
`--small-events`: 1,000 and 10,000) and a big one (`--customers`, `--events`: 1,000,000 and
10,000,000), each filled with a year of a shop's events (see admin_workload.py: customers
created with a name and an email, orders placed, paid, completed, refunded, cancelled,
0.5% re-sent) through the engine itself, `Milepost.ingest` in batches of `--batch-size`,
with the engine's clock following the events, so milestones are reached along the year.
Each store has the ladder of 20 order count events of the ingest benchmark (emails, tags,
credit, alerts), so there are milestones, ledger entries, tags, alerts and outbox rows.
On SQLite the database is kept under benchmarks/.data/ and reused when the same sizes
are asked again (`--fresh` builds it anew); on PostgreSQL it lives in a throwaway schema,
ANALYZEd after the load (as autovacuum would), dropped at the end.

Timing: the app (`create_app`) served by uvicorn on a local port, an Administrator made
for the run signed in through the sign-in form, then each page requested `--warmup`
times untimed and `--repeat` times timed over one keep-alive connection, the pages and
the two stores taking turns so that the machine's ups and downs touch all alike. Each
answer must be 200 and hold what the page is for (the customer's id, the rows of the
log); a page that does not fails the run (exit 1), so a broken page cannot look fast.
It prints the median and p95 of each page for both stores and the ratio big/small.

`--explain` also lists, for each page of the big store, the SQL statements it ran that
took longest, with the database's plan for them (EXPLAIN QUERY PLAN / EXPLAIN).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from math import ceil
from pathlib import Path
from statistics import median
from typing import Any
from urllib.parse import quote, urlencode

try:
    import milepost  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from admin_workload import customer_id, stream, without_marks
from harness import opened, postgres_backend, progress
from sqlalchemy import text
from workload import TEMPLATE, ladder

from milepost import Milepost
from milepost.runtime import tune_gc
from milepost.testing import serve

BIG, SMALL = "big", "small"
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
DATA = Path(__file__).resolve().parent / ".data"
GENERATOR_VERSION = 1  # bump when what a population writes changes: cached databases are rebuilt
PASSWORD = "benchmark password 1"
SLOW_MS = 200.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--customers", type=int, default=1_000_000, help="customers of the big store")
    p.add_argument("--events", type=int, default=10_000_000, help="events of the big store, duplicates included")
    p.add_argument("--small-customers", type=int, default=1_000)
    p.add_argument("--small-events", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=30, help="timed requests per page and store")
    p.add_argument("--warmup", type=int, default=3, help="untimed requests per page and store first")
    p.add_argument("--batch-size", type=int, default=2_000, help="events per Milepost.ingest call when populating")
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    p.add_argument("--postgres-url", default=DEFAULT_PG)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--fresh", action="store_true", help="SQLite: build the database anew, even if one is cached")
    p.add_argument("--data-dir", type=Path, default=DATA, help="where SQLite databases are kept (benchmarks/.data)")
    p.add_argument("--explain", action="store_true", help="show the slowest statements of each big-store page")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    args = p.parse_args(argv)
    sizes = (args.customers, args.events, args.small_customers, args.small_events, args.repeat, args.batch_size)
    if min(sizes) < 1 or args.warmup < 0:
        p.error("sizes, --repeat and --batch-size must be at least 1, --warmup at least 0")
    if args.events < 2 * args.customers or args.small_events < 2 * args.small_customers:
        p.error("give each store at least 2 events per customer (a customer's creation and an order)")
    return args


def say(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


# -- population --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    store: str
    customers: int
    events: int


def sizes(args: argparse.Namespace) -> list[Size]:
    return [Size(SMALL, args.small_customers, args.small_events), Size(BIG, args.customers, args.events)]


def populate(mp: Milepost, size: Size, seed: int, batch_size: int, end: float) -> dict[str, Any]:
    """The store `size.store` with its ladder, then its events through the engine, batch by
    batch, the engine's clock at each batch's last event (as if it had run all year)."""
    mp.stores.create(size.store, f"{size.store.capitalize()} store", currency="USD")
    mp.templates.save(size.store, TEMPLATE, subject="You reached a milestone", body_text="Thank you for your orders!")
    for rung in ladder(20):
        mp.order_count_events.create(
            size.store, count=rung.count, name=rung.name, actions=[dict(a) for a in rung.actions]
        )
    clock = mp.clock
    tally = {"accepted": 0, "duplicates": 0, "rejected": 0}
    batch: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        with reporting(f"populating the {size.store} store", size.events) as advance:
            last = 0.0
            for at, event in stream(size.events, size.customers, seed, end):
                batch.append(without_marks(event))
                last = at
                if len(batch) == batch_size:
                    _ingest(mp, size.store, batch, last, tally)
                    advance(len(batch))
                    batch = []
            if batch:
                _ingest(mp, size.store, batch, last, tally)
                advance(len(batch))
    finally:
        mp.clock = clock
    seconds = time.perf_counter() - started
    if tally["rejected"]:
        raise SystemExit(f"the engine rejected {tally['rejected']} generated events: the generator is wrong")
    return {**tally, "seconds": round(seconds, 1), "events_per_s": round(size.events / seconds, 1)}


@contextmanager
def reporting(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal; otherwise a line on stderr at every tenth of the way."""
    if sys.stderr.isatty():
        with progress(label, total) as advance:
            yield advance
        return
    done, started, step = 0, time.perf_counter(), max(total // 10, 1)

    def advance(n: int) -> None:
        nonlocal done
        before, done = done, done + n
        if done // step > before // step and done < total:
            seconds = time.perf_counter() - started
            say(f"  {done:,} of {total:,} events, {seconds:,.0f} s, {done / seconds:,.0f} events/s")

    yield advance


def _ingest(mp: Milepost, store: str, batch: list[dict[str, Any]], at: float, tally: dict[str, int]) -> None:
    moment = datetime.fromtimestamp(at, UTC)
    mp.clock = lambda: moment
    result = mp.ingest(store, batch)
    tally["accepted"] += result.accepted
    tally["duplicates"] += result.duplicates
    tally["rejected"] += len(result.rejected)


COUNTS = {
    "customers": "SELECT count(*) FROM customers WHERE store_id = :s",
    "events": "SELECT count(*) FROM events WHERE store_id = :s",
    "orders": "SELECT count(*) FROM orders WHERE store_id = :s",
    "firings": "SELECT count(*) FROM firings WHERE store_id = :s",
    "ledger": "SELECT count(*) FROM credit_ledger WHERE store_id = :s",
    "outbox": "SELECT count(*) FROM outbox WHERE store_id = :s",
    "alerts": "SELECT count(*) FROM alerts WHERE store_id = :s",
    "tags": "SELECT count(*) FROM customer_tags t JOIN customers c ON c.id = t.customer_id WHERE c.store_id = :s",
}


def written(mp: Milepost, store: str) -> dict[str, int]:
    """What the store holds, row counts by table."""
    store_id = mp.stores.get(store).id
    with connection(mp) as conn:
        return {name: int(conn.execute(text(sql), {"s": store_id}).scalar_one()) for name, sql in COUNTS.items()}


@contextmanager
def connection(mp: Milepost) -> Iterator[Any]:
    with mp.db.engine.connect() as conn:
        yield conn.execution_options(milepost_mode="read")


def fill(mp: Milepost, args: argparse.Namespace, end: float) -> dict[str, Any]:
    """Both stores, populated; what it took and what they hold."""
    made: dict[str, Any] = {}
    for size in sizes(args):
        say(f"populating the {size.store} store: {size.customers:,} customers, {size.events:,} events...")
        made[size.store] = populate(mp, size, args.seed, args.batch_size, end)
        made[size.store]["written"] = written(mp, size.store)
        say(f"  done in {made[size.store]['seconds']:,.0f} s ({made[size.store]['events_per_s']:,.0f} events/s)")
    return made


def sqlite_database(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The cached SQLite database for these sizes (built first if missing or `--fresh`),
    and what its population took."""
    name = (
        f"admin-v{GENERATOR_VERSION}-c{args.customers}-e{args.events}"
        f"-sc{args.small_customers}-se{args.small_events}-seed{args.seed}"
    )
    path, meta_path = args.data_dir / f"{name}.db", args.data_dir / f"{name}.json"
    if path.exists() and meta_path.exists() and not args.fresh:
        meta = json.loads(meta_path.read_text())
        say(f"reusing {path} (populated {meta['built_at']}; --fresh to rebuild)")
        return f"sqlite:///{path}", {**meta, "cached": True}
    args.data_dir.mkdir(parents=True, exist_ok=True)
    partial = args.data_dir / f"{name}.partial.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    end = time.time() - 86400  # the last day's events are in: a store running to this day
    with opened(f"sqlite:///{partial}") as mp:
        stores = fill(mp, args, end)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{partial}{suffix}").exists():
            Path(f"{partial}{suffix}").rename(f"{path}{suffix}")
    meta = {"built_at": time.strftime("%Y-%m-%d %H:%M"), "size_bytes": path.stat().st_size, "stores": stores}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return f"sqlite:///{path}", {**meta, "cached": False}


ANALYZED = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"


@contextmanager
def postgres_database(args: argparse.Namespace) -> Iterator[tuple[str, str | None, dict[str, Any]]]:
    """A throwaway schema (random name) holding both stores, ANALYZEd, dropped at the end."""
    with postgres_backend(args.postgres_url, "bench_admin") as backend:
        url, schema = backend.locate("stores")
        with opened(url, schema) as mp:
            stores = fill(mp, args, time.time() - 86400)
            say("ANALYZE (as autovacuum would after such a load)...")
            with mp.db.engine.begin() as conn:  # this schema's tables, not the whole database's
                tables = conn.exec_driver_sql(ANALYZED).scalars().all()
                for table in tables:
                    conn.exec_driver_sql(f'ANALYZE "{table}"')
        meta = {"built_at": time.strftime("%Y-%m-%d %H:%M"), "stores": stores, "cached": False}
        yield url, schema, meta


# -- the pages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    check: Callable[[str], str | None]  # the body -> what is wrong with it, or None
    note: str = ""  # what this store's page shows (the customer, the program), for the report


def contains(*needles: str) -> Callable[[str], str | None]:
    def check(body: str) -> str | None:
        missing = [n for n in needles if n not in body]
        return f"missing {', '.join(repr(n) for n in missing)}" if missing else None

    return check


def rows_linking(prefix: str, at_least: int) -> Callable[[str], str | None]:
    """At least `at_least` links whose address starts with `prefix` (rows of a list)."""

    def check(body: str) -> str | None:
        found = body.count(f'href="{prefix}')
        return None if found >= at_least else f"{found} rows linking to {prefix}..., expected at least {at_least}"

    return check


def both(*checks: Callable[[str], str | None]) -> Callable[[str], str | None]:
    def check(body: str) -> str | None:
        return next((p for c in checks if (p := c(body)) is not None), None)

    return check


FACTS = {
    "whale": "SELECT external_id, order_count FROM customers WHERE store_id = :s "
    "ORDER BY order_count DESC, external_id LIMIT 1",
    "rules": "SELECT r.id, r.name, count(f.id) AS n FROM rules r LEFT JOIN firings f ON f.rule_id = r.id "
    "WHERE r.store_id = :s GROUP BY r.id, r.name ORDER BY n DESC, r.id",
    "firings": "SELECT count(*), min(id), max(id) FROM firings WHERE store_id = :s",
}


def pages(mp: Milepost, store: str, customers: int) -> list[Page]:
    """The pages to time for `store`, with what each answer must hold (found with plain
    queries first, not timed)."""
    store_id = mp.stores.get(store).id
    with connection(mp) as conn:
        whale, whale_orders = conn.execute(text(FACTS["whale"]), {"s": store_id}).one()
        rules = [tuple(r) for r in conn.execute(text(FACTS["rules"]), {"s": store_id})]
        total, first_id, last_id = conn.execute(text(FACTS["firings"]), {"s": store_id}).one()
        whale_firings = conn.execute(
            text(
                "SELECT count(*) FROM firings f JOIN customers c ON c.id = f.customer_id "
                "WHERE c.store_id = :s AND c.external_id = :c"
            ),
            {"s": store_id, "c": whale},
        ).scalar_one()
    base = f"/admin/{quote(store, safe='')}"
    links = f"{base}/customers/"
    middle = customers // 2
    prefix = customer_id(middle)[:-2]
    first_match = customer_id(max(int(prefix[1:] + "00"), 1))
    typical = customer_id(middle)
    busiest, rarest = rules[0], next((r for r in reversed(rules) if r[2] > 0), rules[0])
    before = (first_id + last_id) // 2 if total else 1
    log = f"{base}/log/milestones"

    def at(path: str, **params: Any) -> str:
        return f"{path}?{urlencode(params)}" if params else path

    return [
        Page("dashboard", base, contains("Milestones reached per day")),
        Page(
            "customers: first page",
            f"{base}/customers",
            both(contains(f'{links}c0000001"'), rows_linking(links, min(50, customers))),
        ),
        Page(
            "customers: deep page (?after=)",
            at(f"{base}/customers", after=typical),
            both(contains(f'{links}{customer_id(middle + 1)}"'), rows_linking(links, min(50, customers - middle))),
            f"?after={typical}",
        ),
        Page(
            "customers: search by id prefix",
            at(f"{base}/customers", q=prefix),
            contains(f'{links}{first_match}"'),
            f"?q={prefix}",
        ),
        Page(
            "customers: search by email",
            at(f"{base}/customers", q=f"{typical}@example.com"),
            contains(f'{links}{typical}"'),
            f"?q={typical}@example.com",
        ),
        Page("customer: typical", f"{links}{typical}", contains(typical, f"Customer {middle:,}"), typical),
        Page(
            "customer: most orders",
            f"{links}{whale}",
            contains(whale, busiest[1]),
            f"{whale}: {whale_orders} orders, {whale_firings} milestones",
        ),
        Page("milestone log: first page", log, rows_linking(links, min(50, total))),
        Page(
            "milestone log: deep page (?before=)",
            at(log, before=before),
            rows_linking(links, min(50, total // 3)),
            f"?before={before}",
        ),
        Page(
            "milestone log: program reached most",
            at(log, program=busiest[0]),
            rows_linking(links, min(50, busiest[2])),
            f"{busiest[1]!r}: {busiest[2]:,} of {total:,} milestones",
        ),
        Page(
            "milestone log: program reached least",
            at(log, program=rarest[0]),
            rows_linking(links, min(50, rarest[2])),
            f"{rarest[1]!r}: {rarest[2]:,} of {total:,} milestones",
        ),
        Page(
            "milestone log: customer with most orders",
            at(log, customer=whale),
            rows_linking(f"{links}{whale}", min(50, whale_firings)),
            f"{whale}: {whale_firings} milestones",
        ),
    ]


# -- serving and timing -------------------------------------------------------------------------------


class Browser:
    """One keep-alive connection, with the cookies the admin UI sets."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("set-cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""') or "max-age=0" in header.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, data.decode(), elapsed

    def sign_in(self, email: str, password: str) -> None:
        status, body, _ = self.request("GET", "/admin/login")
        found = re.search(r'name="login_token" value="([^"]+)"', body)
        if status != 200 or found is None:
            raise SystemExit(f"the sign-in page answered {status} without its form")
        form = {"email": email, "password": password, "login_token": found.group(1), "next": "/admin"}
        status, _, _ = self.request("POST", "/admin/login", form)
        if status not in (302, 303) or "milepost_session" not in self.cookies:
            raise SystemExit(f"signing in answered {status}")

    def close(self) -> None:
        self.conn.close()


@dataclass
class Samples:
    times: list[float] = field(default_factory=list)  # seconds
    problems: list[str] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.times)
        return ordered[max(ceil(p / 100 * len(ordered)) - 1, 0)] * 1000

    @property
    def median(self) -> float:
        return median(self.times) * 1000


def time_pages(browser: Browser, plan: dict[str, list[Page]], repeat: int, warmup: int) -> dict[str, list[Samples]]:
    """Every page of every store `warmup` times, then `repeat` rounds in which each page of
    each store is requested once (so that a slow moment of the machine hits all alike)."""
    samples = {store: [Samples() for _ in found] for store, found in plan.items()}
    total = (warmup + repeat) * sum(len(found) for found in plan.values())
    with progress("requesting the pages", total) as advance:
        for round_ in range(warmup + repeat):
            for store, found in plan.items():
                for page, kept in zip(found, samples[store], strict=True):
                    status, body, elapsed = browser.request("GET", page.path)
                    problem = f"answered {status}" if status != 200 else page.check(body)
                    if problem and len(kept.problems) < 3:
                        kept.problems.append(f"{store} store, {page.name} ({page.path}): {problem}")
                    if round_ >= warmup:
                        kept.times.append(elapsed)
                    advance(1)
    return samples


# -- what the slow statements are ---------------------------------------------------------------------


def explain(mp: Milepost, browser: Browser, found: list[Page], backend: str, top: int = 3) -> list[dict[str, Any]]:
    """Request each page once more, recording the SQL it runs; then run each of its SELECT
    statements again on its own, timed until its last row is fetched (SQLite does most of
    a query's work while the rows are fetched, after `execute` returned), and give the
    `top` slowest of each page with the database's plan for them."""
    from sqlalchemy import event

    recorded: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            recorded.append((statement, params))

    engine = mp.db.engine
    out = []
    for page in found:
        recorded.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            browser.request("GET", page.path)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        timed = [(statement, params, _replayed(mp, statement, params)) for statement, params in recorded]
        slowest = sorted(timed, key=lambda r: -r[2])[:top]
        out.append({"page": page.name, "statements": [_planned(mp, backend, *r) for r in slowest]})
    return out


def _replayed(mp: Milepost, statement: str, params: Any) -> float:
    with connection(mp) as conn:
        started = time.perf_counter()
        conn.exec_driver_sql(statement, params if params else ()).fetchall()
        return time.perf_counter() - started


def _planned(mp: Milepost, backend: str, statement: str, params: Any, seconds: float) -> dict[str, Any]:
    prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
    try:
        with connection(mp) as conn:
            plan = [" | ".join(str(v) for v in row) for row in conn.exec_driver_sql(prefix + statement, params or ())]
    except Exception as e:  # a plan we cannot get is said, not fatal
        plan = [f"(no plan: {e})"]
    return {"ms": round(seconds * 1000, 2), "sql": " ".join(statement.split()), "plan": plan}


# -- the run ------------------------------------------------------------------------------------------


def run_backend(url: str, schema: str | None, backend: str, args: argparse.Namespace) -> dict[str, Any]:
    from milepost.config import Settings
    from milepost.entrypoints.http import create_app

    with opened(url, schema) as mp:
        email = f"bench-{secrets.token_hex(4)}@example.com"
        mp.users.create(email, "Benchmark Administrator", PASSWORD, role="administrator")
        plan = {s.store: pages(mp, s.store, s.customers) for s in sizes(args)}
        tune_gc()  # as `milepost serve` does
        with serve(create_app(mp, Settings())) as url:
            port = int(url.rsplit(":", 1)[1])
            browser = Browser(port)
            try:
                browser.sign_in(email, PASSWORD)
                samples = time_pages(browser, plan, args.repeat, args.warmup)
                explained = explain(mp, browser, plan[BIG], backend) if args.explain else []
            finally:
                browser.close()
    return {"plan": plan, "samples": samples, "explained": explained}


def report(backend: str, args: argparse.Namespace, meta: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    stores = meta["stores"]
    print(f"\n[{LABELS[backend]}]")
    for size in sizes(args):
        s, w = stores[size.store], stores[size.store]["written"]
        how = "cached, " if meta.get("cached") else ""
        print(
            f"  {size.store} store: {w['customers']:,} customers, {w['events']:,} events, {w['orders']:,} orders, "
            f"{w['firings']:,} milestones, {w['ledger']:,} ledger entries, {w['tags']:,} tags, "
            f"{w['alerts']:,} alerts, {w['outbox']:,} outbox rows; populated in {s['seconds']:,.0f} s "
            f"({how}{s['events_per_s']:,.0f} events/s through Milepost.ingest)"
        )
    print(f"  {args.repeat} timed requests per page after {args.warmup} warm-ups, milliseconds:")
    width = max(len(p.name) for p in result["plan"][BIG]) + 2
    print(f"  {'page':<{width}} {'small median':>12} {'p95':>8}   {'big median':>10} {'p95':>8}   {'big/small':>9}")
    figures, slow, problems = [], [], []
    for small_page, big_page, small, big in zip(
        result["plan"][SMALL], result["plan"][BIG], result["samples"][SMALL], result["samples"][BIG], strict=True
    ):
        problems += small.problems + big.problems
        ratio = big.median / small.median
        flag = "  SLOW" if big.median > SLOW_MS else ""
        print(
            f"  {big_page.name:<{width}} {small.median:>12.1f} {small.percentile(95):>8.1f}   "
            f"{big.median:>10.1f} {big.percentile(95):>8.1f}   {ratio:>8.1f}x{flag}"
        )
        if flag:
            slow.append(big_page.name)
        figures.append(
            {
                "page": big_page.name,
                "small": {
                    "path": small_page.path,
                    "median_ms": round(small.median, 2),
                    "p95_ms": round(small.percentile(95), 2),
                },
                "big": {
                    "path": big_page.path,
                    "median_ms": round(big.median, 2),
                    "p95_ms": round(big.percentile(95), 2),
                },
                "ratio": round(ratio, 2),
            }
        )
    for size in sizes(args):
        notes = "; ".join(f"{p.name.split(': ')[-1]}: {p.note}" for p in result["plan"][size.store] if p.note)
        print(f"  {size.store} store's pages: {notes}")
    print(f"  pages over {SLOW_MS:.0f} ms (median) at full size: {', '.join(slow) if slow else 'none'}")
    print(f"  checks: {'OK' if not problems else 'FAILED'} (every answer 200 and holding what its page shows)")
    for problem in problems:
        print(f"    - {problem}")
    for page in result["explained"]:
        print(f"\n  slowest statements of '{page['page']}' (big store):")
        for st in page["statements"]:
            print(f"    {st['ms']:.1f} ms  {st['sql'][:300]}")
            for line in st["plan"]:
                print(f"        {line}")
    sys.stdout.flush()
    return {"stores": stores, "pages": figures, "slow": slow, "problems": problems, "explained": result["explained"]}


def backends(args: argparse.Namespace) -> list[str]:
    return ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"Milepost admin pages benchmark: a big store ({args.customers:,} customers, {args.events:,} events) "
        f"and a small one ({args.small_customers:,} customers, {args.small_events:,} events) in one database; "
        f"seed {args.seed}",
        flush=True,
    )
    tune_gc()
    figures: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}}
    for backend in backends(args):
        if backend == "sqlite":
            url, meta = sqlite_database(args)
            result = run_backend(url, None, backend, args)
        else:
            with postgres_database(args) as (url, schema, meta):
                result = run_backend(url, schema, backend, args)
        figures[backend] = report(backend, args, meta, result)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    failed = [p for backend in backends(args) for p in figures[backend]["problems"]]
    if failed:
        print(f"\nFAILED: {len(failed)} page check(s) did not hold; see above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
