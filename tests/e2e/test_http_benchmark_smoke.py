"""The HTTP benchmark still runs end to end: a tiny SQLite run through the real script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "http_ingest.py"
LINES = ("engine:", "HTTP batch:", "HTTP single:", "no-op batch:", "no-op single:", "ratios:", "target:")


@pytest.mark.slow
def test_http_benchmark_runs_all_five_measures_and_checks_its_invariants(tmp_path: Path) -> None:
    # Given a tiny workload on SQLite, one server worker
    figures = tmp_path / "figures.json"
    command = [
        sys.executable,
        str(SCRIPT),
        "--events",
        "2000",
        "--customers",
        "200",
        "--single-events",
        "300",
        "--backend",
        "sqlite",
        "--json",
        str(figures),
    ]

    # When the benchmark runs
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)

    # Then it exits 0, prints every measure and the ratios, and the invariants hold
    assert run.returncode == 0, run.stdout + run.stderr
    for line in LINES:
        assert line in run.stdout, run.stdout
    assert "invariants: OK" in run.stdout
    assert "PASS" in run.stdout or "BELOW" in run.stdout
    sqlite = json.loads(figures.read_text())["sqlite"]["workers_1"]
    for measure in ("engine", "http_batch", "http_single", "noop_batch", "noop_single"):
        assert sqlite[measure]["events_per_s"] > 0, measure
    assert sqlite["http_batch"]["written"]["events"] == sqlite["engine"]["written"]["events"]
    assert sqlite["http_single"]["events"] == 300 and sqlite["problems"] == []
    assert set(sqlite["ratios"]) >= {"http_batch/engine", "http_batch/noop_batch", "http_single/engine"}
