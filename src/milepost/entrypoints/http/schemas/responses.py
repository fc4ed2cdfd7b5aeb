"""What every resource shares: times as ISO 8601, pages of a list, a rule's actions, and
answers copied from records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from milepost.entrypoints.http.schemas.requests import ACTIONS_SCHEMA

Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
ActionList = Annotated[list[dict[str, Any]], WithJsonSchema(ACTIONS_SCHEMA)]


class Answer(Protocol):
    """A response model made by `of` from what the Python API returned (a program, a
    ledger entry): what the routes shared by several resources take as their models."""

    @classmethod
    def of(cls, found: Any) -> Any: ...


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` for the next one (null: the last page)."""

    data: list[T]
    next_cursor: str | None


def from_record(model: type[M], record: object, **given: Any) -> M:
    """`model` with the fields `given`, and every other field copied from the record's
    attribute of the same name: an answer says only where it differs from its record."""
    copied = {name: getattr(record, name) for name in model.model_fields if name not in given}
    return model(**copied, **given)
