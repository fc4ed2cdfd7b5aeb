"""What every admin endpoint shares: the caller's store, pages and cursors, query values.

The store is always the API key's store: no path names a store, so a key of one
store cannot reach another store's resources (they are simply not found).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, NamedTuple, TypeVar

from fastapi import Depends, Query, Request

from milepost.bootstrap import Milepost
from milepost.domain import ids
from milepost.entrypoints.http.auth import AdminKey, Principal, ReadKey, milepost
from milepost.entrypoints.http.problems import ApiProblem, problem_responses
from milepost.entrypoints.http.schemas.responses import Answer, Page
from milepost.entrypoints.http.wire import decode_cursor, encode_cursor

T = TypeVar("T")
A = TypeVar("A", bound=Answer)
MAX_ID = 2**63 - 1
MAX_EXTERNAL_ID = 200


class Admin(NamedTuple):
    """The caller: Milepost, the key's store (by key) and who to record as the actor."""

    mp: Milepost
    store: str
    actor: str


def _admin(request: Request, principal: Principal = AdminKey) -> Admin:
    return _caller(request, principal)


def _reader(request: Request, principal: Principal = ReadKey) -> Admin:
    return _caller(request, principal)


def _caller(request: Request, principal: Principal) -> Admin:
    return Admin(milepost(request), principal.store.key, f"api key {principal.key.prefix}")


AdminCaller = Annotated[Admin, Depends(_admin)]
"""An operation that changes something: an `admin` key."""
ReadCaller = Annotated[Admin, Depends(_reader)]
"""An operation that only reads: a `read` key, or an `admin` one."""
Limit = Annotated[int, Query(ge=1, le=200, description="At most this many items (1 to 200).")]
Cursor = Annotated[str | None, Query(max_length=500, description="`next_cursor` of the previous page.")]


def problems(*statuses: int, body: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for an admin operation: 401, 403 and 422 (invalid input) always, 400 (a body
    that is not JSON) for operations with a body, then `statuses`."""
    return problem_responses(*((400,) if body else ()), 401, 403, *statuses, 422)


def page(items: Sequence[T], limit: int, position: Callable[[T], list[Any]]) -> tuple[list[T], str | None]:
    """The first `limit` of `items` (fetched as limit + 1) and the cursor after them, if more exist."""
    if len(items) <= limit:
        return list(items), None
    kept = list(items[:limit])
    return kept, encode_cursor(position(kept[-1]))


def cursor_id(cursor: str | None, kind: str) -> int | None:
    """The id a cursor of `kind` holds, the last one of the page before: the next page
    starts past it. None for the first page."""
    position = cursor_position(cursor, kind, int)
    return position[0] if position else None


def id_page(model: type[A], kind: str, found: Sequence[Any], limit: int) -> Page[A]:
    """The first `limit` of `found` (fetched as limit + 1), each answered as `model.of` it,
    and the cursor of `kind` past the last one's id, if more exist."""
    kept, next_cursor = page(found, limit, lambda x: [kind, x.id])
    return Page[model](data=[model.of(x) for x in kept], next_cursor=next_cursor)  # type: ignore[valid-type]


def cursor_position(cursor: str | None, kind: str, *types: type) -> list[Any] | None:
    """The position a cursor of `kind` holds, checked against `types`; None for the first page."""
    try:
        found = decode_cursor(cursor)
    except ApiProblem:
        raise invalid("query.cursor", "not a cursor this API gave out") from None
    if found is None:
        return None
    if (
        not isinstance(found, list)
        or len(found) != len(types) + 1
        or found[0] != kind
        or not all(_fits(v, t) for v, t in zip(found[1:], types, strict=True))
    ):
        raise invalid("query.cursor", "not a cursor this API gave out")
    return found[1:]


def _fits(value: Any, kind: type) -> bool:
    if kind is int:
        return type(value) is int and 0 <= value <= MAX_ID
    return isinstance(value, kind)


def invalid(field: str, reason: str) -> ApiProblem:
    """A 422 problem naming the field, shaped like the ones request validation gives."""
    return ApiProblem(422, f"{field}: {reason}", slug="invalid-request", errors=[{"field": field, "reason": reason}])


def filter_id(kind: str, value: str | None, field: str) -> int | None:
    """A public id given as a filter: malformed is a 422 naming the field (like `query.x`)."""
    if value is None:
        return None
    try:
        return ids.parse_id(kind, value)
    except ids.BadId as bad:
        raise invalid(field, str(bad)) from None


def possible_external_id(value: str) -> bool:
    """Could the store have sent this id? (At most 200 characters, no NUL.)"""
    return 0 < len(value) <= MAX_EXTERNAL_ID and "\x00" not in value


def utc(value: datetime | None, field: str) -> datetime | None:
    """An aware time in UTC; one that UTC cannot represent is a 422."""
    if value is None:
        return None
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise invalid(field, "out of range") from None
