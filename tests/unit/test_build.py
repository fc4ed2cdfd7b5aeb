"""The optional compiled build (setup.py): what it compiles exists, and a run that
expects it (MILEPOST_EXPECT_COMPILED=1, as CI's second pass) really imports it."""

from __future__ import annotations

import ast
import importlib
import os
from pathlib import Path

import pytest

from milepost.runtime import compiled

ROOT = Path(__file__).resolve().parents[2]


def compiled_modules() -> list[str]:
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "COMPILED" for t in node.targets):
            return [
                path.removeprefix("src/").removesuffix(".py").replace("/", ".") for path in ast.literal_eval(node.value)
            ]
    raise AssertionError("setup.py lists no COMPILED modules")


def test_the_compiled_build_names_modules_that_exist():
    modules = compiled_modules()
    assert "milepost.service.ingest" in modules  # what runtime.compiled() looks at
    # the hot path: the firing pipeline and the constructors shaped for the compiled build
    for hot in ("milepost.service.pipeline", "milepost.domain.construct", "milepost.service.rows"):
        assert hot in modules, hot
    for name in modules:
        assert (ROOT / "src" / (name.replace(".", "/") + ".py")).is_file(), name


@pytest.mark.skipif(os.environ.get("MILEPOST_EXPECT_COMPILED") != "1", reason="the interpreted run")
def test_a_run_that_expects_the_compiled_build_imports_it():
    assert compiled()
    for name in compiled_modules():
        module = importlib.import_module(name)
        assert not module.__file__.endswith(".py"), f"{name} was imported from {module.__file__}"
