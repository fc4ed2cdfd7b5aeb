"""Order count events: what happens when a customer's order count reaches N."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from milepost.entrypoints.http.admin import Admin, AdminCaller, Cursor, Limit, cursor_position, page, problems
from milepost.entrypoints.http.models import OrderCountEventIn, OrderCountEventPatch
from milepost.entrypoints.http.resources import OrderCountEvent, OrderCountEventChange, Page
from milepost.entrypoints.http.wire import parse_id, public_id
from milepost.errors import NotFound
from milepost.service.rules import RuleDetails

router = APIRouter(prefix="/api/v1/order-count-events", tags=["order count events"])

EventId = Annotated[str, Path(description="The order count event's id, like oce_12.")]
_KIND = "order_count_event"


@router.get(
    "",
    summary="List the order count events by count",
    response_model=Page[OrderCountEvent],
    responses=problems(),
)
def list_events(admin: AdminCaller, limit: Limit = 50, cursor: Cursor = None) -> Page[OrderCountEvent]:
    after = cursor_position(cursor, "oce", int, int)
    found = admin.mp.order_count_events(admin.store, after=(after[0], after[1]) if after else None, limit=limit + 1)
    kept, next_cursor = page(found, limit, lambda d: ["oce", d.rule.threshold, d.rule.id])
    return Page[OrderCountEvent](data=[OrderCountEvent.of(d) for d in kept], next_cursor=next_cursor)


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
    d = admin.mp.create_order_count_event(
        admin.store,
        count=body.count,
        name=body.name,
        actions=body.actions,
        conditions=[c.model_dump() for c in body.conditions],
        active=body.active,
    )
    response.headers["Location"] = f"{router.prefix}/{public_id(_KIND, d.rule.id)}"
    return OrderCountEventChange.of(d)


@router.get("/{event_id}", summary="One order count event", response_model=OrderCountEvent, responses=problems(404))
def get_event(admin: AdminCaller, event_id: EventId) -> OrderCountEvent:
    return OrderCountEvent.of(_live(admin, event_id))


@router.patch(
    "/{event_id}",
    summary="Edit an order count event",
    description="Fields left out stay as they are; `actions` and `conditions` replace the lists. "
    "Edits affect only future crossings; a new count or switching on excludes the customers already "
    "at or past it.",
    response_model=OrderCountEventChange,
    responses=problems(404, body=True),
)
def update_event(admin: AdminCaller, event_id: EventId, body: OrderCountEventPatch) -> OrderCountEventChange:
    rule_id = _live(admin, event_id).rule.id
    changes = body.changes()
    return OrderCountEventChange.of(admin.mp.update_order_count_event(admin.store, rule_id, **changes))


@router.post(
    "/{event_id}/enable",
    summary="Switch an order count event on",
    description="Customers already at or past its count never get it.",
    response_model=OrderCountEventChange,
    responses=problems(404),
)
def enable_event(admin: AdminCaller, event_id: EventId) -> OrderCountEventChange:
    rule_id = _live(admin, event_id).rule.id
    return OrderCountEventChange.of(admin.mp.set_order_count_event_active(admin.store, rule_id, True))


@router.post(
    "/{event_id}/disable",
    summary="Switch an order count event off",
    response_model=OrderCountEventChange,
    responses=problems(404),
)
def disable_event(admin: AdminCaller, event_id: EventId) -> OrderCountEventChange:
    rule_id = _live(admin, event_id).rule.id
    return OrderCountEventChange.of(admin.mp.set_order_count_event_active(admin.store, rule_id, False))


@router.delete(
    "/{event_id}",
    status_code=204,
    summary="Delete an order count event",
    description="It stops for good and is no longer listed; its past milestones stay in the log.",
    response_class=Response,
    responses=problems(404),
)
def delete_event(admin: AdminCaller, event_id: EventId) -> Response:
    admin.mp.delete_order_count_event(admin.store, _live(admin, event_id).rule.id)
    return Response(status_code=204)


def _live(admin: Admin, event_id: str) -> RuleDetails:
    """The event, unless it does not exist in the key's store or was deleted."""
    d = admin.mp.order_count_event(admin.store, parse_id(_KIND, event_id))
    if d.deleted_at is not None:
        raise NotFound(f"no order count event {event_id!r} in this store")
    return d
