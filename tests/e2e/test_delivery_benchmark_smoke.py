"""The delivery benchmark still runs end to end: its smoke run through the real script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "delivery.py"
RUNS = (
    "webhooks, 1 worker",
    "webhooks, 4 workers",
    "httpx bare loop, 8 threads",
    "emails, 1 worker",
    "smtplib bare loop, 8 threads",
)


@pytest.mark.slow
@pytest.mark.postgres
def test_delivery_benchmark_delivers_every_message_and_counts_it_at_the_receivers(
    postgres_server: str, tmp_path: Path
) -> None:
    # Given the smoke run (300 messages per run) on the test PostgreSQL server
    figures = tmp_path / "figures.json"
    command = [sys.executable, str(SCRIPT), "--quick", "--postgres-url", postgres_server, "--json", str(figures)]

    # When the benchmark runs
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)

    # Then it exits 0, every run is printed, and each receiver counted every message the database shows sent
    assert run.returncode == 0, run.stdout + run.stderr
    assert "invariants: OK" in run.stdout and "of the bare loop's rate:" in run.stdout
    measured = json.loads(figures.read_text())
    for label in RUNS:
        assert label in run.stdout
        m = measured[label]
        assert m["deliveries_per_s"] > 0 and m["received"] == m["messages"] == 300, (label, m)
        assert m["problems"] == [], (label, m)
        if "bare loop" not in label:
            assert m["sent_in_db"] == 300, (label, m)
