"""Engines for SQLite and PostgreSQL, and the migrations that shape them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration. A test checks it against the migrations folder; it lets
#: `migrate` skip loading Alembic when the schema is already current.
HEAD = "0027"


#: SQLite's own checkpoint, inside a commit, once the log holds this many pages (4 KiB
#: each). The background checkpointer (checkpoint.py) copies most of them before; this
#: one, which can reset the log, also syncs both files while the batch waits, so the
#: rarer the better: at 20,000 pages (an 80 MiB log) it ran every 15 batches of a busy
#: stream and its batches spent 15% of the time waiting; at 50,000 (up to 200 MiB on
#: disk) 7-10%.
WAL_PAGES = 50_000


def make_engine(url: str, busy_timeout_ms: int = 30_000, wal_pages: int = WAL_PAGES) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and BEGIN IMMEDIATE writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_ms, wal_pages)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_engine(url: str, busy_timeout_ms: int, wal_pages: int = WAL_PAGES) -> Engine:
    # The driver binds a bool as the integer it is, but only after looking for an
    # adapter and failing, which raises and formats an AttributeError per value.
    sqlite3.register_adapter(bool, int)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"isolation_level": None, "timeout": busy_timeout_ms / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA page_size=4096")  # takes effect on a new database only
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe against corruption
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB
        # Checkpoints run in a background thread (checkpoint.py); this is the backstop.
        cursor.execute(f"PRAGMA wal_autocheckpoint={int(wal_pages)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the lock up front: no deadlock between two upgrading readers.
        mode = connection.get_execution_options().get("milepost_mode", "write")
        connection.exec_driver_sql("BEGIN" if mode == "read" else "BEGIN IMMEDIATE")

    return engine


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(engine: Engine) -> str | None:
    """The schema's migration revision, or None for a database not yet migrated."""
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(milepost_mode="read")
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except sa_exc.DBAPIError:
        return None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (idempotent)."""
    if revision == "head" and current_revision(engine) == HEAD:
        return
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
