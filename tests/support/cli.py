"""The `milepost` command on one data directory, as the tests run it.

`MilepostCli` runs the command's click group in this process (click's `CliRunner`) with
the environment a subprocess would get: the same arguments, stdin, settings, stdout,
stderr and exit code, without starting a Python interpreter and importing Milepost for
every command (seconds each). `MilepostProcess` runs the real `python -m
milepost.entrypoints.cli` as a subprocess, for the tests that need a process of its own
(spawned workers, signals) or that test the entry point itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

from click.testing import CliRunner

CLI = [sys.executable, "-m", "milepost.entrypoints.cli"]


def cli_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """This environment without MILEPOST_* settings, on `data_dir`, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILEPOST_")}
    env.update(MILEPOST_DATA_DIR=str(data_dir), COLUMNS="200", **settings)
    return env


class MilepostCli:
    """Runs `milepost ...` on one data directory; asserts the exit code and no traceback."""

    def __init__(self, data_dir: Path, **settings: str) -> None:
        self.data_dir = data_dir
        self.env = cli_env(data_dir, **settings)

    def __call__(self, *args: str, stdin: str | None = None, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = self.run(list(args), stdin)
        assert done.returncode == expect, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)

    def run(self, args: list[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
        """The command in this process, in `self.env` (os.environ's other MILEPOST_* unset);
        an exception that escapes it is on stderr as its traceback, as Python prints it."""
        from milepost.entrypoints.cli import cli

        overrides: dict[str, str | None] = {k: None for k in os.environ if k.startswith("MILEPOST_")}
        overrides.update({k: v for k, v in self.env.items() if os.environ.get(k) != v})
        result = CliRunner().invoke(cli, args, input=stdin, env=overrides, prog_name="milepost")
        stderr = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            stderr += "".join(traceback.format_exception(*result.exc_info))
        return subprocess.CompletedProcess(["milepost", *args], result.exit_code, result.stdout, stderr)


class MilepostProcess(MilepostCli):
    """`MilepostCli` as the real command: a `python -m milepost.entrypoints.cli` subprocess each time."""

    def run(self, args: list[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, env=self.env, timeout=60)
