"""The storage adapter at its edges: connecting, migrating, error translation."""

from __future__ import annotations

import pytest

from milepost import connect
from milepost.adapters.storage.database import Database, translate_errors
from milepost.errors import Conflict


def test_connect_migrates_an_empty_sqlite_file_and_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    first = connect(url)
    first.create_store("shop", "Shop")
    first.close()
    again = connect(url)  # migrating a migrated database changes nothing
    assert [s.key for s in again.stores()] == ["shop"]
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
        mp.create_store(store, "Same key")


def test_driver_errors_are_translated_in_one_place(database: Database):
    with pytest.raises(Conflict), translate_errors(), database.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO stores (id, key, name, currency, timezone, counting_status, "
            "allow_negative_credit, created_at, updated_at) SELECT id, key, name, currency, timezone, "
            "counting_status, allow_negative_credit, created_at, updated_at FROM stores LIMIT 1"
        )
