"""Aggregates: the per-customer numbers the store defines (orders in the last 365 days,
reviews ever, a custom event's property summed over 30 days), listed, created, changed
and deleted; and one customer's values as of a day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from milepost.entrypoints.http.admin import AdminCaller, ReadCaller, problems
from milepost.entrypoints.http.customer_params import CustomerId, check_customer_id
from milepost.entrypoints.http.schemas.aggregates import AggregateIn, AggregateOut, AggregatePatch, AggregateValues
from milepost.entrypoints.http.schemas.responses import Page

router = APIRouter(tags=["aggregates"])

_PATH = "/api/v1/aggregates"
AggregateKey = Annotated[str, Path(description="The aggregate's key, like `orders_365d`.", max_length=64)]
Day = Annotated[
    date | None,
    Query(alias="date", description="The store-local day (YYYY-MM-DD) the values are as of; default: today."),
]


@router.get(_PATH, summary="The store's aggregates", response_model=Page[AggregateOut], responses=problems())
def list_aggregates(admin: ReadCaller) -> Page[AggregateOut]:
    return Page[AggregateOut](
        data=[AggregateOut.of(a) for a in admin.mp.aggregates.list(admin.store)], next_cursor=None
    )


@router.post(
    _PATH,
    summary="Define an aggregate",
    description="A `count` or `sum` of `source` over all time or a rolling window of whole store-local days.",
    status_code=201,
    response_model=AggregateOut,
    responses=problems(409, body=True),
)
def create_aggregate(admin: AdminCaller, body: AggregateIn) -> AggregateOut:
    values = body.model_dump(exclude={"key"})
    return AggregateOut.of(admin.mp.aggregates.create(admin.store, body.key, **values))


@router.get(_PATH + "/{aggregate}", summary="One aggregate", response_model=AggregateOut, responses=problems(404))
def get_aggregate(admin: ReadCaller, aggregate: AggregateKey) -> AggregateOut:
    return AggregateOut.of(admin.mp.aggregates.get(admin.store, aggregate))


@router.patch(
    _PATH + "/{aggregate}",
    summary="Change an aggregate",
    description="Fields left out stay as they are; the key cannot change. `property` and `window_days` "
    "take null (no property; all time).",
    response_model=AggregateOut,
    responses=problems(404, body=True),
)
def update_aggregate(admin: AdminCaller, aggregate: AggregateKey, body: AggregatePatch) -> AggregateOut:
    return AggregateOut.of(admin.mp.aggregates.update(admin.store, aggregate, **body.changes()))


@router.delete(
    _PATH + "/{aggregate}",
    status_code=204,
    summary="Delete an aggregate",
    response_class=Response,
    responses=problems(404, 409),
)
def delete_aggregate(admin: AdminCaller, aggregate: AggregateKey) -> Response:
    admin.mp.aggregates.delete(admin.store, aggregate)
    return Response(status_code=204)


# Registered before the customers' router: its `{customer_id:path}` would take ".../aggregates".
@router.get(
    "/api/v1/customers/{customer_id:path}/aggregates",
    summary="A customer's value of each aggregate",
    description="As of the store-local `date` (default: today): a window of N days covers the N whole days "
    "before it, so the day itself is not yet counted.",
    response_model=AggregateValues,
    responses=problems(404),
)
def customer_aggregates(admin: ReadCaller, customer_id: CustomerId, day: Day = None) -> AggregateValues:
    check_customer_id(customer_id)
    values = admin.mp.aggregates.values(admin.store, customer_id, day)
    return AggregateValues(customer_id=customer_id, date=(day or _today(admin)).isoformat(), values=values)


def _today(admin: AdminCaller) -> date:
    return admin.mp.aggregates.today(admin.store)
