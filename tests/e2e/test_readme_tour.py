"""README.md as a reader meets it: its tables render, and its shell blocks (the tour,
"Make your own store", the HTTP API's curl lines) run top to bottom against a fresh
database with no network, every command succeeding.

README is read when the test runs, so a changed command in README is what is tested.
`milepost serve --demo` runs as README's first block says, on a free port; the curl
lines get its printed key and port. Every Python process the commands start refuses to
reach anything but this machine (a `sitecustomize` that patches the socket module), and
the test asserts none tried."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from markdown_it import MarkdownIt

from support.cli import MilepostCli

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
NOT_RUN = ("pip install", "benchmarks/")  # installing, the test suite itself, benchmarks

OFFLINE = """
import os, socket

_LOCAL = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None}
_real_getaddrinfo, _real_connect = socket.getaddrinfo, socket.socket.connect


def _refuse(what):
    with open(os.environ["MILEPOST_TEST_NETWORK_LOG"], "a") as log:
        log.write(f"{os.getpid()} {what}\\n")
    raise OSError(f"no network in this test: {what}")


def getaddrinfo(host, *args, **kwargs):
    if host not in _LOCAL:
        _refuse(f"getaddrinfo {host}")
    return _real_getaddrinfo(host, *args, **kwargs)


def connect(self, address):
    if isinstance(address, tuple) and address[0] not in _LOCAL and not str(address[0]).startswith("127."):
        _refuse(f"connect {address[0]}")
    return _real_connect(self, address)


socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect
"""


def markdown() -> list:  # type: ignore[type-arg]
    return MarkdownIt("commonmark").enable("table").parse(README.read_text())


def shell_blocks() -> list[str]:
    return [t.content for t in markdown() if t.type == "fence" and t.info.strip() in ("sh", "bash", "shell")]


def test_every_table_line_of_the_readme_is_in_a_table() -> None:
    tokens = markdown()
    in_tables = {n for t in tokens if t.type == "table_open" and t.map for n in range(*t.map)}
    in_code = {n for t in tokens if t.type == "fence" and t.map for n in range(*t.map)}
    lines = README.read_text().splitlines()
    stray = [n + 1 for n, line in enumerate(lines) if line.startswith("|") and n not in in_tables | in_code]
    assert stray == [], f"README lines {stray} start with | but render as text (a blank line inside a table?)"
    assert all(t.info.strip() for t in tokens if t.type == "fence"), "a code block without its language"


@pytest.mark.slow
def test_the_tour_runs_offline_top_to_bottom(fresh: MilepostCli, tmp_path: Path) -> None:
    blocks = shell_blocks()
    assert any("milepost serve --demo" in b for b in blocks)  # what the test starts below
    tour = [b for b in blocks if not any(skip in b for skip in NOT_RUN)]
    assert any("milepost customers show ada" in b for b in tour) and any("curl" in b for b in tour)

    env = offline(fresh, tmp_path)
    network = tmp_path / "network.log"
    probe = [sys.executable, "-c", "import socket; socket.getaddrinfo('example.com', 443)"]
    assert subprocess.run(probe, env=env, capture_output=True, timeout=60).returncode != 0  # the guard holds
    assert "getaddrinfo example.com" in network.read_text()
    network.unlink()
    server, url, key = serve_demo(env, tmp_path)
    try:
        for block in tour:
            script = block.replace("KEY=mpk_...", f"KEY={key}").replace("http://127.0.0.1:8000", url)
            done = subprocess.run(
                ["bash", "--norc", "-e", "-o", "pipefail", "-x", "-c", script],
                cwd=tmp_path / "work",
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, f"README block failed:\n{block}\n{done.stdout}\n{done.stderr}"
            assert "Traceback" not in done.stderr, done.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not network.exists() or network.read_text() == "", network.read_text()


def offline(fresh: MilepostCli, tmp_path: Path) -> dict[str, str]:
    """`fresh`'s environment with `milepost` on the PATH, no proxy, curl failing on an
    HTTP error, and every Python process kept on this machine."""
    bin_dir, site, work = tmp_path / "bin", tmp_path / "site", tmp_path / "work"
    for folder in (bin_dir, site, work):
        folder.mkdir()
    (bin_dir / "milepost").write_text(f'#!/bin/sh\nexec {sys.executable} -m milepost.entrypoints.cli "$@"\n')
    (bin_dir / "milepost").chmod(0o755)
    (site / "sitecustomize.py").write_text(OFFLINE)
    (tmp_path / ".curlrc").write_text("fail\nsilent\nshow-error\nmax-time = 30\n")
    env = {k: v for k, v in fresh.env.items() if "proxy" not in k.lower()}
    return {
        **env,
        "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}",
        "PYTHONPATH": os.pathsep.join([str(site), env.get("PYTHONPATH", "")]),
        "HOME": str(tmp_path),
        "NO_PROXY": "*",
        "no_proxy": "*",
        "MILEPOST_TEST_NETWORK_LOG": str(tmp_path / "network.log"),
        "PYTHONUNBUFFERED": "1",
    }


def serve_demo(env: dict[str, str], tmp_path: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """`milepost serve --demo` on a free port, once it answers; its URL and printed key."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "serve.out"
    with out.open("wb") as sink:
        server = subprocess.Popen(
            ["milepost", "serve", "--demo", "--port", str(port)], stdout=sink, stderr=subprocess.STDOUT, env=env
        )
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, out.read_text()
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        raise AssertionError(f"serve --demo not ready\n{out.read_text()}")
    found = re.search(r"\b(mpk_\S+)", out.read_text())
    assert found, out.read_text()
    return server, url, found.group(1)
