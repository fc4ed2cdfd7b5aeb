"""Every page of the admin UI, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from milepost.entrypoints.web import customers, home, order_count_events

router = APIRouter(prefix="/admin", include_in_schema=False)
for _area in (home, order_count_events, customers):
    router.include_router(_area.router)
