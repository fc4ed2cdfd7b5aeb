"""Milestone programs: what happens when a customer's metric (orders, amount spent, reviews,
referrals, billing cycles) reaches a threshold, optionally only inside a window of time.

Order count events are the programs on the number of orders: they are listed here too,
as the kind `order_count`, under program ids (`prg_12` is `oce_12`).
"""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Response

from milepost.entrypoints.http.admin import AdminCaller, invalid, problems, utc
from milepost.entrypoints.http.program_resource import ProgramResource, Texts, add_routes
from milepost.entrypoints.http.schemas.programs import Program, ProgramChange, ProgramIn, ProgramPatch
from milepost.entrypoints.program_collections import PROGRAMS

router = APIRouter(prefix="/api/v1/programs", tags=["milestone programs"])

# -- routes -------------------------------------------------------------------------------------


RESOURCE = ProgramResource(
    router=router,
    collection=PROGRAMS,
    kind="program",
    name="program",
    param_description="The program's id, like prg_12.",
    model=Program,
    change=ProgramChange,
    patch=ProgramPatch,
)
add_routes(
    RESOURCE,
    Texts(
        list="List the milestone programs by threshold",
        list_description="Every kind, order count events included, by threshold then id.",
        get="One milestone program",
        update="Edit a milestone program",
        update_description="Fields left out stay as they are; `actions` and `conditions` replace the lists; "
        "`null` removes `starts_at`, `ends_at` or `clawback_days`. The metric never changes (create another "
        "program). Edits affect only future crossings; a new threshold, switching on or a window that opens "
        "again excludes the customers already at or past it.",
        delete="Delete a milestone program",
    ),
)


@router.post(
    "",
    status_code=201,
    summary="Create a milestone program",
    description="It fires once per customer whose metric crosses the threshold while it is on and inside "
    "[`starts_at`, `ends_at`). Customers already at or past the threshold never get it (`excluded` says "
    "how many). Actions run in the order given.",
    response_model=ProgramChange,
    responses={201: {"headers": {"Location": {"schema": {"type": "string"}}}}, **problems(body=True)},
)
def create_program(admin: AdminCaller, body: ProgramIn, response: Response) -> ProgramChange:
    if body.clawback_days and (body.days is not None or body.steps is not None):
        raise invalid("clawback_days", "only programs on a threshold (and order count events) claw back")
    if body.days is not None:
        if any(v is not None for v in (body.metric, body.threshold, body.every, body.steps)):
            raise invalid("days", "an inactivity program takes days instead of metric, threshold, every and steps")
        d = admin.mp.programs.create_inactivity(admin.store, days=body.days, **_common(body))
    elif body.steps is not None:
        if body.metric is not None or body.threshold is not None or body.every is not None:
            raise invalid("steps", "a journey takes steps instead of metric, threshold and every")
        d = admin.mp.programs.create_journey(admin.store, steps=[s.model_dump() for s in body.steps], **_common(body))
    else:
        if body.metric is None:
            raise invalid("metric", "is required (or give steps, for a journey)")
        if body.threshold is None:
            raise invalid("threshold", "is required (or give steps, for a journey)")
        d = admin.mp.programs.create(
            admin.store,
            metric=body.metric,
            threshold=body.threshold,
            every=body.every,
            clawback_days=body.clawback_days,
            **_common(body),
        )
    return cast(ProgramChange, RESOURCE.created(response, d))


def _common(body: ProgramIn) -> dict[str, Any]:
    """What every kind of program is created with."""
    return {
        "name": body.name,
        "actions": body.actions,
        "conditions": [c.model_dump() for c in body.conditions],
        "active": body.active,
        "starts_at": utc(body.starts_at, "starts_at"),
        "ends_at": utc(body.ends_at, "ends_at"),
    }
