"""Dialect helpers shared by the query mixins: placeholders, IN lists, timestamps."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection


class TxBase:
    def __init__(self, conn: Connection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect
        self.pg = dialect == "postgresql"
        self.ph = "%s" if self.pg else "?"

    # -- SQL text helpers --------------------------------------------------

    def _in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """`column IN (...)` as one array parameter on PostgreSQL, a list of ? on SQLite."""
        if self.pg:
            return f"{column} = ANY(%s)", [list(values)]
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.exec_driver_sql(sql, tuple(params)).fetchall()

    def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.conn.exec_driver_sql(sql, rows)

    def _insert_sql(self, table: str, columns: Sequence[str], conflict: str = "") -> str:
        marks = ",".join([self.ph] * len(columns))
        return f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks}){conflict}"

    # -- values --------------------------------------------------------------

    def ts(self, value: datetime | None) -> Any:
        """A timestamp as the driver wants it (aware on PostgreSQL, text on SQLite)."""
        if value is None or self.pg:
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    def from_ts(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        return datetime.fromisoformat(value).replace(tzinfo=UTC)

    @staticmethod
    def dumps(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
