"""The HTTP benchmark still runs end to end: a tiny run through the real script, on each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.benchmarks import BACKENDS, figures_of, run_benchmark

LINES = ("engine:", "HTTP batch:", "HTTP single:", "no-op batch:", "no-op single:", "ratios:", "target:")
# One server worker takes turns with the engine in this process; two run beside two engine
# processes: each way on one backend keeps the smoke run short and covers both code paths.
WORKERS = {"sqlite": [1], "postgresql": [2]}


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_http_benchmark_runs_all_five_measures_and_checks_its_invariants(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    # Given a tiny workload, served by one server worker (SQLite) or two (PostgreSQL)
    figures = tmp_path / "figures.json"
    sizes = ("--events", "2000", "--customers", "200", "--single-events", "300", "--noop-requests", "300")
    workers = ("--workers", *map(str, WORKERS[backend]))

    # When the benchmark runs
    run = run_benchmark("http_ingest", backend, request, figures, *sizes, *workers)

    # Then it exits 0, prints every measure and the ratios, and the invariants hold
    assert run.returncode == 0, run.stdout + run.stderr
    for line in LINES:
        assert line in run.stdout, run.stdout
    assert "invariants: FAILED" not in run.stdout
    assert run.stdout.count("invariants: OK") == len(WORKERS[backend])
    assert "PASS" in run.stdout or "BELOW" in run.stdout
    measured = figures_of(figures, backend)
    assert sorted(measured) == [f"workers_{n}" for n in WORKERS[backend]]
    for by_workers in measured.values():
        for measure in ("engine", "http_batch", "http_single", "noop_batch", "noop_single"):
            assert by_workers[measure]["events_per_s"] > 0, measure
        assert by_workers["http_batch"]["written"]["events"] == by_workers["engine"]["written"]["events"]
        assert by_workers["http_single"]["events"] == 300 and by_workers["problems"] == []
        assert set(by_workers["ratios"]) >= {"http_batch/engine", "http_batch/noop_batch", "http_single/engine"}
