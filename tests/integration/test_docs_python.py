"""The Python API's documentation runs: the code blocks of docs/reference/python.md, one
after the other as one program, and README's example, each on a fresh embedded SQLite
database. The reference names every public method of every capability."""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path

import pytest

from milepost.bootstrap import Milepost
from milepost.capabilities.wiring import Capability

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference" / "python.md"
CODE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def code_blocks(path: Path) -> list[str]:
    return CODE.findall(path.read_text())


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`connect()` with no arguments opens a new SQLite file, whatever the suite's settings."""
    for name in [n for n in os.environ if n.startswith("MILEPOST_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("MILEPOST_DATA_DIR", str(tmp_path))


def run(blocks: list[str], where: Path) -> None:
    namespace: dict[str, object] = {}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"{where.name}, python block {number}", "exec"), namespace)


@pytest.mark.usefixtures("embedded")
def test_the_reference_examples_run() -> None:
    blocks = code_blocks(REFERENCE)
    assert len(blocks) > 10
    run(blocks, REFERENCE)


@pytest.mark.usefixtures("embedded")
def test_the_readme_example_runs() -> None:
    readme = ROOT / "README.md"
    (block,) = [b for b in code_blocks(readme) if "connect" in b]
    run([block], readme)


def capabilities() -> dict[str, type[Capability]]:
    """Milepost's capability attributes and their classes, as `__init__` builds them."""
    mp = Milepost.__new__(Milepost)
    Milepost.__init__(mp, db=None)  # type: ignore[arg-type]  # no database is touched
    return {name: type(value) for name, value in vars(mp).items() if isinstance(value, Capability)}


def sections(text: str) -> dict[str, str]:
    """The reference's sections by their heading."""
    parts = re.split(r"^## (.*)$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_reference_names_every_method_of_every_capability() -> None:
    found = capabilities()
    assert {"stores", "programs", "ledgers", "codes", "webhooks", "deliveries", "users", "reports"} <= set(found)
    by_heading = sections(REFERENCE.read_text())
    missing = []
    for name, cls in found.items():
        (heading,) = [h for h in by_heading if f"`mp.{name}`" in h] or [f"no section for mp.{name}"]
        text, alone = by_heading.get(heading, ""), heading == f"`mp.{name}`"
        for method, _ in inspect.getmembers(cls, inspect.isfunction):
            named = f"`{name}.{method}(" in text or (alone and f"`{method}(" in text)
            if not method.startswith("_") and not named:
                missing.append(f"mp.{name}.{method}")
    assert missing == []
