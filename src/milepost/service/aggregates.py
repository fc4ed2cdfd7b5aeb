"""Aggregates the operator defines: created, listed, changed and deleted, and one
customer's values. Automation conditions read them through service/aggregate_values.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from milepost.domain.aggregate_definitions import Aggregate, check_aggregate
from milepost.domain.records import Store
from milepost.errors import Conflict, NotFound, ValidationError
from milepost.service import aggregate_values
from milepost.service.existing import find_customer
from milepost.service.ports import AggregatesTx, Storage

_CHANGEABLE = ("name", "source", "function", "property", "window_days")


def create(db: Storage, now: datetime, store_id: int, values: dict[str, Any]) -> Aggregate:
    a = check_aggregate(values)
    with db.write() as tx:
        tx.lock_store(store_id)
        if tx.aggregates(store_id, a.key):
            raise Conflict(f"an aggregate with the key {a.key!r} already exists")
        tx.insert_aggregate(store_id, a, now)
        return _aggregate(tx, store_id, a.key)


def list_all(db: Storage, store_id: int) -> list[Aggregate]:
    with db.read() as tx:
        return tx.aggregates(store_id)


def get(db: Storage, store_id: int, key: str) -> Aggregate:
    with db.read() as tx:
        return _aggregate(tx, store_id, key)


def update(db: Storage, now: datetime, store_id: int, key: str, changes: dict[str, Any]) -> Aggregate:
    """Change the fields given (not the key); the whole definition is checked again."""
    wrong = sorted(set(changes) - set(_CHANGEABLE))
    if wrong:
        raise ValidationError(f"cannot change {', '.join(wrong)}", dict.fromkeys(wrong, "cannot be changed"))
    with db.write() as tx:
        tx.lock_store(store_id)
        before = _aggregate(tx, store_id, key)
        after = check_aggregate({**before.as_dict(), **changes})
        tx.update_aggregate(store_id, replace(after, key=key), now)
        return _aggregate(tx, store_id, key)


def delete(db: Storage, store_id: int, key: str) -> None:
    with db.write() as tx:
        tx.lock_store(store_id)
        users = tx.automations_naming(store_id, "field", f"aggregate.{key}")
        if users:  # automations name aggregates in their conditions
            names = ", ".join(repr(n) for n in users)
            raise Conflict(f"the aggregate {key!r} is used by the automations {names}; change them first")
        if not tx.delete_aggregate(store_id, key):
            raise NotFound(f"no aggregate {key!r} in this store")


def customer_values(db: Storage, store: Store, customer_id: str, day: date | None, now: datetime) -> dict[str, int]:
    """The customer's value of each of the store's aggregates as of the store-local `day`
    (None: today, so the whole days before today)."""
    when = day or local_today(store, now)
    with db.read() as tx:
        customer = find_customer(tx, store.id, customer_id)
        names = aggregate_values.known(tx, store.id)
        return aggregate_values.values_for(tx, store, names, [customer.id], when)[customer.id]


def _aggregate(tx: AggregatesTx, store_id: int, key: str) -> Aggregate:
    found = tx.aggregates(store_id, key)
    if not found:
        raise NotFound(f"no aggregate {key!r} in this store")
    return found[0]


def local_today(store: Store, now: datetime) -> date:
    return now.astimezone(ZoneInfo(store.timezone)).date()
