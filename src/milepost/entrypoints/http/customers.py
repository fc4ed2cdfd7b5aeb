"""Customers: the store's customers searched, filtered and paged; a customer as the store
knows them, by the store's own id; tags added and removed by hand; spending and adjusting
credit and points."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from milepost.entrypoints.http import ledgers
from milepost.entrypoints.http.admin import (
    AdminCaller,
    Cursor,
    Limit,
    ReadCaller,
    cursor_position,
    invalid,
    page,
    problems,
)
from milepost.entrypoints.http.customer_params import CustomerId, check_customer_id
from milepost.entrypoints.http.schemas.customers import Customer, CustomerEvent, CustomerLineOut, TagsIn, TagsOut
from milepost.entrypoints.http.schemas.ledgers import Points
from milepost.entrypoints.http.schemas.requests import MAX_AMOUNT
from milepost.entrypoints.http.schemas.responses import Page
from milepost.service.ports.customers import EventPosition

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])

Count = Annotated[int | None, Query(ge=0, le=2**31 - 1)]
Amount = Annotated[int | None, Query(ge=0, le=MAX_AMOUNT, description="Minor units (1000 = $10.00).")]


@router.get(
    "",
    summary="The store's customers, searched and filtered, by id",
    description="`q` finds customers with it anywhere in their id, email or name, in any case; the other "
    "filters narrow the list (every one given must hold). Pages follow the customers' ids: pass "
    "`next_cursor` as `cursor` for the next page. A page reads the customers in id order from the cursor "
    "and stops once it has `limit` of them, so paging costs the same however many customers the store has.",
    response_model=Page[CustomerLineOut],
    responses=problems(),
)
def list_customers(
    admin: ReadCaller,
    q: Annotated[str, Query(max_length=320, description="In the id, email or name, any case.")] = "",
    tag: Annotated[str | None, Query(max_length=100, description="Only customers with this tag.")] = None,
    min_orders: Count = None,
    max_orders: Count = None,
    min_spent: Amount = None,
    max_spent: Amount = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[CustomerLineOut]:
    after = cursor_position(cursor, "cus", str)
    found = admin.mp.customers.list(
        admin.store,
        q,
        tag=tag,
        min_orders=min_orders,
        max_orders=max_orders,
        min_spent=min_spent,
        max_spent=max_spent,
        after=after[0] if after else None,
        limit=limit + 1,
    )
    kept, next_cursor = page(found, limit, lambda c: ["cus", c.external_id])
    currency = admin.mp.stores.get(admin.store).currency
    return Page[CustomerLineOut](data=[CustomerLineOut.line(c, currency) for c in kept], next_cursor=next_cursor)


@router.post(
    "/{customer_id:path}/tags",
    summary="Tag the customer by hand",
    description="Adds the tags the customer lacks; those they have stay as they were. No milestone fires for "
    "it: conditions on tags see the change at the customer's next event.",
    response_model=TagsOut,
    responses=problems(404, body=True),
)
def add_tags(admin: AdminCaller, customer_id: CustomerId, body: TagsIn) -> TagsOut:
    check_customer_id(customer_id)
    return TagsOut(tags=admin.mp.customers.tag(admin.store, customer_id, add=body.given(), actor=admin.actor))


@router.delete(
    "/{customer_id:path}/tags/{tag}",
    summary="Take a tag off the customer",
    description="A tag the customer does not have is no error. No milestone fires for it.",
    response_model=TagsOut,
    responses=problems(404),
)
def remove_tag(admin: AdminCaller, customer_id: CustomerId, tag: Annotated[str, Path(max_length=100)]) -> TagsOut:
    check_customer_id(customer_id)
    return TagsOut(tags=admin.mp.customers.tag(admin.store, customer_id, remove=[tag], actor=admin.actor))


# Before the customer itself: its `{customer_id:path}` would take ".../events" as part of the id.
@router.get(
    "/{customer_id:path}/events",
    summary="The customer's events, newest first",
    description="Every event Milepost received for the customer, and the internal events it recorded about "
    "them (source `milepost`), newest first (by when it happened), each as received. Pass `next_cursor` as "
    "`cursor` for the next, older page.",
    response_model=Page[CustomerEvent],
    responses=problems(404),
)
def list_events(
    admin: ReadCaller, customer_id: CustomerId, limit: Limit = 50, cursor: Cursor = None
) -> Page[CustomerEvent]:
    check_customer_id(customer_id)
    before = _event_position(cursor_position(cursor, "evt", str, str, str))
    found = admin.mp.customers.events(admin.store, customer_id, limit + 1, before)
    kept, next_cursor = page(found, limit, lambda e: ["evt", e.occurred_at.isoformat(), e.source, e.external_id])
    return Page[CustomerEvent](data=[CustomerEvent.of(e) for e in kept], next_cursor=next_cursor)


def _event_position(position: list[Any] | None) -> EventPosition | None:
    if position is None:
        return None
    try:
        at = datetime.fromisoformat(position[0])
    except ValueError:
        raise invalid("query.cursor", "not a cursor this API gave out") from None
    if at.tzinfo is None:
        raise invalid("query.cursor", "not a cursor this API gave out")
    return (at.astimezone(UTC), position[1], position[2])


# Before the customer itself: its `{customer_id:path}` would take ".../points" as part of the id.
@router.get(
    "/{customer_id:path}/points",
    summary="The customer's points: the balance and the ledger",
    description="Every movement of points, oldest first: earned by orders (a refund takes them back), "
    "given by milestones, spent, adjusted, clawed back, expired. The balance is their sum. When the store's "
    "points expire, `expiring` lists what will expire and when.",
    response_model=Points,
    responses=problems(404),
)
def get_points(admin: ReadCaller, customer_id: CustomerId) -> Points:
    check_customer_id(customer_id)
    mp = admin.mp
    return Points.of(
        mp.ledgers.entries(admin.store, customer_id, unit="points"), mp.ledgers.expiring(admin.store, customer_id)
    )


@router.get(
    "/{customer_id:path}",
    summary="A customer: order count and other metrics, spend, tags, credit, points, milestones reached "
    "and discount codes",
    response_model=Customer,
    responses=problems(404),
)
def get_customer(admin: ReadCaller, customer_id: CustomerId) -> Customer:
    check_customer_id(customer_id)
    currency = admin.mp.stores.get(admin.store).currency
    return Customer.of(admin.mp.customers.get(admin.store, customer_id), currency, admin.mp.clock())


for unit in (ledgers.CREDIT, ledgers.POINTS):
    ledgers.add_routes(router, unit)
