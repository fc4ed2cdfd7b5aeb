"""Browser tests of the admin UI: Playwright driving Debian's Chromium (/usr/bin/chromium,
which `.ci/run` installs with apt-get) against a real server around the test's database.

Without Chromium they are skipped on a workstation and fail in CI (CI=true). Set
MILEPOST_SCREENSHOTS to a directory to keep the pages' screenshots there
(docs/screenshots/ holds the ones README shows).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import PASSWORD

from milepost import Milepost
from milepost.config import Settings
from milepost.entrypoints.http import create_app
from support.live import serve

CHROMIUM = os.environ.get("MILEPOST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        return  # let them fail: CI must have the browser
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def live_url(mp: Milepost) -> Iterator[str]:
    mp.settings = Settings(webhooks_allow_private=True)
    with serve(create_app(mp, mp.settings)) as url:
        yield url


@pytest.fixture
def administrator(mp: Milepost) -> str:
    email = f"admin-{uuid.uuid4().hex[:8]}@shop.example"
    mp.users.create(email, "Ada Admin", PASSWORD, "administrator")
    return email


@pytest.fixture
def shots(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Where the test's screenshots go."""
    wanted = os.environ.get("MILEPOST_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder
