"""What every use case that names a thing by its id does first: find it, or say it is not
there (NotFound, which the HTTP API answers with 404)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeVar

from milepost.domain.records import CustomerState
from milepost.errors import NotFound

T = TypeVar("T")


def existing(found: T | None, missing: str) -> T:
    """`found`, unless it is None: then NotFound, saying `missing` ("no user 7")."""
    if found is None:
        raise NotFound(missing)
    return found


class _Customers(Protocol):
    def customer(self, store_id: int, external_id: str) -> tuple[CustomerState, datetime] | None: ...


def customer_row(tx: _Customers, store_id: int, customer_id: str) -> tuple[CustomerState, datetime]:
    """The store's customer `customer_id` (their external id) and when they were created,
    or NotFound."""
    return existing(tx.customer(store_id, customer_id), f"no customer {customer_id!r} in this store")


def find_customer(tx: _Customers, store_id: int, customer_id: str) -> CustomerState:
    """The store's customer `customer_id` (their external id), or NotFound."""
    return customer_row(tx, store_id, customer_id)[0]
