"""Milepost's build. Everything is in pyproject.toml but the optional compiled build:
with MILEPOST_COMPILE=1 (and mypy installed), the modules of the ingest hot path are
compiled with mypyc into C extensions. The code is the same; the interpreter's work per
event shrinks (docs/performance.md has the figures).

    pip install mypy wheel && MILEPOST_COMPILE=1 pip install --no-build-isolation .

Not with `pip install -e`: the compiled modules would sit beside the sources and be
imported instead of them, so an edit would not show until the next build.
"""

import os

from setuptools import setup

#: What MILEPOST_COMPILE=1 compiles: the pure engine, the ingest service with its firing
#: pipeline, and the rows storage builds for it, the code that runs once or more per
#: event. The constructors shaped for it are gathered in domain/construct.py,
#: service/rows.py and adapters/storage/rows.py. The storage's query
#: classes stay interpreted: they are mixins, which mypyc does not compile.
COMPILED = [
    "src/milepost/adapters/storage/rows.py",
    "src/milepost/adapters/storage/times.py",
    "src/milepost/domain/aggregates.py",
    "src/milepost/domain/construct.py",
    "src/milepost/domain/due.py",
    "src/milepost/domain/engine.py",
    "src/milepost/domain/events.py",
    "src/milepost/domain/firing.py",
    "src/milepost/domain/journeys.py",
    "src/milepost/domain/orders.py",
    "src/milepost/domain/records.py",
    "src/milepost/domain/rules.py",
    "src/milepost/domain/tuples.py",
    "src/milepost/service/effects.py",
    "src/milepost/service/ingest.py",
    "src/milepost/service/pipeline.py",
    "src/milepost/service/results.py",
    "src/milepost/service/rows.py",
]


def ext_modules() -> list:
    if os.environ.get("MILEPOST_COMPILE") != "1":
        return []
    from mypyc.build import mypycify

    # the modules they import are read for their types, not checked: they run interpreted;
    # libraries not installed yet (a fresh build) are taken as untyped; pyproject's
    # [tool.mypy] (the strict check of all of src/) is not the compiler's business
    flags = ["--config-file=", "--follow-imports=silent", "--ignore-missing-imports"]
    return mypycify([*flags, *COMPILED], opt_level="3")


setup(ext_modules=ext_modules())
