"""The milestone log and the admin alerts that milestones create for agents."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query
from pydantic import AwareDatetime

from milepost.entrypoints.http.admin import (
    AdminCaller,
    Cursor,
    Limit,
    ReadCaller,
    cursor_id,
    filter_id,
    id_page,
    possible_external_id,
    problems,
    utc,
)
from milepost.entrypoints.http.schemas.alerts import AcknowledgeIn, Alert
from milepost.entrypoints.http.schemas.milestones import Milestone
from milepost.entrypoints.http.schemas.responses import Page
from milepost.entrypoints.http.wire import parse_id

router = APIRouter(prefix="/api/v1", tags=["milestones and alerts"])

AlertId = Annotated[str, Path(description="The alert's id, like alr_5.")]
Time = Annotated[AwareDatetime | None, Query(description="ISO 8601 with an offset, like 2026-05-01T00:00:00Z.")]


@router.get(
    "/milestones",
    summary="The milestone log, newest first",
    description="Who reached which order count event, when, on which order, and what each action did. "
    "`since` is inclusive, `until` exclusive.",
    response_model=Page[Milestone],
    responses=problems(),
)
def milestone_log(
    admin: ReadCaller,
    order_count_event_id: Annotated[str | None, Query(description="Only this order count event (oce_...).")] = None,
    program_id: Annotated[str | None, Query(description="Only this milestone program (prg_...).")] = None,
    customer_id: Annotated[str | None, Query(description="Only this customer (the store's id).")] = None,
    since: Time = None,
    until: Time = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Milestone]:
    rule_id = filter_id("order_count_event", order_count_event_id, "query.order_count_event_id")
    if program_id is not None:
        program = filter_id("program", program_id, "query.program_id")
        if rule_id is not None and rule_id != program:
            return Page[Milestone](data=[], next_cursor=None)
        rule_id = program
    before = cursor_id(cursor, "mst")
    if customer_id is not None and not possible_external_id(customer_id):
        return Page[Milestone](data=[], next_cursor=None)
    found = admin.mp.reports.milestone_log(
        admin.store,
        customer_id=customer_id,
        rule_id=rule_id,
        since=utc(since, "query.since"),
        until=utc(until, "query.until"),
        before_id=before,
        limit=limit + 1,
    )
    return id_page(Milestone, "mst", found, limit)


@router.get(
    "/alerts",
    summary="Admin alerts, newest first",
    response_model=Page[Alert],
    responses=problems(),
)
def list_alerts(
    admin: ReadCaller,
    status: Annotated[
        Literal["open", "acknowledged", "resolved", "unresolved", "all"],
        Query(description="Which alerts; `unresolved`: open or acknowledged."),
    ] = "open",
    assignee: Annotated[
        str | None, Query(max_length=254, description="Only the alerts of the user with this email.")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Alert]:
    found = admin.mp.alerts.list(
        admin.store,
        status=None if status == "all" else status,
        limit=limit + 1,
        before_id=cursor_id(cursor, "alr"),
        assignee=assignee,
    )
    return id_page(Alert, "alr", found, limit)


def _alert_step(step: str, summary: str, description: str) -> None:
    """POST /alerts/{id}/acknowledge or /resolve: that step of mp.alerts, taken by `by`."""

    @router.post(
        f"/alerts/{{alert_id}}/{step}",
        name=f"{step}_alert",
        summary=summary,
        description=description,
        response_model=Alert,
        responses=problems(404, body=True),
    )
    def take_step(admin: AdminCaller, alert_id: AlertId, body: Annotated[AcknowledgeIn | None, Body()] = None) -> Alert:
        by = body.by if body is not None and body.by else admin.actor
        take = admin.mp.alerts.acknowledge if step == "acknowledge" else admin.mp.alerts.resolve
        return Alert.of(take(admin.store, parse_id("alert", alert_id), by))


_alert_step(
    "acknowledge",
    "Acknowledge an alert",
    "Marks an open alert handled; `by` defaults to the API key. An alert acknowledged "
    "already stays as it was (who and when do not change).",
)
_alert_step(
    "resolve",
    "Resolve an alert",
    "Marks an alert dealt with (an open one is acknowledged at the same time); `by` "
    "defaults to the API key. A resolved alert stays as it was.",
)
