"""Every page of the admin UI, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from milepost.entrypoints.web import (
    aggregates,
    api_keys,
    automation_runs,
    automations,
    customer_actions,
    customer_list,
    customers,
    deliveries,
    email_templates,
    event_names,
    home,
    logs,
    order_count_events,
    pools,
    programs,
    stores,
    users,
    webhooks,
)

router = APIRouter(prefix="/admin", include_in_schema=False)
for _area in (
    stores,  # before home: its /stores/... pages are not a store's
    home,
    order_count_events,
    programs,
    email_templates,
    pools,
    aggregates,
    automations,  # before automation_runs: its /new is not an automation's key
    automation_runs,
    customer_list,
    customers,
    customer_actions,
    event_names,
    logs,
    deliveries,
    api_keys,
    webhooks,
    users,
):
    router.include_router(_area.router)
