"""What the routes about one customer take: the store's own customer id in the path, and
an idempotency key in the body or the Idempotency-Key header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Path

from milepost.entrypoints.http.admin import invalid, possible_external_id
from milepost.entrypoints.http.schemas.requests import IdempotencyKey
from milepost.errors import NotFound

CustomerId = Annotated[str, Path(description="The store's own customer id, as sent in events.")]
KeyHeader = Annotated[
    IdempotencyKey | None,
    Header(alias="Idempotency-Key", description="Instead of `idempotency_key` in the body."),
]


def check_customer_id(customer_id: str) -> None:
    """An id the store could not have sent is simply not found."""
    if not possible_external_id(customer_id):
        raise NotFound(f"no customer {customer_id!r} in this store")


def idempotency_key(in_body: str | None, in_header: str | None) -> str:
    """The key, from the body or the header (the same if both); one is required."""
    key = optional_idempotency_key(in_body, in_header)
    if key is None:
        raise invalid("idempotency_key", "is required (in the body or as the Idempotency-Key header)")
    return key


def optional_idempotency_key(in_body: str | None, in_header: str | None) -> str | None:
    """The key, from the body or the header (the same if both), if one is given."""
    if in_body is not None and in_header is not None and in_body != in_header:
        raise invalid("idempotency_key", "differs from the Idempotency-Key header")
    return in_body if in_body is not None else in_header
