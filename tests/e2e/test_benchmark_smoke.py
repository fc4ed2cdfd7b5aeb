"""The ingest benchmark still runs end to end: a tiny run through the real script, on each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.benchmarks import BACKENDS, figures_of, run_benchmark


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("backend", BACKENDS)
def test_ingest_benchmark_runs_and_checks_its_invariants(
    tmp_path: Path, backend: str, workers: int, request: pytest.FixtureRequest
) -> None:
    # Given a tiny workload, ingested by one process or by two sharing the customers
    figures = tmp_path / "figures.json"

    # When the benchmark runs
    run = run_benchmark(
        "ingest", backend, request, figures, "--events", "2000", "--customers", "200", "--workers", str(workers)
    )

    # Then it exits 0, prints both rates, and the engine did its work
    assert run.returncode == 0, run.stdout + run.stderr
    assert "events/s" in run.stdout
    assert "invariants: OK" in run.stdout
    measured = figures_of(figures, backend)
    assert measured["engine"]["events_per_s"] > 0 and measured["baseline"]["events_per_s"] > 0
    assert measured["written"]["firings"] > 0 and measured["problems"] == []
    # and the second run, with 200 rules on every metric, checked against the same fold
    many = measured["many_rules"]
    assert many["rules"] == 200 and many["engine"]["events_per_s"] > 0
    assert many["written"]["firings"] > measured["written"]["firings"]
    assert "200 rules on every metric" in run.stdout
    # and on PostgreSQL with one process, the stream through its lanes, checked the same way
    if backend == "postgresql" and workers == 1:
        assert measured["stream"]["lanes"] == 2 and measured["stream"]["engine"]["events_per_s"] > 0
        assert "engine, stream:" in run.stdout and "best of one process:" in run.stdout
    else:
        assert "stream" not in measured
