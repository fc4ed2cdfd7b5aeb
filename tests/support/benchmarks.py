"""The scripts of benchmarks/, run as a person runs them, on one backend at a tiny size."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def run_benchmark(
    script: str, backend: str, request: pytest.FixtureRequest, figures: Path, *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`python benchmarks/<script>.py --backend <backend> <args> --json <figures>`; on PostgreSQL,
    against the test server (skipped, or failed under CI=true, when it does not answer)."""
    url = request.getfixturevalue("postgres_server") if backend == "postgresql" else ""
    command = [sys.executable, str(BENCHMARKS / f"{script}.py"), "--backend", backend, *args, "--json", str(figures)]
    if url:
        command += ["--postgres-url", url]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def figures_of(path: Path, backend: str) -> dict[str, Any]:
    """The figures the script wrote for `backend`."""
    return json.loads(path.read_text())[backend]
