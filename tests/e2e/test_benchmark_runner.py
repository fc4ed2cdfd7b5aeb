"""benchmarks/run.py knows every benchmark script, each has a smoke test on both backends,
and the runner's smoke arguments are ones each script accepts: no benchmark can rot unseen."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from support.benchmarks import BENCHMARKS

RUNNER = BENCHMARKS / "run.py"
_spec = importlib.util.spec_from_file_location("benchmarks_run", RUNNER)
assert _spec is not None and _spec.loader is not None
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)  # the standard library only: nothing of the benchmarks is imported


def test_the_runner_runs_every_script_of_benchmarks() -> None:
    # Given the Python files of benchmarks/ that run as a script (the runner aside)
    runnable = {
        path.stem
        for path in BENCHMARKS.glob("*.py")
        if 'if __name__ == "__main__":' in path.read_text() and path != RUNNER
    }

    # Then the runner runs each of them, and nothing else
    assert sorted(run.SCRIPTS) == sorted(runnable)
    listed = subprocess.run([sys.executable, str(RUNNER), "--list"], capture_output=True, text=True, check=True)
    assert listed.stdout.split() == list(run.SCRIPTS)


def test_every_script_has_a_smoke_test_on_both_backends() -> None:
    texts = [path.read_text() for path in Path(__file__).resolve().parent.glob("test_*benchmark_smoke*.py")]
    for script in run.SCRIPTS:
        runs_it = [text for text in texts if re.search(rf'run_benchmark\(\s*"{script}"', text)]
        assert runs_it, f"no test in tests/e2e/test_*benchmark_smoke*.py runs benchmarks/{script}.py"
        assert all('parametrize("backend", BACKENDS)' in text for text in runs_it), script


def test_the_smoke_run_is_every_script_on_both_backends() -> None:
    # When the runner is asked for its smoke run, without running it
    dry = subprocess.run(
        [sys.executable, str(RUNNER), "--smoke", "--dry-run"], capture_output=True, text=True, check=True
    )

    # Then it is each script on SQLite, then on PostgreSQL
    commands = [line.split()[1:] for line in dry.stdout.splitlines() if line.startswith("$ ")]
    found = [(Path(c[1]).stem, c[c.index("--backend") + 1]) for c in commands]
    assert found == [(script, backend) for script in run.SCRIPTS for backend in ("sqlite", "postgresql")]


@pytest.mark.parametrize("script", run.SCRIPTS)
def test_each_script_accepts_the_runners_smoke_arguments(script: str) -> None:
    # Given the runner's smoke command line for the script on each backend
    commands = [
        run.command(script, backend, True, "postgresql://localhost/x", Path("/tmp/figures"))[2:]
        for backend in ("sqlite", "postgresql")
    ]

    # When the script's own argument parser reads them (in a fresh interpreter; nothing runs)
    check = (
        f"import json, sys; sys.path.insert(0, {str(BENCHMARKS)!r}); import {script}\n"
        f"for argv in json.loads(sys.argv[1]): args = {script}.parse_args(argv); print(args.backend, args.json)"
    )
    parsed = subprocess.run([sys.executable, "-c", check, json.dumps(commands)], capture_output=True, text=True)

    # Then they parse
    assert parsed.returncode == 0, parsed.stderr
    assert parsed.stdout.split() == [
        word for backend in ("sqlite", "postgresql") for word in (backend, f"/tmp/figures/{script}-{backend}.json")
    ]
