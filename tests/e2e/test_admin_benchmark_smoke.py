"""The admin pages benchmark still runs end to end: a tiny run through the real script, on each backend."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from support.benchmarks import BACKENDS, figures_of, run_benchmark

PAGES = (
    "dashboard",
    "customers: first page",
    "customers: deep page (?after=)",
    "customers: search by id prefix",
    "customers: search by email",
    "customer: typical",
    "customer: most orders",
    "milestone log: first page",
    "milestone log: deep page (?before=)",
    "milestone log: program reached most",
    "milestone log: program reached least",
    "milestone log: customer with most orders",
)


def run(tmp_path: Path, backend: str, request: pytest.FixtureRequest, *extra: str) -> subprocess.CompletedProcess[str]:
    sizes = ("--customers", "300", "--events", "3000", "--small-customers", "100", "--small-events", "1000")
    timing = ("--repeat", "3", "--warmup", "1", "--data-dir", str(tmp_path / "data"))
    return run_benchmark("admin", backend, request, tmp_path / "figures.json", *sizes, *timing, *extra)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_admin_benchmark_times_every_page_of_both_stores(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    # Given two tiny stores, populated through the engine
    # When the benchmark runs
    first = run(tmp_path, backend, request)

    # Then it exits 0 and prints a median and a p95 for every page of both stores
    assert first.returncode == 0, first.stdout + first.stderr
    assert "checks: OK" in first.stdout
    for page in PAGES:
        line = next(line for line in first.stdout.splitlines() if line.strip().startswith(page))
        small_median, small_p95, big_median, big_p95 = (float(v) for v in line[len(page) + 2 :].split()[:4])
        assert 0 < small_median <= small_p95 and 0 < big_median <= big_p95
    figures = figures_of(tmp_path / "figures.json", backend)
    assert [p["page"] for p in figures["pages"]] == list(PAGES)
    assert figures["problems"] == []
    big = figures["stores"]["big"]["written"]
    assert big["customers"] == 300 and big["firings"] > 0 and big["outbox"] > 0 and big["tags"] > 0

    # and a second run with the same sizes reuses the database it populated (SQLite keeps it;
    # a PostgreSQL run populates a throwaway schema every time)
    second = run(tmp_path, backend, request, "--repeat", "1", "--explain")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "slowest statements of 'customer: most orders'" in second.stdout
    if backend == "sqlite":
        assert "reusing" in second.stderr
        assert "cached" in second.stdout
    else:
        assert "reusing" not in second.stderr and "ANALYZE" in second.stderr
