"""The delivery benchmark still runs end to end: its smoke run through the real script, on each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.benchmarks import BACKENDS, figures_of, run_benchmark

RUNS = (
    "webhooks, 1 worker",
    "webhooks, 4 workers",
    "httpx bare loop, 8 threads",
    "emails, 1 worker",
    "smtplib bare loop, 8 threads",
)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_delivery_benchmark_delivers_every_message_and_counts_it_at_the_receivers(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    # Given the smoke run (300 messages per run)
    figures = tmp_path / "figures.json"

    # When the benchmark runs
    run = run_benchmark("delivery", backend, request, figures, "--quick", timeout=600)

    # Then it exits 0, every run is printed, and each receiver counted every message the database shows sent
    assert run.returncode == 0, run.stdout + run.stderr
    assert "invariants: OK" in run.stdout and "of the bare loop's rate:" in run.stdout
    measured = figures_of(figures, backend)
    for label in RUNS:
        assert label in run.stdout
        m = measured[label]
        assert m["deliveries_per_s"] > 0 and m["received"] == m["messages"] == 300, (label, m)
        assert m["problems"] == [], (label, m)
        if "bare loop" not in label:
            assert m["sent_in_db"] == 300, (label, m)
