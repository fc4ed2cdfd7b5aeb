"""A customer as the store knows them, by the store's own id; spending and adjusting credit
and points."""

from __future__ import annotations

from fastapi import APIRouter

from milepost.entrypoints.http.admin import AdminCaller, problems
from milepost.entrypoints.http.customer_params import CustomerId, check_customer_id
from milepost.entrypoints.http.ledgers import LedgerRoutes, add_routes
from milepost.entrypoints.http.schemas.customers import Customer
from milepost.entrypoints.http.schemas.ledgers import (
    AdjustIn,
    LedgerEntry,
    Points,
    PointsAdjustIn,
    PointsEntry,
    PointsSpendIn,
    SpendIn,
)

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
def get_customer(admin: AdminCaller, customer_id: CustomerId) -> Customer:
    check_customer_id(customer_id)
    currency = admin.mp.stores.get(admin.store).currency
    return Customer.of(admin.mp.customers.get(admin.store, customer_id), currency, admin.mp.clock())


add_routes(
    router,
    LedgerRoutes(
        name="credit",
        field="amount",
        about=_CREDIT,
        spend_summary="Record store credit the customer used",
        adjust_summary="Correct the customer's credit, up or down, with a reason",
        entry=LedgerEntry,
        spend_body=SpendIn,
        adjust_body=AdjustIn,
        spend=lambda mp, *args, **kwargs: mp.ledgers.spend(*args, unit="credit", **kwargs),
        adjust=lambda mp, *args, **kwargs: mp.ledgers.adjust(*args, unit="credit", **kwargs),
    ),
)
add_routes(
    router,
    LedgerRoutes(
        name="points",
        field="points",
        about=_POINTS,
        spend_summary="Record points the customer redeemed",
        adjust_summary="Correct the customer's points, up or down, with a reason",
        entry=PointsEntry,
        spend_body=PointsSpendIn,
        adjust_body=PointsAdjustIn,
        spend=lambda mp, *args, **kwargs: mp.ledgers.spend(*args, unit="points", **kwargs),
        adjust=lambda mp, *args, **kwargs: mp.ledgers.adjust(*args, unit="points", **kwargs),
    ),
)
