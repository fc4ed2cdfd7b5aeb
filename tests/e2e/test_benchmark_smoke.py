"""The ingest benchmark still runs end to end: a tiny SQLite run through the real script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "ingest.py"


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_ingest_benchmark_runs_and_checks_its_invariants(tmp_path: Path, workers: int) -> None:
    # Given a tiny workload on SQLite, ingested by one process or by two sharing the customers
    figures = tmp_path / "figures.json"
    command = [
        sys.executable,
        str(SCRIPT),
        "--events",
        "5000",
        "--customers",
        "500",
        "--backend",
        "sqlite",
        "--workers",
        str(workers),
        "--json",
        str(figures),
    ]

    # When the benchmark runs
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)

    # Then it exits 0, prints both rates, and the engine did its work
    assert run.returncode == 0, run.stdout + run.stderr
    assert "events/s" in run.stdout
    assert "invariants: OK" in run.stdout
    sqlite = json.loads(figures.read_text())["sqlite"]
    assert sqlite["engine"]["events_per_s"] > 0 and sqlite["baseline"]["events_per_s"] > 0
    assert sqlite["written"]["firings"] > 0 and sqlite["problems"] == []
    # and the second run, with 200 rules on every metric, checked against the same fold
    many = sqlite["many_rules"]
    assert many["rules"] == 200 and many["engine"]["events_per_s"] > 0
    assert many["written"]["firings"] > sqlite["written"]["firings"]
    assert "200 rules on every metric" in run.stdout
