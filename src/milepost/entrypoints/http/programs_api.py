"""Milestone programs: what happens when a customer's metric (orders, amount spent, reviews,
referrals, billing cycles) reaches a threshold, optionally only inside a window of time.

Order count events are the programs on the number of orders: they are listed here too,
as the kind `order_count`, under program ids (`prg_12` is `oce_12`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Response
from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, Strict

from milepost.domain.aggregates import METRICS
from milepost.domain.journeys import MAX_STEPS
from milepost.domain.rules import MAX_COUNT, MAX_INACTIVE_DAYS, RULE_KINDS
from milepost.domain.rules import MAX_THRESHOLD as MAX_THRESHOLD_BY_METRIC
from milepost.entrypoints.http.admin import (
    Admin,
    AdminCaller,
    Cursor,
    Limit,
    cursor_position,
    invalid,
    page,
    problems,
    utc,
)
from milepost.entrypoints.http.models import Actions, Body, Condition, Name, Patch
from milepost.entrypoints.http.resources import ActionList, Page, TagCondition, Timestamp
from milepost.entrypoints.http.wire import parse_id, public_id
from milepost.errors import NotFound
from milepost.service.rules import MAX_CLAWBACK_DAYS, RuleDetails

router = APIRouter(prefix="/api/v1/programs", tags=["milestone programs"])

ProgramId = Annotated[str, Path(description="The program's id, like prg_12.")]
_KIND = "program"
MAX_THRESHOLD = max(MAX_THRESHOLD_BY_METRIC.values())  # amounts and points; counts stop at MAX_COUNT

Metric = Annotated[
    Literal[tuple(METRICS)],  # type: ignore[valid-type]
    Field(description="What the program counts: " + "; ".join(f"`{k}`: {v}" for k, v in METRICS.items()) + "."),
]
Threshold = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_THRESHOLD,
        description=f"The value of the metric that triggers it: at most {MAX_COUNT:,}, "
        "except for amount_spent (minor units) and points_earned (at most 10^15).",
    ),
]
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)


def _rfc3339(value: Any) -> Any:
    """Only text like 2026-06-01T00:00:00Z, with its offset: not a number, a date or a naive time."""
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("must be an RFC 3339 time with its offset, like 2026-06-01T00:00:00Z")
    return value


WindowTime = Annotated[
    AwareDatetime,
    Strict(False),  # the body is JSON: the time comes as text
    BeforeValidator(_rfc3339),
    Field(description="RFC 3339 with an offset, like 2026-06-01T00:00:00Z."),
]
_STARTS = "Crossings before this time do not fire it."
_ENDS = "Crossings from this time on do not fire it; after `starts_at`."


# -- what the admin sends -----------------------------------------------------------------------


class JourneyStep(Body):
    metric: Metric
    count: Threshold = Field(1, description="How much the metric must grow after the previous step.")


_CLAWBACK = (
    "Clawback policy: when the order that crossed the threshold is fully refunded or cancelled within "
    "this many days, the milestone's credit and points are taken back and its unused codes voided."
)
ClawbackDays = Annotated[int, Field(ge=0, le=MAX_CLAWBACK_DAYS)]


class ProgramIn(Body):
    name: Name
    metric: Metric | None = Field(None, description="Required, except for a journey (`steps`).")
    threshold: Threshold | None = Field(None, description="Required, except for a journey (`steps`).")
    steps: list[JourneyStep] | None = Field(
        None,
        min_length=2,
        max_length=MAX_STEPS,
        description="A sequential journey instead of one threshold: each step counts only what happens "
        "after the previous one; it fires when the last is done. Leave out metric and threshold.",
    )
    days: int | None = Field(
        None,
        ge=1,
        le=MAX_INACTIVE_DAYS,
        description="An inactivity program instead: it fires this many days after a customer's last counted "
        "order, once per lapse (a new order starts a new one). Leave out metric and threshold.",
    )
    actions: Actions
    conditions: list[Condition] = Field(default_factory=list, max_length=50)
    active: bool = True
    starts_at: WindowTime | None = Field(None, description=f"{_STARTS} Null: no start.")
    ends_at: WindowTime | None = Field(None, description=f"{_ENDS} Null: no end.")
    every: Threshold | None = Field(
        None,
        description="Repeating: it fires again at threshold + every, threshold + 2 * every, ... "
        "(every 5th order: threshold 5, every 5). Null: once per customer. Set at creation only.",
    )
    clawback_days: ClawbackDays | None = Field(None, description=f"{_CLAWBACK} Null or 0: keep (the default).")


class ProgramPatch(Patch):
    name: Name = Field(None)
    threshold: Threshold = Field(None)
    actions: Actions = Field(None, description="Replaces every action.")
    conditions: list[Condition] = Field(None, max_length=50, description="Replaces every condition; [] for none.")
    active: bool = Field(None)
    starts_at: WindowTime = Field(None, description=f"A new start of the window. {_STARTS}")
    ends_at: WindowTime = Field(None, description=f"A new end of the window. {_ENDS}")
    clawback_days: ClawbackDays = Field(None, description=f"{_CLAWBACK} 0: keep from now on.")


# -- what it gets back --------------------------------------------------------------------------


class Program(BaseModel):
    id: str = Field(examples=["prg_12"])
    kind: Literal[tuple(RULE_KINDS)] = Field(  # type: ignore[valid-type]
        description="`order_count`: an order count event (also at /api/v1/order-count-events); `program`: any other."
    )
    name: str
    metric: Metric
    threshold: int
    active: bool
    conditions: list[TagCondition]
    actions: ActionList
    version: int = Field(description="Goes up with every change; the milestone log names the version that fired.")
    starts_at: Timestamp | None = Field(description="Null: no start.")
    ends_at: Timestamp | None = Field(description="Null: no end.")
    every: int | None = Field(description="Repeating programs: the step between marks; null: once per customer.")
    steps: list[dict[str, Any]] | None = Field(description="Journeys: the steps, in order; null for other kinds.")
    clawback_days: int | None = Field(None, description=f"{_CLAWBACK} Null: keep.")
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, d: RuleDetails) -> Program:
        r = d.rule
        return cls(
            id=public_id(_KIND, r.id),  # type: ignore[arg-type]
            kind=r.kind,
            name=r.name,
            metric=r.metric,
            threshold=r.threshold,
            active=r.active,
            conditions=[TagCondition(tag=c.tag, has=c.present) for c in r.conditions],
            actions=[a.as_dict() for a in r.actions],
            version=r.version,
            starts_at=r.starts_at,
            ends_at=r.ends_at,
            every=r.every,
            steps=[s.as_dict() for s in r.steps] or None,
            clawback_days=r.clawback_days,
            created_at=d.created_at,
            updated_at=d.updated_at,
        )


class ProgramChange(Program):
    excluded: int = Field(
        description="Customers already at or past the threshold when this change armed the program: "
        "they never get it (programs are not retroactive)."
    )

    @classmethod
    def of(cls, d: RuleDetails) -> ProgramChange:
        return cls(**Program.of(d).model_dump(), excluded=d.excluded)


# -- routes -------------------------------------------------------------------------------------


@router.get(
    "",
    summary="List the milestone programs by threshold",
    description="Every kind, order count events included, by threshold then id.",
    response_model=Page[Program],
    responses=problems(),
)
def list_programs(admin: AdminCaller, limit: Limit = 50, cursor: Cursor = None) -> Page[Program]:
    after = cursor_position(cursor, "prg", int, int)
    found = admin.mp.programs(admin.store, after=(after[0], after[1]) if after else None, limit=limit + 1)
    kept, next_cursor = page(found, limit, lambda d: ["prg", d.rule.threshold, d.rule.id])
    return Page[Program](data=[Program.of(d) for d in kept], next_cursor=next_cursor)


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
        d = admin.mp.create_inactivity_program(
            admin.store,
            name=body.name,
            days=body.days,
            actions=body.actions,
            conditions=[c.model_dump() for c in body.conditions],
            active=body.active,
            starts_at=utc(body.starts_at, "starts_at"),
            ends_at=utc(body.ends_at, "ends_at"),
        )
        response.headers["Location"] = f"{router.prefix}/{public_id(_KIND, d.rule.id)}"
        return ProgramChange.of(d)
    if body.steps is not None:
        if body.metric is not None or body.threshold is not None or body.every is not None:
            raise invalid("steps", "a journey takes steps instead of metric, threshold and every")
        d = admin.mp.create_journey(
            admin.store,
            name=body.name,
            steps=[s.model_dump() for s in body.steps],
            actions=body.actions,
            conditions=[c.model_dump() for c in body.conditions],
            active=body.active,
            starts_at=utc(body.starts_at, "starts_at"),
            ends_at=utc(body.ends_at, "ends_at"),
        )
        response.headers["Location"] = f"{router.prefix}/{public_id(_KIND, d.rule.id)}"
        return ProgramChange.of(d)
    for field in ("metric", "threshold"):
        if getattr(body, field) is None:
            raise invalid(field, "is required (or give steps, for a journey)")
    d = admin.mp.create_program(
        admin.store,
        name=body.name,
        metric=body.metric,
        threshold=body.threshold,
        actions=body.actions,
        conditions=[c.model_dump() for c in body.conditions],
        active=body.active,
        starts_at=utc(body.starts_at, "starts_at"),
        ends_at=utc(body.ends_at, "ends_at"),
        every=body.every,
        clawback_days=body.clawback_days,
    )
    response.headers["Location"] = f"{router.prefix}/{public_id(_KIND, d.rule.id)}"
    return ProgramChange.of(d)


@router.get("/{program_id}", summary="One milestone program", response_model=Program, responses=problems(404))
def get_program(admin: AdminCaller, program_id: ProgramId) -> Program:
    return Program.of(_live(admin, program_id))


@router.patch(
    "/{program_id}",
    summary="Edit a milestone program",
    description="Fields left out stay as they are; `actions` and `conditions` replace the lists. The metric "
    "never changes (create another program). Edits affect only future crossings; a new threshold or "
    "switching on excludes the customers already at or past it.",
    response_model=ProgramChange,
    responses=problems(404, body=True),
)
def update_program(admin: AdminCaller, program_id: ProgramId, body: ProgramPatch) -> ProgramChange:
    rule = _live(admin, program_id).rule
    changes: dict[str, Any] = body.changes()
    for field in ("starts_at", "ends_at"):
        if field in changes:
            changes[field] = utc(changes[field], field)
    return ProgramChange.of(admin.mp.update_program(admin.store, rule.id, **changes))


@router.delete(
    "/{program_id}",
    status_code=204,
    summary="Delete a milestone program",
    description="It stops for good and is no longer listed; its past milestones stay in the log.",
    response_class=Response,
    responses=problems(404),
)
def delete_program(admin: AdminCaller, program_id: ProgramId) -> Response:
    admin.mp.delete_program(admin.store, _live(admin, program_id).rule.id)
    return Response(status_code=204)


def _live(admin: Admin, program_id: str) -> RuleDetails:
    """The program, unless it does not exist in the key's store or was deleted."""
    d = admin.mp.program(admin.store, parse_id(_KIND, program_id))
    if d.deleted_at is not None:
        raise NotFound(f"no milestone program {program_id!r} in this store")
    return d
