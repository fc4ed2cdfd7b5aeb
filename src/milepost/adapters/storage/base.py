"""Dialect helpers shared by the query mixins: placeholders, IN lists, timestamps."""

from __future__ import annotations

import orjson
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from milepost.adapters.storage.tables import sqlite_time


class TxBase:
    def __init__(self, conn: Connection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect
        self.pg = dialect == "postgresql"
        self.ph = "%s" if self.pg else "?"
        self._cursor: Any = None

    @property
    def cursor(self) -> Any:
        """The driver's own cursor, inside the same transaction: the hot path skips
        SQLAlchemy's per-row work. Driver errors are translated by `Database`."""
        if self._cursor is None:
            self._cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        return self._cursor

    # -- SQL text helpers --------------------------------------------------

    def _in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """`column IN (...)` as one array parameter on PostgreSQL, a list of ? on SQLite."""
        if self.pg:
            return f"{column} = ANY(%s)", [list(values)]
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self.cursor
        cursor.execute(sql, tuple(params))
        return cursor.fetchall()

    def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.cursor.executemany(sql, rows)

    def _insert_sql(self, table: str, columns: Sequence[str], conflict: str = "") -> str:
        marks = ",".join([self.ph] * len(columns))
        return f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks}){conflict}"

    # -- values --------------------------------------------------------------

    def ts(self, value: datetime | None) -> Any:
        """A timestamp as the driver wants it (aware on PostgreSQL, text on SQLite)."""
        if value is None or self.pg:
            return value
        return sqlite_time(value)

    def from_ts(self, value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        return datetime.fromisoformat(value)

    @staticmethod
    def dumps(value: Any) -> str:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
