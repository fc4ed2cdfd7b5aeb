"""The key's store: its settings."""

from __future__ import annotations

from fastapi import APIRouter

from milepost.entrypoints.http.admin import AdminCaller, ReadCaller, problems
from milepost.entrypoints.http.schemas.store import EmailReach, Store, StorePatch

router = APIRouter(prefix="/api/v1", tags=["store"])


@router.get("/store", summary="The key's store and its settings", response_model=Store, responses=problems())
def get_store(admin: ReadCaller) -> Store:
    return Store.of(admin.mp.stores.get(admin.store))


@router.patch(
    "/store",
    summary="Change the store's settings",
    description="Fields left out stay as they are. The currency cannot change once the store has orders "
    "or credit, the counting status once it has orders (409): amounts and order counts would change.",
    response_model=Store,
    responses=problems(409, body=True),
)
def update_store(admin: AdminCaller, body: StorePatch) -> Store:
    changes = body.changes()
    store = admin.mp.stores.update(admin.store, **changes) if changes else admin.mp.stores.get(admin.store)
    return Store.of(store)


@router.get(
    "/store/email-reach",
    summary="How many customers a milestone email would reach today",
    description="Customers with an email address and, unless the store's `milestone_emails` is "
    "`transactional`, email consent; and how many lack an address or consent.",
    response_model=EmailReach,
    responses=problems(),
)
def email_reach(admin: ReadCaller) -> EmailReach:
    return EmailReach.of(admin.mp.customers.email_reach(admin.store))
