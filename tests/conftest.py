"""Backends for the whole suite: one abstract test suite run on SQLite and PostgreSQL.

- `sqlite_url`: a session-scoped SQLite file in a temporary directory, migrated once.
- `postgres_url`: a session-scoped PostgreSQL schema with a random name on the server at
  MILEPOST_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test), migrated
  once and dropped at the end. No server: the PostgreSQL tests skip, unless CI=true.
- `mp`: a connected Milepost on each backend, with a frozen, settable `clock`.
- `store`: a store with a random key; isolation comes from the key, not from cleanup.

Under pytest-xdist (README's command runs the suite on one worker per CPU) each worker
has a PostgreSQL database of its own beside the configured one (`test_gw0`, `test_gw1`,
...), created when missing. Passwords are hashed at a low cost (MILEPOST_PASSWORD_HASH_COST)
in the tests' own processes: the suite signs in hundreds of users.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import settings

from milepost import Milepost, connect
from milepost.adapters.storage.database import Database
from milepost.testing import FrozenClock

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

# No example database in the working tree; failures print a reproduction blob instead.
settings.register_profile("milepost", database=None, deadline=None, print_blob=True)
settings.load_profile("milepost")

# Every Settings() the tests build hashes passwords cheaply; the setting's default is untouched.
os.environ.setdefault("MILEPOST_PASSWORD_HASH_COST", str(2**4))


@pytest.fixture
def clock() -> FrozenClock:
    """Frozen at 2026-03-01 12:00 UTC; tests move it with .set() and .advance()."""
    return FrozenClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))


# -- SQLite ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("milepost-sqlite") / "milepost.db"
    url = f"sqlite:///{path}"
    connect(url).close()  # migrates
    return url


@pytest.fixture(scope="session")
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    db = Database.from_url(sqlite_url, migrate_schema=False)
    yield db
    db.dispose()


# -- PostgreSQL ------------------------------------------------------------------------------


def _server_url() -> str:
    return os.environ.get("MILEPOST_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _server_engine(url: str) -> sa.Engine:
    return sa.create_engine(sa.engine.make_url(url).set(drivername="postgresql+psycopg"), poolclass=sa.NullPool)


def schema_url(server_url: str, schema: str) -> str:
    """`server_url` with every connection's search_path set to `schema`."""
    sep = "&" if "?" in server_url else "?"
    return f"{server_url}{sep}options={quote(f'-csearch_path={schema}', safe='')}"


def _worker_database(url: str) -> str:
    """`url` itself, or under pytest-xdist a database of this worker's own beside it
    (`test_gw0`, `test_gw1`, ...), created when missing: advisory locks, such as the
    scheduler's, are held per database, so two workers must not share one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = sa.engine.make_url(url)
    name = f"{parsed.database}_{worker}"
    engine = _server_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if found is None:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The server URL (this worker's database under pytest-xdist), or a skip (a failure
    when CI=true) if it does not answer."""
    url = _server_url()
    engine = _server_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL at {url} does not answer and CI=true: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL at {url} does not answer: {exc.__class__.__name__}")
    finally:
        engine.dispose()
    return _worker_database(url)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: str) -> Iterator[str]:
    schema = f"milepost_test_{uuid.uuid4().hex[:12]}"
    admin = _server_engine(postgres_server)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(postgres_server, schema)
    try:
        connect(url).close()  # migrates the fresh schema
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_db(postgres_url: str) -> Iterator[Database]:
    db = Database.from_url(postgres_url, migrate_schema=False)
    yield db
    db.dispose()


# -- the Python API on each backend ------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


_FIXTURE_PREFIX = {"sqlite": "sqlite", "postgresql": "postgres"}


@pytest.fixture
def database(backend: str, request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue(f"{_FIXTURE_PREFIX[backend]}_db")


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"{_FIXTURE_PREFIX[backend]}_url")


@pytest.fixture
def mp(database: Database, clock: FrozenClock) -> Milepost:
    """Milepost on a shared, migrated database; the engine is shared across tests."""
    return Milepost(database, clock)


def new_store_key() -> str:
    return f"s-{uuid.uuid4().hex}"


@pytest.fixture
def store(mp: Milepost) -> str:
    key = new_store_key()
    mp.stores.create(key, "Test shop", currency="USD", timezone="UTC")
    return key
