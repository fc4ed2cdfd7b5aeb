"""The daily benchmark still runs end to end: a tiny store through the real script, on each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.benchmarks import BACKENDS, figures_of, run_benchmark


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_daily_benchmark_runs_and_finds_the_audience_by_its_index(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    figures = tmp_path / "figures.json"

    run = run_benchmark("daily", backend, request, figures, "--customers", "3000", "--date", "2026-06-15")

    assert run.returncode == 0, run.stdout + run.stderr
    assert "customers/s" in run.stdout and "bare SQL audience of 2026-06-15" in run.stdout
    measured = figures_of(figures, backend)
    assert measured["audience"]["uses_index"] and measured["audience"]["customers"] > 0
    assert measured["run_daily"]["days"] == 1 and measured["run_daily"]["seconds"] > 0
    assert measured["setup"]["anniversary_installed"] is True
    automation = measured["run_daily"]["automation"]
    assert automation["audience"] == measured["audience"]["customers"] == automation["fired"]
    assert "automation:" in run.stdout and "run_automations" in run.stdout
