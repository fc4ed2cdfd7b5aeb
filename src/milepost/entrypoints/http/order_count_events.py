"""Order count events: what happens when a customer's order count reaches N; the
milestone programs on the number of orders (`oce_12` is `prg_12`)."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Path, Response

from milepost.entrypoints.http.admin import Admin, AdminCaller, problems
from milepost.entrypoints.http.program_resource import ProgramResource, Texts, add_routes
from milepost.entrypoints.http.schemas.order_count_events import (
    OrderCountEvent,
    OrderCountEventChange,
    OrderCountEventIn,
    OrderCountEventPatch,
)
from milepost.entrypoints.program_collections import ORDER_COUNT_EVENTS

router = APIRouter(prefix="/api/v1/order-count-events", tags=["order count events"])

RESOURCE = ProgramResource(
    router=router,
    collection=ORDER_COUNT_EVENTS,
    kind="order_count_event",
    name="event",
    param_description="The order count event's id, like oce_12.",
    model=OrderCountEvent,
    change=OrderCountEventChange,
    patch=OrderCountEventPatch,
)
add_routes(
    RESOURCE,
    Texts(
        list="List the order count events by count",
        get="One order count event",
        update="Edit an order count event",
        update_description="Fields left out stay as they are; `actions` and `conditions` replace the lists. "
        "Edits affect only future crossings; a new count or switching on excludes the customers already "
        "at or past it.",
        delete="Delete an order count event",
    ),
)
EventId = Annotated[str, Path(description=RESOURCE.param_description)]


@router.post(
    "",
    status_code=201,
    summary="Create an order count event",
    description="Customers already at or past the count never get it (`excluded` says how many): "
    "order count events are not retroactive. Actions run in the order given.",
    response_model=OrderCountEventChange,
    responses={201: {"headers": {"Location": {"schema": {"type": "string"}}}}, **problems(body=True)},
)
def create_event(admin: AdminCaller, body: OrderCountEventIn, response: Response) -> OrderCountEventChange:
    d = admin.mp.order_count_events.create(
        admin.store,
        count=body.count,
        name=body.name,
        actions=body.actions,
        conditions=[c.model_dump() for c in body.conditions],
        active=body.active,
    )
    return cast(OrderCountEventChange, RESOURCE.created(response, d))


@router.post(
    "/{event_id}/enable",
    summary="Switch an order count event on",
    description="Customers already at or past its count never get it.",
    response_model=OrderCountEventChange,
    responses=problems(404),
)
def enable_event(admin: AdminCaller, event_id: EventId) -> OrderCountEventChange:
    return _switch(admin, event_id, True)


@router.post(
    "/{event_id}/disable",
    summary="Switch an order count event off",
    response_model=OrderCountEventChange,
    responses=problems(404),
)
def disable_event(admin: AdminCaller, event_id: EventId) -> OrderCountEventChange:
    return _switch(admin, event_id, False)


def _switch(admin: Admin, event_id: str, active: bool) -> OrderCountEventChange:
    rule_id = RESOURCE.live(admin, event_id).rule.id
    return OrderCountEventChange.of(admin.mp.order_count_events.set_active(admin.store, rule_id, active))
