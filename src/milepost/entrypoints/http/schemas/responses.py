"""What every resource shares: times as ISO 8601, pages of a list, a rule's actions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from milepost.entrypoints.http.schemas.requests import ACTIONS_SCHEMA

Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
T = TypeVar("T")
ActionList = Annotated[list[dict[str, Any]], WithJsonSchema(ACTIONS_SCHEMA)]


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` for the next one (null: the last page)."""

    data: list[T]
    next_cursor: str | None
