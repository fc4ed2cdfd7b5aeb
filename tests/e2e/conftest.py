"""What the end-to-end tests share: the real command on an empty database of each backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from support.cli import MilepostCli


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MilepostCli]:
    """The real command on an empty database of each backend."""
    if request.param == "sqlite":
        yield MilepostCli(tmp_path)
        return
    server = request.getfixturevalue("postgres_server")
    schema = f"milepost_cli_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(sa.make_url(server).set(drivername="postgresql+psycopg"), poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = sa.make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
        yield MilepostCli(tmp_path, MILEPOST_DATABASE_URL=url.render_as_string(hide_password=False))
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
