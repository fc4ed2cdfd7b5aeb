"""Dialect helpers shared by the query mixins: placeholders, IN lists, timestamps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

import orjson
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql

from milepost.adapters.storage.tables import metadata, stores
from milepost.adapters.storage.times import SqliteTimes

R = TypeVar("R")


class TxBase:
    def __init__(self, conn: Connection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect
        self.pg = dialect == "postgresql"
        self.ph = "%s" if self.pg else "?"
        self._cursor: Any = None
        # A time as the driver wants it (aware on PostgreSQL, text on SQLite), and back.
        self.ts: Callable[[datetime | None], Any]
        self.from_ts: Callable[[Any], datetime | None]
        if self.pg:
            self.ts = self.from_ts = _same
        else:  # compiled with the engine (rows.py): one call per time written or read
            times = SqliteTimes()
            self.ts, self.from_ts = times.text, times.parse
        # a flag as the driver binds it best: SQLite's driver looks for an adapter for
        # every value that is not exactly an int, str, float or bytes
        self.flag: Callable[[Any], Any] = _same if self.pg else int
        # (store, event name, internal) -> (how many, latest occurred_at) stored by this transaction:
        # the event catalogue's change, written once before it commits
        self.seen_names: dict[tuple[int, str, bool], tuple[int, datetime]] = {}

    @property
    def cursor(self) -> Any:
        """The driver's own cursor, inside the same transaction: the hot path skips
        SQLAlchemy's per-row work. Driver errors are translated by `Database`."""
        if self._cursor is None:
            self._cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        return self._cursor

    # -- SQL text helpers --------------------------------------------------

    def _by_keys(
        self,
        columns: str,
        table: str,
        key: tuple[str, str],
        values: Sequence[Any],
        where: str = "",
        params: Sequence[Any] = (),
        unique: bool = True,
    ) -> list[tuple[Any, ...]]:
        """Rows of `table` whose `key` (column, PostgreSQL type) is one of `values`, with
        an optional fixed `where` (placeholders, `params`). On PostgreSQL each value is
        probed through the index (a lateral join), whatever the table's statistics say:
        after a bulk load from empty they say "tiny" and would pick a scan."""
        column, kind = key
        fixed = f"{where} AND " if where else ""
        if not self.pg:
            # one JSON array, not one placeholder per value: one statement to prepare
            # (and keep in the driver's cache) whatever the batch's size, one value to bind
            sql = f"SELECT {columns} FROM {table} WHERE {fixed}{column} IN (SELECT value FROM json_each(?))"
            return self._rows(sql, [*params, orjson.dumps(values).decode()])
        # LIMIT 1 (a unique key) or OFFSET 0 (any other) keeps the planner from
        # flattening the lateral subquery into a join, which it would run as a hash
        # join over a sequential scan of the whole table while its statistics are stale.
        limit = " LIMIT 1" if unique else " OFFSET 0"
        sql = (
            f"SELECT x.* FROM unnest(%s::{kind}[]) AS k(v) CROSS JOIN LATERAL "
            f"(SELECT {columns} FROM {table} WHERE {fixed}{column} = k.v{limit}) AS x"
        )
        return self._rows(sql, [pg_array(kind, values), *params])

    def ping(self) -> None:
        """A round trip to the database (readiness checks)."""
        self._rows("SELECT 1")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self.cursor
        if self.pg:
            # Plan each lookup for its own arrays: a generic plan cached while the
            # tables were small would keep scanning them whole as they grow.
            cursor.execute(sql, tuple(params), prepare=False)
        else:
            cursor.execute(sql, tuple(params))
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows

    def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.cursor.executemany(sql, rows)

    def _insert_sql(self, table: str, columns: Sequence[str], conflict: str = "") -> str:
        marks = ",".join([self.ph] * len(columns))
        return f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks}){conflict}"

    def _insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Insert many rows: COPY on PostgreSQL (binary, when every column's type is
        known: half the cost of text for the client and the server), executemany on
        SQLite. Unique keys still hold: a duplicate fails the whole batch, which is retried."""
        if not rows:
            return
        if not self.pg:
            self.cursor.executemany(self._insert_sql(table, columns), rows)
            return
        types = copy_types(table, tuple(columns))
        binary = " (FORMAT BINARY)" if types else ""
        with self.cursor.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN{binary}") as copy:
            if types:
                copy.set_types(types)
            for row in rows:
                copy.write_row(row)

    def _update(
        self,
        table: str,
        columns: Sequence[tuple[str, str]],
        keys: Sequence[tuple[str, str]],
        rows: list[tuple[Any, ...]],
    ) -> None:
        """Update many rows by key. Each row holds the `columns` values then the `keys`
        values; the (name, PostgreSQL type) pairs let PostgreSQL take them as arrays
        in one statement."""
        if not rows:
            return
        if not self.pg:
            sets = ", ".join(f"{name} = ?" for name, _ in columns)
            where = " AND ".join(f"{name} = ?" for name, _ in keys)
            self.cursor.executemany(f"UPDATE {table} SET {sets} WHERE {where}", rows)
            return
        every = [*columns, *keys]
        arrays = ", ".join(f"%s::{kind}[]" for _, kind in every)
        names = ", ".join(name for name, _ in every)
        sets = ", ".join(f"{name} = v.{name}" for name, _ in columns)
        where = " AND ".join(f"t.{name} = v.{name}" for name, _ in keys)
        sql = f"UPDATE {table} AS t SET {sets} FROM unnest({arrays}) AS v({names}) WHERE {where}"
        by_column = zip(*rows, strict=True)
        self.cursor.execute(sql, [pg_array(kind, values) for (_, kind), values in zip(every, by_column, strict=True)])

    # -- values --------------------------------------------------------------

    def bump_rules_version(self, store_id: int) -> None:
        """Tell every process that this store's configuration (rules, webhook endpoints)
        changed: their cached index is stale."""
        self.conn.execute(
            stores.update().where(stores.c.id == store_id).values(rules_version=stores.c.rules_version + 1)
        )

    @staticmethod
    def dumps(value: Any) -> str:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def record(cls: type[R], row: Any, **converted: Any) -> R:
    """A `cls` (a dataclass) from the row: each field from the column of its name, but for
    those given in `converted` (a renamed column, a time or JSON to convert)."""
    values = {f.name: getattr(row, f.name) for f in fields(cls) if f.name not in converted}  # type: ignore[arg-type]
    return cls(**values, **converted)


def _same(value: Any) -> Any:
    return value


# -- PostgreSQL arrays as text --------------------------------------------------------------------


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ELEMENT: dict[str, Any] = {
    "text": _quoted,
    "bigint": str,
    "int": str,
    "smallint": str,
    "boolean": lambda v: "t" if v else "f",
    "timestamptz": lambda v: _quoted(v.isoformat()),
}


def pg_array(kind: str, values: Sequence[Any]) -> Any:
    """`values` as the text of a PostgreSQL array of `kind`, for a `%s::kind[]` parameter.

    psycopg adapts a list element by element in Python; a batch passes some twenty
    arrays of up to a thousand values, and writing their text directly costs a
    third of that (the server parses it either way). Kinds not listed here go as lists."""
    element = _ELEMENT.get(kind)
    if element is None:
        return list(values)
    return "{" + ",".join("NULL" if v is None else element(v) for v in values) + "}"


# -- PostgreSQL binary COPY ----------------------------------------------------------------------

#: The binary wire type of each column type the tables use.
_WIRE_TYPES = {
    "BIGINT": "int8",
    "INTEGER": "int4",
    "SMALLINT": "int2",
    "BOOLEAN": "bool",
    "TEXT": "text",
    "VARCHAR": "text",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


@lru_cache(maxsize=256)
def copy_types(table: str, columns: tuple[str, ...]) -> list[str] | None:
    """The binary COPY types of `columns` of `table`, from the schema; None when one
    of them has no binary type here (the COPY then goes as text)."""
    found = metadata.tables.get(table)
    if found is None:
        return None
    types = []
    for name in columns:
        column = found.columns.get(name)
        if column is None:
            return None
        compiled = column.type.compile(dialect=postgresql.dialect())  # type: ignore[no-untyped-call]
        wire = _WIRE_TYPES.get(compiled.split("(")[0])
        if wire is None:
            return None
        types.append(wire)
    return types
