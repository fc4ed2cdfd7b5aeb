"""The storage adapter at its edges: connecting, migrating, error translation."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milepost import connect
from milepost.adapters.storage.base import copy_types, pg_array
from milepost.adapters.storage.checkpoint import Checkpointer
from milepost.adapters.storage.database import Database, translate_errors
from milepost.errors import Conflict


def test_connect_migrates_an_empty_sqlite_file_and_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    first = connect(url)
    first.stores.create("shop", "Shop")
    first.close()
    again = connect(url)  # migrating a migrated database changes nothing
    assert [s.key for s in again.stores.list()] == ["shop"]
    again.close()


@pytest.mark.postgres
def test_connect_migrates_a_url_with_percent_signs(postgres_url):
    # A percent-encoded search_path (or a password with '%') once broke Alembic's config parser
    assert "%" in postgres_url
    mp = connect(postgres_url)
    try:
        assert mp.db.dialect == "postgresql"
    finally:
        mp.close()


def test_integrity_errors_become_conflicts(mp, store):
    with pytest.raises(Conflict):
        mp.stores.create(store, "Same key")


def test_driver_errors_are_translated_in_one_place(database: Database):
    with pytest.raises(Conflict), translate_errors(), database.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO stores (id, key, name, currency, timezone, counting_status, "
            "allow_negative_credit, created_at, updated_at) SELECT id, key, name, currency, timezone, "
            "counting_status, allow_negative_credit, created_at, updated_at FROM stores LIMIT 1"
        )


def test_a_rule_created_by_another_process_is_seen_by_the_next_batch(mp, store):
    # Given a second Milepost (another process) on the same database, and a batch
    # already ingested here, so this process holds the store's rules in its cache
    other = connect(mp.db.engine.url.render_as_string(hide_password=False), migrate=False)
    try:
        mp.ingest(store, [{"id": "warm", "type": "order.paid", "customer_id": "c1", "order_id": "o1"}])
        # When the other one creates an order count event
        other.order_count_events.create(store, count=2, name="Second", actions=[{"type": "add_tag", "tag": "Two"}])
        # Then the next batch here fires it
        result = mp.ingest(store, [{"id": "next", "type": "order.paid", "customer_id": "c1", "order_id": "o2"}])
        assert [m["name"] for m in result.results[0].milestones] == ["Second"]
        assert mp.customers.get(store, "c1").tags == ("Two",)
    finally:
        other.close()


def test_sqlite_wal_is_checkpointed_in_the_background(tmp_path):
    # Given an embedded database whose checkpoints run in the background
    path = tmp_path / "wal.db"
    mp = connect(f"sqlite:///{path}")
    mp.db._checkpointer.stop()  # restart it with a short interval for the test
    mp.db._checkpointer = Checkpointer(str(path), interval=0.05).start()
    try:
        mp.stores.create("s", "S")
        size_before = path.stat().st_size
        # When a batch is committed (its pages go to the write-ahead log, far below
        # the auto-checkpoint backstop)
        events = [
            {"id": f"e{i}", "type": "order.paid", "customer_id": f"c{i}", "order_id": f"o{i}", "total": 100}
            for i in range(2000)
        ]
        assert mp.ingest("s", events).accepted == 2000
        # Then the background thread copies them into the database file
        deadline = time.monotonic() + 10
        while path.stat().st_size <= size_before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size > size_before
    finally:
        mp.close()


@pytest.mark.parametrize("pages", [None, 1234])
def test_the_log_size_setting_reaches_the_sqlite_connections(tmp_path, pages):
    from milepost.adapters.storage.engine import WAL_PAGES
    from milepost.config import Settings

    chosen = Settings() if pages is None else Settings(sqlite_wal_pages=pages)
    mp = connect(f"sqlite:///{tmp_path / 'w.db'}", settings=chosen)
    try:
        fairy = mp.db.engine.raw_connection()
        try:
            found = fairy.driver_connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        finally:
            fairy.close()
        assert found == (pages or WAL_PAGES)
    finally:
        mp.close()


def test_the_pinned_head_revision_is_the_newest_migration(tmp_path):
    from alembic.script import ScriptDirectory

    from milepost.adapters.storage.engine import HEAD, alembic_config, current_revision, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    try:
        assert ScriptDirectory.from_config(alembic_config(engine)).get_current_head() == HEAD
        assert current_revision(engine) is None  # not migrated yet
        connect(f"sqlite:///{tmp_path / 'h.db'}").close()
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()


# -- arrays sent to PostgreSQL as text -------------------------------------------------------

_ARRAY_VALUES = {
    "text": st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
    "bigint": st.integers(-(2**63), 2**63 - 1),
    "int": st.integers(-(2**31), 2**31 - 1),
    "smallint": st.integers(-(2**15), 2**15 - 1),
    "boolean": st.booleans(),
    "timestamptz": st.datetimes(timezones=st.just(UTC), min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
}


@pytest.mark.postgres
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_arrays_written_as_text_read_back_as_given(postgres_db, data):
    """The batch's lookups and updates pass their arrays as text: quotes, backslashes,
    commas, braces, blanks, the word NULL and real NULLs all come back as they were."""
    kind = data.draw(st.sampled_from(sorted(_ARRAY_VALUES)))
    values = data.draw(st.lists(st.none() | _ARRAY_VALUES[kind], max_size=20))
    with postgres_db.read() as tx:
        got = tx._rows(f"SELECT %s::{kind}[]", (pg_array(kind, values),))[0][0]
    assert got == values


def test_array_text_for_the_awkward_strings():
    assert pg_array("text", ['a"b', "c\\d", None, "NULL", "{x,y}", " "]) == (
        '{"a\\"b","c\\\\d",NULL,"NULL","{x,y}"," "}'
    )
    assert pg_array("boolean", [True, False, None]) == "{t,f,NULL}"
    assert pg_array("numeric", [1, 2]) == [1, 2]  # kinds it does not know go as lists


def test_binary_copy_types_come_from_the_schema_and_fall_back_to_text():
    assert copy_types("orders", ("store_id", "customer_id", "status_rank", "counts", "counted_at", "currency")) == [
        "int4",
        "int8",
        "int2",
        "bool",
        "timestamptz",
        "text",
    ]
    assert copy_types("orders", ("store_id", "no_such_column")) is None  # COPY as text
    assert copy_types("no_such_table", ("id",)) is None
