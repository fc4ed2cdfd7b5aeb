"""How resources look on the wire: JSON, stable string ids, cursors."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, overload

import orjson
from starlette.responses import Response

from milepost.entrypoints.http.problems import ApiProblem

#: Public id prefixes: ids are stable strings like "oce_12", never bare numbers.
PREFIXES = {
    "order_count_event": "oce",
    "program": "prg",
    "milestone": "mst",
    "alert": "alr",
    "ledger_entry": "led",
    "points_entry": "pts",
    "api_key": "key",
    "webhook_endpoint": "whe",
    "delivery": "dlv",
    "mailbox_message": "msg",
}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body, default=_default), status_code=status, media_type="application/json", headers=headers
    )


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


@overload
def public_id(kind: str, number: int) -> str: ...
@overload
def public_id(kind: str, number: int | None) -> str | None: ...
def public_id(kind: str, number: int | None) -> str | None:
    return None if number is None else f"{PREFIXES[kind]}_{number}"


def parse_id(kind: str, value: str) -> int:
    """The number behind a public id; a malformed one is simply not found."""
    prefix, _, digits = value.partition("_")
    if prefix != PREFIXES[kind] or not digits.isdigit() or len(digits) > 18:
        raise ApiProblem(404, f"no {kind.replace('_', ' ')} {value!r}", slug="not-found")
    return int(digits)


def encode_cursor(position: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        return orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise ApiProblem(422, "cursor: not a cursor this API gave out", slug="invalid-request") from None
