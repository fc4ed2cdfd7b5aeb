"""The admin pages benchmark still runs end to end: a tiny SQLite run through the real script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "admin.py"
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


def run(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        str(SCRIPT),
        "--customers",
        "300",
        "--events",
        "3000",
        "--small-customers",
        "100",
        "--small-events",
        "1000",
        "--repeat",
        "3",
        "--warmup",
        "1",
        "--backend",
        "sqlite",
        "--data-dir",
        str(tmp_path / "data"),
        "--json",
        str(tmp_path / "figures.json"),
        *extra,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
def test_admin_benchmark_times_every_page_of_both_stores(tmp_path: Path) -> None:
    # Given two tiny stores on SQLite, populated through the engine
    # When the benchmark runs
    first = run(tmp_path)

    # Then it exits 0 and prints a median and a p95 for every page of both stores
    assert first.returncode == 0, first.stdout + first.stderr
    assert "checks: OK" in first.stdout
    for page in PAGES:
        line = next(line for line in first.stdout.splitlines() if line.strip().startswith(page))
        small_median, small_p95, big_median, big_p95 = (float(v) for v in line[len(page) + 2 :].split()[:4])
        assert 0 < small_median <= small_p95 and 0 < big_median <= big_p95
    figures = json.loads((tmp_path / "figures.json").read_text())["sqlite"]
    assert [p["page"] for p in figures["pages"]] == list(PAGES)
    assert figures["problems"] == []
    big = figures["stores"]["big"]["written"]
    assert big["customers"] == 300 and big["firings"] > 0 and big["outbox"] > 0 and big["tags"] > 0

    # and a second run with the same sizes reuses the database it populated
    second = run(tmp_path, "--repeat", "1", "--explain")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "reusing" in second.stderr
    assert "cached" in second.stdout
    assert "slowest statements of 'customer: most orders'" in second.stdout
