"""How resources look on the wire: JSON, stable string ids, cursors."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

import orjson
from starlette.responses import Response

from milepost.domain import ids
from milepost.entrypoints.http.problems import ApiProblem

#: Public id prefixes (domain/ids.py): ids are stable strings like "oce_12"; a bare number is read too.
PREFIXES = ids.PREFIXES
public_id = ids.format_id


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body, default=_default), status_code=status, media_type="application/json", headers=headers
    )


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def parse_id(kind: str, value: str) -> int:
    """The number behind a public id (`oce_12`, or `12`); a malformed one is not found,
    and the problem says why (another kind's prefix is named)."""
    try:
        return ids.parse_id(kind, value)
    except ids.BadId as bad:
        raise ApiProblem(404, f"no {ids.noun(kind)} {value!r}: {bad}", slug="not-found") from None


def encode_cursor(position: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        return orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise ApiProblem(422, "cursor: not a cursor this API gave out", slug="invalid-request") from None
