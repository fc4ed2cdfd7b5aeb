"""A customer as the store knows them, by the store's own id; spending and adjusting credit
and points."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path

from milepost.entrypoints.http.admin import AdminCaller, invalid, possible_external_id, problems
from milepost.entrypoints.http.models import AdjustIn, IdempotencyKey, PointsAdjustIn, PointsSpendIn, SpendIn
from milepost.entrypoints.http.resources import Customer, LedgerEntry, Points, PointsEntry
from milepost.errors import NotFound

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])

CustomerId = Annotated[str, Path(description="The store's own customer id, as sent in events.")]
KeyHeader = Annotated[
    IdempotencyKey | None,
    Header(alias="Idempotency-Key", description="Instead of `idempotency_key` in the body."),
]
_CREDIT = (
    "Amounts are integers of minor units (1000 = $10.00) in the store's currency. The idempotency key "
    "makes a retry safe: a repeat with the same key and amount answers the same ledger entry (201 again) "
    "and changes nothing; the same key with another amount is a 409."
)

_POINTS = (
    "Points are whole numbers. The idempotency key makes a retry safe: a repeat with the same key and "
    "points answers the same ledger entry (201 again) and changes nothing; the same key with other points "
    "is a 409."
)


# Before the customer itself: its `{customer_id:path}` would take ".../points" as part of the id.
@router.get(
    "/{customer_id:path}/points",
    summary="The customer's points: the balance and the ledger",
    description="Every movement of points, oldest first: earned by orders (a refund takes them back), "
    "given by milestones, spent, adjusted. The balance is their sum.",
    response_model=Points,
    responses=problems(404),
)
def get_points(admin: AdminCaller, customer_id: CustomerId) -> Points:
    _check(customer_id)
    return Points.of(admin.mp.points_ledger(admin.store, customer_id))


@router.get(
    "/{customer_id:path}",
    summary="A customer: order count and other metrics, spend, tags, credit, points and milestones reached",
    response_model=Customer,
    responses=problems(404),
)
def get_customer(admin: AdminCaller, customer_id: CustomerId) -> Customer:
    _check(customer_id)
    currency = admin.mp.store(admin.store).currency
    return Customer.of(admin.mp.customer(admin.store, customer_id), currency)


@router.post(
    "/{customer_id:path}/credit/spend",
    status_code=201,
    summary="Record store credit the customer used",
    description=_CREDIT + " Spending below zero is a 409 unless the store allows negative credit.",
    response_model=LedgerEntry,
    responses=problems(404, 409, body=True),
)
def spend_credit(admin: AdminCaller, customer_id: CustomerId, body: SpendIn, key: KeyHeader = None) -> LedgerEntry:
    _check(customer_id)
    entry = admin.mp.spend_credit(
        admin.store,
        customer_id,
        body.amount,
        key=_idempotency_key(body.idempotency_key, key),
        order_id=body.order_id,
        note=body.note,
    )
    return LedgerEntry.of(entry)


@router.post(
    "/{customer_id:path}/credit/adjust",
    status_code=201,
    summary="Correct the customer's credit, up or down, with a reason",
    description=_CREDIT + " `actor` defaults to the API key (`api key mpk_...`).",
    response_model=LedgerEntry,
    responses=problems(404, 409, body=True),
)
def adjust_credit(admin: AdminCaller, customer_id: CustomerId, body: AdjustIn, key: KeyHeader = None) -> LedgerEntry:
    _check(customer_id)
    entry = admin.mp.adjust_credit(
        admin.store,
        customer_id,
        body.amount,
        key=_idempotency_key(body.idempotency_key, key),
        reason=body.reason,
        actor=body.actor or admin.actor,
    )
    return LedgerEntry.of(entry)


@router.post(
    "/{customer_id:path}/points/spend",
    status_code=201,
    summary="Record points the customer redeemed",
    description=_POINTS + " Spending below zero is a 409 unless the store allows negative points.",
    response_model=PointsEntry,
    responses=problems(404, 409, body=True),
)
def spend_points(
    admin: AdminCaller, customer_id: CustomerId, body: PointsSpendIn, key: KeyHeader = None
) -> PointsEntry:
    _check(customer_id)
    entry = admin.mp.spend_points(
        admin.store,
        customer_id,
        body.points,
        key=_idempotency_key(body.idempotency_key, key),
        order_id=body.order_id,
        note=body.note,
    )
    return PointsEntry.of(entry)


@router.post(
    "/{customer_id:path}/points/adjust",
    status_code=201,
    summary="Correct the customer's points, up or down, with a reason",
    description=_POINTS + " `actor` defaults to the API key (`api key mpk_...`).",
    response_model=PointsEntry,
    responses=problems(404, 409, body=True),
)
def adjust_points(
    admin: AdminCaller, customer_id: CustomerId, body: PointsAdjustIn, key: KeyHeader = None
) -> PointsEntry:
    _check(customer_id)
    entry = admin.mp.adjust_points(
        admin.store,
        customer_id,
        body.points,
        key=_idempotency_key(body.idempotency_key, key),
        reason=body.reason,
        actor=body.actor or admin.actor,
    )
    return PointsEntry.of(entry)


def _check(customer_id: str) -> None:
    if not possible_external_id(customer_id):
        raise NotFound(f"no customer {customer_id!r} in this store")


def _idempotency_key(in_body: str | None, in_header: str | None) -> str:
    if in_body is not None and in_header is not None and in_body != in_header:
        raise invalid("idempotency_key", "differs from the Idempotency-Key header")
    key = in_body if in_body is not None else in_header
    if key is None:
        raise invalid("idempotency_key", "is required (in the body or as the Idempotency-Key header)")
    return key
