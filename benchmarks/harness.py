"""Where the benchmark's databases live, and how batches are timed.

A backend holds databases by name: SQLite files in a temporary directory, or
PostgreSQL schemas with random names, made on first use and dropped at the end.
Milepost itself opens them (so it migrates them); the baseline and the read-back
use the bare DBAPI connection under it.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from math import ceil
from pathlib import Path
from typing import Any

from milepost import Milepost, connect

# -- where the databases live ----------------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    """Databases by name on one backend, each made empty on first use."""

    name: str  # sqlite | postgresql
    locate: Callable[[str], tuple[str, str | None]]  # database name -> (URL, PostgreSQL schema)
    reset: Callable[[str], None]  # empty the database `name`: the next open starts afresh

    def open(self, name: str) -> AbstractContextManager[Milepost]:
        """Milepost on the database `name`, migrated, closed at the end."""
        return opened(*self.locate(name))

    def fresh(self, name: str) -> AbstractContextManager[None]:
        """Empty the database `name` for another run on it."""
        self.reset(name)
        return nullcontext()


def databases(name: str, postgres_url: str, prefix: str = "bench") -> AbstractContextManager[Backend]:
    """The backend `name` (sqlite | postgresql), whose databases are removed at the end."""
    return sqlite_backend() if name == "sqlite" else postgres_backend(postgres_url, prefix)


@contextmanager
def sqlite_backend() -> Iterator[Backend]:
    """One file per database name in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="milepost-bench-") as tmp:

        def reset(name: str) -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{tmp}/{name}.db{suffix}").unlink(missing_ok=True)

        yield Backend("sqlite", lambda name: (f"sqlite:///{tmp}/{name}.db", None), reset)


@contextmanager
def postgres_backend(base_url: str, prefix: str = "bench") -> Iterator[Backend]:
    """One schema per database name, `<prefix>_<hex>_<name>` (random hex), made on first
    use and dropped at the end.

    The schema is chosen with PGOPTIONS rather than `?options=-csearch_path%3D...`
    in the URL: connect() hands the URL to Alembic's config, whose interpolation
    rejects the '%'."""
    import psycopg

    prefix = f"{prefix}_{secrets.token_hex(4)}"
    made: list[str] = []
    with psycopg.connect(base_url, autocommit=True) as admin:

        def locate(name: str) -> tuple[str, str | None]:
            schema = f"{prefix}_{name}"
            if schema not in made:
                admin.execute(f"CREATE SCHEMA {schema}")
                made.append(schema)
            return base_url, schema

        def reset(name: str) -> None:
            schema = f"{prefix}_{name}"
            if schema in made:
                admin.execute(f"DROP SCHEMA {schema} CASCADE")
                made.remove(schema)

        try:
            yield Backend("postgresql", locate, reset)
        finally:
            for schema in made:
                admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@contextmanager
def opened(url: str, schema: str | None = None) -> Iterator[Milepost]:
    """Milepost on `url` (PostgreSQL: in `schema`), closed at the end."""
    saved = os.environ.get("PGOPTIONS")
    if schema:
        os.environ["PGOPTIONS"] = f"-csearch_path={schema}"
    try:
        mp = connect(url)
        try:
            yield mp
        finally:
            mp.close()
    finally:
        if schema:
            os.environ.pop("PGOPTIONS") if saved is None else os.environ.update(PGOPTIONS=saved)


@contextmanager
def raw_connection(mp: Milepost) -> Iterator[Any]:
    """The bare DBAPI connection (sqlite3 / psycopg) under Milepost's engine, so the
    baseline and the read-back use the same connection settings (pragmas) as the engine."""
    fairy = mp.db.engine.raw_connection()
    try:
        yield fairy.driver_connection
    finally:
        fairy.close()


# -- timing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    events: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the per-batch latencies, in ms."""
        ordered = sorted(self.latencies)
        return ordered[max(ceil(p / 100 * len(ordered)) - 1, 0)] * 1000

    def as_dict(self) -> dict[str, float]:
        return {
            "events": self.events,
            "seconds": round(self.seconds, 3),
            "events_per_s": round(self.rate, 1),
            **{f"p{p}_ms": round(self.percentile(p), 2) for p in (50, 95, 99)},
        }

    def line(self) -> str:
        return (
            f"{self.rate:>9,.0f} events/s  ({self.seconds:,.1f} s)   "
            f"per batch p50 {self.percentile(50):.1f} ms"
            f"  p95 {self.percentile(95):.1f} ms  p99 {self.percentile(99):.1f} ms"
        )


def timed_batches(events: list[dict[str, Any]], size: int, step: Callable[[list], Any], label: str) -> Timing:
    latencies = []
    with progress(label, len(events)) as advance:
        start = time.perf_counter()
        for i in range(0, len(events), size):
            batch = events[i : i + size]
            t0 = time.perf_counter()
            step(batch)
            latencies.append(time.perf_counter() - t0)
            advance(len(batch))
        seconds = time.perf_counter() - start
    return Timing(len(events), seconds, latencies)


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
