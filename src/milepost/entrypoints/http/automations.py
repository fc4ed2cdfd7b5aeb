"""Automations, named by their key: created, listed, replaced, changed in part (switched
on or off, renamed), deleted, and their run log: a run per day, the customers of a
day's run with what each action did, and those it reached but fired nothing for, and why.
And a start on request: the automation started for one customer now, as a Trigger Workflow
action starts it.

The body is the definition `mp.automations` takes; the domain checks it, and a refused
one is a 422 whose `errors` name each field path (`branches[0].actions[0].pool`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response

from milepost.entrypoints.http.admin import AdminCaller, Cursor, Limit, ReadCaller, cursor_id, id_page, page, problems
from milepost.entrypoints.http.customer_params import KeyHeader, optional_idempotency_key
from milepost.entrypoints.http.schemas.automations import (
    DEFINITION_BODY,
    PATCH_BODY,
    Automation,
    AutomationRun,
    RunCustomer,
    RunMiss,
    Started,
    StartIn,
)
from milepost.entrypoints.http.schemas.responses import Page
from milepost.errors import NotFound, ValidationError

router = APIRouter(prefix="/api/v1/automations", tags=["automations"])

Key = Annotated[str, Path(description="The automation's key, like `first_purchase_anniversary`.", max_length=64)]
Day = Annotated[date, Path(alias="date", description="The store-local date of the run, YYYY-MM-DD.")]
Definition = Annotated[dict[str, Any], Body()]
_LOCATION = {"headers": {"Location": {"schema": {"type": "string"}}}}


@router.get("", summary="The store's automations, oldest first", response_model=Page[Automation], responses=problems())
def list_automations(admin: ReadCaller) -> Page[Automation]:
    found = admin.mp.automations.list(admin.store)
    return Page[Automation](data=[Automation.of(a) for a in found], next_cursor=None)


@router.post(
    "",
    status_code=201,
    summary="Create an automation",
    description="The body is the definition (see `AutomationDefinition`, with the first-purchase anniversary "
    "as its example). 409 when the store has an automation with that key.",
    response_model=Automation,
    openapi_extra={"requestBody": DEFINITION_BODY},
    responses={201: _LOCATION, **problems(409, body=True)},
)
def create_automation(admin: AdminCaller, body: Definition, response: Response) -> Automation:
    saved = admin.mp.automations.create(admin.store, body)
    response.headers["Location"] = f"{router.prefix}/{saved.automation.key}"
    return Automation.of(saved)


@router.get("/{key}", summary="One automation", response_model=Automation, responses=problems(404))
def get_automation(admin: ReadCaller, key: Key) -> Automation:
    return Automation.of(admin.mp.automations.get(admin.store, key))


@router.put(
    "/{key}",
    summary="Create or replace an automation",
    description="The whole definition; its `key` may be left out, and must be the path's if given. Answers "
    "201 when the key is new, 200 when it replaced a definition. What the automation fired stays fired: "
    "a customer it fired for on a day never gets that day again.",
    response_model=Automation,
    openapi_extra={"requestBody": DEFINITION_BODY},
    responses={201: {"description": "Created", "model": Automation}, **problems(409, body=True)},
)
def replace_automation(admin: AdminCaller, key: Key, body: Definition, response: Response) -> Automation:
    definition = {**body, "key": body.get("key", key)}
    if definition["key"] != key:
        raise ValidationError("an automation's key does not change", {"key": f"must be {key!r}, as in the path"})
    try:
        return Automation.of(admin.mp.automations.update(admin.store, key, definition))
    except NotFound:
        pass
    saved = admin.mp.automations.create(admin.store, definition)
    response.status_code = 201
    response.headers["Location"] = f"{router.prefix}/{key}"
    return Automation.of(saved)


@router.patch(
    "/{key}",
    summary="Change some fields of an automation",
    description='Fields left out stay as they are: `{"active": false}` switches it off (the days it is off '
    'are not made up), `{"name": ...}` renames it; `branches`, `audience` and `trigger` replace the whole '
    "field. The result is checked like a new definition.",
    response_model=Automation,
    openapi_extra={"requestBody": PATCH_BODY},
    responses=problems(404, body=True),
)
def update_automation(admin: AdminCaller, key: Key, body: Definition) -> Automation:
    mp = admin.mp
    if set(body) == {"active"} and isinstance(body["active"], bool):
        return Automation.of(mp.automations.set_active(admin.store, key, body["active"]))
    current = mp.automations.get(admin.store, key).automation.as_dict()
    return Automation.of(mp.automations.update(admin.store, key, {**current, **body}))


@router.delete(
    "/{key}",
    status_code=204,
    summary="Delete an automation",
    description="Always allowed, fired or not: it stops and leaves the lists, and its key may be used again; "
    "what it did stays in the customers' logs and in its run log.",
    response_class=Response,
    responses=problems(404),
)
def delete_automation(admin: AdminCaller, key: Key) -> Response:
    admin.mp.automations.delete(admin.store, key)
    return Response(status_code=204)


@router.get(
    "/{key}/runs",
    summary="An automation's runs, newest first",
    description="One per store-local day it ran: customers the trigger held for, the audience, firings, "
    "`skipped` (in the audience, in no branch), `stopped` (rests after a wait not run) and firings per branch.",
    response_model=Page[AutomationRun],
    responses=problems(404),
)
def list_runs(admin: ReadCaller, key: Key, limit: Limit = 50, cursor: Cursor = None) -> Page[AutomationRun]:
    before = cursor_id(cursor, "run")
    found = admin.mp.automations.runs(admin.store, key, before, limit + 1)
    kept, next_cursor = page(found, limit, lambda r: ["run", r.id])
    return Page[AutomationRun](data=[AutomationRun.of(r) for r in kept], next_cursor=next_cursor)


@router.get(
    "/{key}/runs/{date}",
    summary="The customers of an automation's run of a day",
    description="Each customer it fired for on that store-local date, in the order they fired: the branch "
    "and what each action did. Pass `next_cursor` as `cursor` for the next page.",
    response_model=Page[RunCustomer],
    responses=problems(404),
)
def list_run_customers(
    admin: ReadCaller, key: Key, day: Day, limit: Limit = 50, cursor: Cursor = None
) -> Page[RunCustomer]:
    after = cursor_id(cursor, "fir") or 0
    found = admin.mp.automations.run(admin.store, key, day, after, limit + 1)
    kept, next_cursor = page(found, limit, lambda c: ["fir", c.firing_id])
    return Page[RunCustomer](data=[RunCustomer.of(c) for c in kept], next_cursor=next_cursor)


@router.get(
    "/{key}/runs/{date}/misses",
    summary="The customers an automation's run of a day fired nothing for, and why",
    description="Each customer the run of that store-local date reached and fired nothing for: in the audience "
    "but in no branch (`no_branch`, with the conditions each branch failed), or the rest of a branch after a "
    "wait stopped (`left_audience`, `disabled`, `branch_gone`). No firing was written for them: they may qualify "
    "another day. Pass `next_cursor` as `cursor` for the next page.",
    response_model=Page[RunMiss],
    responses=problems(404),
)
def list_run_misses(admin: ReadCaller, key: Key, day: Day, limit: Limit = 50, cursor: Cursor = None) -> Page[RunMiss]:
    after = cursor_id(cursor, "mis") or 0
    return id_page(RunMiss, "mis", admin.mp.automations.misses(admin.store, key, day, after, limit + 1), limit)


@router.post(
    "/{key}/start",
    summary="Start an automation for a customer now",
    description="Starts it the way a Trigger Workflow action does, through the same pipeline: the audience "
    "is checked and the first branch whose condition holds runs its actions now (no send hour). The answer "
    "says what happened: `started` with the branch and each action's outcome, or not started and why "
    "(`reason`): switched off, not active yet, a daily trigger (a daily automation starts on its days), not in "
    "the audience, in no branch. Only `manual`, `event` and `milestone` automations start on request. An "
    "unknown automation or customer is a 404. With an `Idempotency-Key` header (or `idempotency_key`), a "
    "retry starts it once: it answers the first start (`repeated: true`), each action as it stands now; the "
    "same key for another automation or customer is a 409. A request not started writes nothing, so it may "
    "be retried with its key. Each start is in the customer's events (`automation started`, source `start`).",
    response_model=Started,
    responses=problems(404, 409, body=True),
)
def start_automation(admin: AdminCaller, key: Key, body: StartIn, header: KeyHeader = None) -> Started:
    request_key = optional_idempotency_key(body.idempotency_key, header)
    done = admin.mp.automations.start(admin.store, key, body.customer_id, request_key=request_key, actor=admin.actor)
    return Started.of(done)
