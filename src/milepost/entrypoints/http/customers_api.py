"""A customer as the store knows them, by the store's own id; spending and adjusting credit
and points."""

from __future__ import annotations

from fastapi import APIRouter

from milepost.entrypoints.http.admin import AdminCaller, problems
from milepost.entrypoints.http.customer_params import CustomerId, KeyHeader, check_customer_id, idempotency_key
from milepost.entrypoints.http.models import AdjustIn, PointsAdjustIn, PointsSpendIn, SpendIn
from milepost.entrypoints.http.resources.customers import Customer
from milepost.entrypoints.http.resources.ledgers import LedgerEntry, Points, PointsEntry

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])

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
    "given by milestones, spent, adjusted, clawed back, expired. The balance is their sum. When the store's "
    "points expire, `expiring` lists what will expire and when.",
    response_model=Points,
    responses=problems(404),
)
def get_points(admin: AdminCaller, customer_id: CustomerId) -> Points:
    check_customer_id(customer_id)
    mp = admin.mp
    return Points.of(mp.points_ledger(admin.store, customer_id), mp.points_expiring(admin.store, customer_id))


@router.get(
    "/{customer_id:path}",
    summary="A customer: order count and other metrics, spend, tags, credit, points, milestones reached "
    "and discount codes",
    response_model=Customer,
    responses=problems(404),
)
def get_customer(admin: AdminCaller, customer_id: CustomerId) -> Customer:
    check_customer_id(customer_id)
    currency = admin.mp.store(admin.store).currency
    return Customer.of(admin.mp.customer(admin.store, customer_id), currency, admin.mp.clock())


@router.post(
    "/{customer_id:path}/credit/spend",
    status_code=201,
    summary="Record store credit the customer used",
    description=_CREDIT + " Spending below zero is a 409 unless the store allows negative credit.",
    response_model=LedgerEntry,
    responses=problems(404, 409, body=True),
)
def spend_credit(admin: AdminCaller, customer_id: CustomerId, body: SpendIn, key: KeyHeader = None) -> LedgerEntry:
    check_customer_id(customer_id)
    entry = admin.mp.spend_credit(
        admin.store,
        customer_id,
        body.amount,
        key=idempotency_key(body.idempotency_key, key),
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
    check_customer_id(customer_id)
    entry = admin.mp.adjust_credit(
        admin.store,
        customer_id,
        body.amount,
        key=idempotency_key(body.idempotency_key, key),
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
    check_customer_id(customer_id)
    entry = admin.mp.spend_points(
        admin.store,
        customer_id,
        body.points,
        key=idempotency_key(body.idempotency_key, key),
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
    check_customer_id(customer_id)
    entry = admin.mp.adjust_points(
        admin.store,
        customer_id,
        body.points,
        key=idempotency_key(body.idempotency_key, key),
        reason=body.reason,
        actor=body.actor or admin.actor,
    )
    return PointsEntry.of(entry)
