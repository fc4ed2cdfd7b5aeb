"""Transactions, and the one place where driver errors become Milepost errors."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import Engine, text
from sqlalchemy import exc as sa_exc

from milepost.adapters.storage.checkpoint import Checkpointer
from milepost.adapters.storage.engine import WAL_PAGES, make_engine, migrate
from milepost.adapters.storage.tx import Tx
from milepost.errors import Conflict, RetryableStorageError, StorageError, ValidationError

T = TypeVar("T")

# SQLSTATEs worth another try: serialization failure, deadlock, lock not available.
_RETRYABLE_PG = {"40001", "40P01", "55P03"}


class Database:
    """The storage adapter: opens transactions and hands out `Tx` objects."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        path = engine.url.database if self.dialect == "sqlite" else None
        self._checkpointer = Checkpointer(path).start() if path and path != ":memory:" else None
        # store id -> (rules version, the service's index of its active rules)
        self.rule_indexes: dict[int, tuple[int, Any]] = {}
        # store id -> (rules version, its event-triggered automations)
        self.automation_cache: dict[int, tuple[int, Any]] = {}
        # SQLite has one writer at a time. Threads of this process queue here, in order,
        # instead of polling the database lock with the busy handler's growing sleeps.
        self._writer: AbstractContextManager[Any] = threading.Lock() if self.dialect == "sqlite" else nullcontext()
        # A stream of events is stored in two lanes on PostgreSQL, so the server works
        # on one lane's batch while this process prepares the other's; SQLite has one
        # writer, so one lane.
        self.ingest_lanes = 2 if self.dialect == "postgresql" else 1

    @classmethod
    def from_url(
        cls, url: str, busy_timeout_ms: int = 30_000, migrate_schema: bool = True, wal_pages: int = WAL_PAGES
    ) -> Database:
        """Open (and by default migrate) the database at `url`; a server that does not
        answer or a schema that cannot be migrated is a `StorageError`."""
        with translate_errors():
            try:
                engine = make_engine(url, busy_timeout_ms, wal_pages)
                if migrate_schema:
                    migrate(engine)
            except (sa_exc.ArgumentError, ModuleNotFoundError) as exc:
                raise StorageError(f"cannot open the database: {exc}") from exc
            except Exception as exc:
                if type(exc).__module__.startswith("alembic"):  # a migration that cannot run
                    raise StorageError(f"cannot migrate the database: {exc}") from exc
                raise
        return cls(engine)

    @contextmanager
    def write(self, rollback: bool = False) -> Iterator[Tx]:
        """A read-write transaction; commits when the block ends without error. With
        `rollback`, it is rolled back instead: everything the block did is run, seen by
        the block itself, and leaves no trace (a dry run, a simulation)."""
        with self._writer, translate_errors(), self.engine.connect() as conn, conn.begin() as transaction:
            tx = Tx(conn, self.dialect)
            yield tx
            if rollback:
                transaction.rollback()
            else:
                tx.flush_event_names()

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with translate_errors(), self.engine.connect() as conn:
            conn = conn.execution_options(milepost_mode="read")
            with conn.begin():
                yield Tx(conn, self.dialect)

    @contextmanager
    def session_lock(self, key: int) -> Iterator[bool]:
        """A lock on the database named by `key`, held until the block ends and not waited
        for: True when this process got it. On PostgreSQL a session advisory lock (a second
        process gets False); SQLite has one writer at a time, so always True there."""
        if self.dialect != "postgresql":
            yield True
            return
        with translate_errors(), self.engine.connect() as conn:
            held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            conn.commit()
            try:
                yield held
            finally:
                if held:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    conn.commit()

    def retrying(self, work: Callable[[], T], attempts: int = 5) -> T:
        """Run `work` again after a deadlock or lost race, with a short backoff."""
        for attempt in range(attempts):
            try:
                return work()
            except RetryableStorageError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()


@contextmanager
def translate_errors() -> Iterator[None]:
    try:
        yield
    except _driver_errors() as exc:  # raised through the raw cursor of the hot path
        raise _from_driver(exc) from exc
    except sa_exc.IntegrityError as exc:
        raise Conflict(_message(exc)) from exc
    except sa_exc.DataError as exc:
        if exc.orig is not None and "NUL (0x00)" in str(exc.orig):
            raise _from_driver(exc.orig) from exc
        raise StorageError(_message(exc)) from exc
    except sa_exc.OperationalError as exc:
        if _retryable(exc):
            raise RetryableStorageError(_message(exc)) from exc
        raise StorageError(_message(exc)) from exc
    except sa_exc.DBAPIError as exc:
        if _retryable(exc):
            raise RetryableStorageError(_message(exc)) from exc
        raise StorageError(_message(exc)) from exc


def _driver_errors(name: str = "Error") -> tuple[type[Exception], ...]:
    """The drivers' exception classes called `name`. psycopg counts only once it is
    loaded (by the PostgreSQL dialect), so SQLite users never pay for importing it."""
    psycopg = sys.modules.get("psycopg")
    found: tuple[type[Exception], ...] = (getattr(sqlite3, name),)
    return (*found, getattr(psycopg, name)) if psycopg is not None else found


def _from_driver(exc: Exception) -> Exception:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "NUL (0x00)" in message:  # PostgreSQL text cannot hold it; the input must change
        return ValidationError("text must not contain NUL characters", {"text": "contains a NUL character"})
    if isinstance(exc, _driver_errors("IntegrityError")):
        return Conflict(message)
    if _driver_retryable(exc):
        return RetryableStorageError(message)
    return StorageError(message)


def _driver_retryable(exc: BaseException) -> bool:
    if getattr(exc, "sqlstate", None) in _RETRYABLE_PG:
        return True
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text


def _retryable(exc: sa_exc.DBAPIError) -> bool:
    return _driver_retryable(exc.orig) if exc.orig is not None else False


def _message(exc: sa_exc.DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
