"""Every benchmark, one after another, on SQLite and PostgreSQL: one command.

    python3 benchmarks/run.py                       # every script at its full size, both backends
    python3 benchmarks/run.py --smoke               # every script at a tiny size: does each still run?
    python3 benchmarks/run.py ingest http_ingest --backend postgresql --out /tmp/figures
    python3 benchmarks/run.py --smoke --dry-run     # the commands, not run

Each script runs as a subprocess (`python3 benchmarks/<script>.py --backend B ...`) with
its output passed through; its figures go to `--out` (a temporary directory unless
given) as `<script>-<backend>.json`. At the end a table says how each run ended and how
long it took; the runner exits 1 if any failed. Full-size runs take hours in all (the
admin benchmark populates a store of 10,000,000 events); measure on a quiet machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BACKENDS = ("sqlite", "postgresql")
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"

# Each benchmark script, with the arguments of its smoke run: a few seconds of work,
# enough to print every figure and check every invariant the full run checks.
SMOKE: dict[str, list[str]] = {
    "ingest": ["--events", "2000", "--customers", "200", "--programs", "60"],
    "http_ingest": ["--events", "600", "--customers", "60", "--single-events", "60", "--noop-requests", "100"],
    "delivery": ["--messages", "40"],
    "admin": [
        *("--customers", "100", "--events", "600", "--small-customers", "30", "--small-events", "200"),
        *("--repeat", "2", "--warmup", "1", "--fresh"),
    ],
    "daily": ["--customers", "3000"],
}
SCRIPTS = tuple(SMOKE)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("scripts", nargs="*", metavar="SCRIPT", help=f"of {', '.join(SCRIPTS)} (default: all)")
    p.add_argument("--backend", choices=(*BACKENDS, "both"), default="both")
    p.add_argument("--smoke", action="store_true", help="tiny sizes: each script still runs and checks out")
    p.add_argument("--postgres-url", default=DEFAULT_PG)
    p.add_argument("--out", type=Path, help="where the figures go (<script>-<backend>.json)")
    p.add_argument("--dry-run", action="store_true", help="print the commands only")
    p.add_argument("--list", action="store_true", help="print the benchmark scripts and exit")
    args = p.parse_args(argv)
    unknown = [s for s in args.scripts if s not in SCRIPTS]
    if unknown:
        p.error(f"no benchmark named {', '.join(unknown)}; there are {', '.join(SCRIPTS)}")
    args.scripts = args.scripts or list(SCRIPTS)
    return args


def command(script: str, backend: str, smoke: bool, postgres_url: str, out: Path) -> list[str]:
    """How `script` runs on `backend`."""
    sizes = SMOKE[script] if smoke else []
    if script == "admin" and smoke:
        sizes = [*sizes, "--data-dir", str(out / "admin-data")]  # a smoke run leaves no cached database
    return [
        sys.executable,
        str(HERE / f"{script}.py"),
        *("--backend", backend, "--postgres-url", postgres_url),
        *sizes,
        *("--json", str(out / f"{script}-{backend}.json")),
    ]


def run_all(args: argparse.Namespace, out: Path) -> list[tuple[str, str, int, float]]:
    """Each script on each backend; (script, backend, exit code, seconds) of each."""
    ended = []
    for script in args.scripts:
        for backend in BACKENDS if args.backend == "both" else (args.backend,):
            cmd = command(script, backend, args.smoke, args.postgres_url, out)
            print(f"\n$ {' '.join(cmd)}", flush=True)
            if args.dry_run:
                continue
            started = time.perf_counter()
            code = subprocess.run(cmd, check=False).returncode
            ended.append((script, backend, code, time.perf_counter() - started))
    return ended


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        print("\n".join(SCRIPTS))
        return 0
    with tempfile.TemporaryDirectory(prefix="milepost-bench-run-") as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        ended = run_all(args, out)
    if args.dry_run:
        return 0
    print("\nbenchmarks:")
    for script, backend, code, seconds in ended:
        print(f"  {script:<12} {backend:<11} {'OK' if code == 0 else f'FAILED (exit {code})':<16} {seconds:,.0f} s")
    if args.out:
        print(f"figures: {args.out}/<script>-<backend>.json")
    return 1 if any(code for *_, code, _ in ended) else 0


if __name__ == "__main__":
    sys.exit(main())
