"""The real `milepost` command, run as a subprocess on one data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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
        done = subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, env=self.env, timeout=60)
        assert done.returncode == expect, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)
