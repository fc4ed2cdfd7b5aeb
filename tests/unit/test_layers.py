"""The layers of docs/design.md ("The shape of the code"): dependencies point inwards.
The domain imports nothing of Milepost's outer rooms; the service layer, the relay and the
scheduler reach storage and channels only through the ports handed to them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import milepost

ROOT = Path(milepost.__file__).parent

FORBIDDEN = {
    "domain": (
        "milepost.service",
        "milepost.capabilities",
        "milepost.adapters",
        "milepost.entrypoints",
        "milepost.relay",
        "milepost.scheduler",
        "milepost.bootstrap",
    ),
    "service": (
        "milepost.capabilities",
        "milepost.adapters",
        "milepost.entrypoints",
        "milepost.relay",
        "milepost.bootstrap",
    ),
    "relay": ("milepost.adapters", "milepost.entrypoints", "milepost.capabilities", "milepost.bootstrap"),
    "scheduler": ("milepost.adapters", "milepost.entrypoints", "milepost.bootstrap"),
    "capabilities": ("milepost.entrypoints",),
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_a_room_imports_only_inwards(room: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / room).rglob("*.py"))
        for name in sorted(imports(path))
        if name.startswith(FORBIDDEN[room])
    ]
    assert wrong == []
