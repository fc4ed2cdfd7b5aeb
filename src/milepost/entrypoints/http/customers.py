"""A customer as the store knows them, by the store's own id; spending and adjusting credit
and points."""

from __future__ import annotations

from fastapi import APIRouter

from milepost.entrypoints.http import ledgers
from milepost.entrypoints.http.admin import AdminCaller, problems
from milepost.entrypoints.http.customer_params import CustomerId, check_customer_id
from milepost.entrypoints.http.schemas.customers import Customer
from milepost.entrypoints.http.schemas.ledgers import Points

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


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


for unit in (ledgers.CREDIT, ledgers.POINTS):
    ledgers.add_routes(router, unit)
