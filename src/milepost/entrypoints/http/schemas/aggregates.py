"""Aggregates: a definition as the API shows it, and what creating and changing one take."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, Field

from milepost.domain.aggregate_definitions import MAX_WINDOW_DAYS, Aggregate
from milepost.entrypoints.http.schemas.requests import Body, Name, Patch, keep, text
from milepost.entrypoints.http.schemas.responses import Timestamp, from_record

_SOURCE = "`orders` (the orders that count, dated by when they reached the store's counting status), an event " + (
    "type such as `review.created`, or a custom event's name."
)
_PROPERTY = "The numeric property a sum of events adds (a custom event's `properties`, else the event's own field)."
_WINDOW = (
    f"A rolling window of 1 to {MAX_WINDOW_DAYS} whole store-local days: as of day D, the days D-N to D-1. "
    "null: all time before D."
)
Source = Annotated[str, text(200)]
Function = Literal["count", "sum"]
Property = Annotated[str, text(64)]
WindowDays = Annotated[int | None, Field(ge=1, le=MAX_WINDOW_DAYS, description=_WINDOW)]


class AggregateOut(BaseModel):
    key: str = Field(examples=["orders_365d"])
    name: str
    source: str = Field(description=_SOURCE)
    function: str = Field(description="`count`, or `sum` (of orders: their net totals in minor units).")
    property: str | None = Field(description=_PROPERTY)
    window_days: int | None = Field(description=_WINDOW)
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, a: Aggregate) -> AggregateOut:
        return from_record(cls, a)


class AggregateIn(Body):
    key: Annotated[str, text(64)] = Field(description="A lowercase letter, then lowercase letters, digits or '_'.")
    name: Name
    source: Source = Field(description=_SOURCE)
    function: Function = "count"
    property: Property | None = Field(None, description=_PROPERTY)
    window_days: WindowDays = None


class AggregatePatch(Patch):
    clearable: ClassVar[frozenset[str]] = frozenset({"property", "window_days"})
    name: Name = keep()
    source: Source = keep(description=_SOURCE)
    function: Function = keep()
    property: Property | None = keep(description=_PROPERTY)
    window_days: WindowDays = keep(description=_WINDOW)


class AggregateValues(BaseModel):
    customer_id: str
    date: str = Field(description="The store-local day the values are as of (the whole days before it count).")
    values: dict[str, int] = Field(description="Each aggregate's key and value.")
