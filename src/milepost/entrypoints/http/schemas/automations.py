"""Automations: the definition (the JSON object `mp.automations` takes, documented here
as JSON schemas with the first-purchase anniversary as its example), an automation as
stored, and its run log: a run per day, and the customers of a day's run.

The definition is not a pydantic model: the domain checks it (domain/automations.py)
and names each problem by its field path, `branches[0].actions[1].pool`, the same path
whether it came over HTTP, from the CLI or from Python. These schemas document it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema

from milepost.domain.action_types import AUTOMATION_ACTION_TYPES
from milepost.domain.aggregates import METRICS
from milepost.domain.automation_examples import ANNIVERSARY
from milepost.domain.automations import MAX_TRIGGER_DAYS, NUMERIC_OPS, TRIGGERS
from milepost.domain.ids import format_id
from milepost.entrypoints.http.schemas.requests import Body, IdempotencyKey, action_schema, text
from milepost.entrypoints.http.schemas.responses import Timestamp
from milepost.service import automations as kept
from milepost.service.manual_starts import REASONS, Start

_REF = "#/components/schemas/"
_DAYS = {"type": "integer", "minimum": 1, "maximum": MAX_TRIGGER_DAYS}


def _object(title: str, required: list[str], description: str = "", **properties: dict[str, Any]) -> dict[str, Any]:
    out = {"type": "object", "title": title, "required": required, "properties": properties}
    return {**out, "additionalProperties": False, **({"description": description} if description else {})}


def _trigger(kind: str, description: str, **properties: Any) -> dict[str, Any]:
    return _object(kind, ["type"], description, type={"type": "string", "enum": [kind]}, **properties)


TRIGGER_SCHEMA: dict[str, Any] = {
    "description": "When a customer enters: a daily trigger (evaluated by the daily run of each "
    "store-local day D, in the customer's own time zone) or another kind. One of: " + ", ".join(TRIGGERS) + ".",
    "oneOf": [
        _trigger(
            "first_purchase", "The first counted order, dated by when it was counted, was on D - days.", days=_DAYS
        ),
        _trigger("signup", "The customer was created on D - days.", days=_DAYS),
        _trigger("inactive", "The last counted order was on D - days.", days=_DAYS),
        _trigger(
            "date_attribute",
            "The date in the attribute (YYYY-MM-DD) + days is D; yearly: its month and day each year "
            "(29 February on 28 February in other years).",
            attribute={"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,100}$"},
            days={"type": "integer", "minimum": -MAX_TRIGGER_DAYS, "maximum": MAX_TRIGGER_DAYS},
            yearly={"type": "boolean"},
        ),
        _trigger(
            "event",
            "An event of this type or custom event name, with these property values.",
            event={"type": "string", "minLength": 1, "maxLength": 100},
            where={"type": "object"},
        ),
        _trigger("milestone", "A milestone of this program reached.", program={"type": "string", "minLength": 1}),
        _trigger("manual", "Started by a `trigger_workflow` action naming the automation."),
    ],
}

_FIELDS = "`email`, `email_consent`, `sms_consent`, `tag`, " + ", ".join(f"`{m}`" for m in METRICS)
CONDITION_SCHEMA: dict[str, Any] = {
    "description": "A condition on a customer: `all` or `any` of a list, `not` one, or a leaf "
    f"`{{field, op, value}}` on {_FIELDS}, `attribute.<name>` or `aggregate.<key>` (a store aggregate, "
    "as of the day, in the customer's calendar).",
    "oneOf": [
        _object("all", ["all"], all={"type": "array", "minItems": 1, "items": {"$ref": _REF + "AutomationCondition"}}),
        _object("any", ["any"], any={"type": "array", "minItems": 1, "items": {"$ref": _REF + "AutomationCondition"}}),
        _object("not", ["not"], "", **{"not": {"$ref": _REF + "AutomationCondition"}}),
        _object(
            "leaf",
            ["field", "op"],
            "`email`: valid, present; consents: is (true/false); `tag`: has, lacks; metrics and aggregates: "
            + ", ".join(NUMERIC_OPS)
            + " (between [low, high], both ends included); attributes: =, !=, present, in.",
            field={"type": "string", "minLength": 1},
            op={"type": "string", "minLength": 1},
            value={},
        ),
    ],
}


def _action(name: str) -> dict[str, Any]:
    schema = action_schema(AUTOMATION_ACTION_TYPES[name])
    if name != "pool_code":
        return schema
    failures = {"oneOf": [_action(n) for n in AUTOMATION_ACTION_TYPES if n != "pool_code"]}
    on_failure = {
        "type": "array",
        "minItems": 1,
        "items": failures,
        "description": "What runs instead of the rest of the branch when the pool has no code left.",
    }
    return {**schema, "properties": {**schema["properties"], "on_failure": on_failure}}


ACTION_SCHEMA: dict[str, Any] = {
    "description": "A program's action, or `record_event` or `internal_email`; a `pool_code` action may "
    "carry `on_failure`. Templates may use `{{ code }}`, the pool code the branch took.",
    "oneOf": [_action(name) for name in AUTOMATION_ACTION_TYPES],
}

BRANCH_SCHEMA = _object(
    "branch",
    ["actions"],
    "The first branch whose `when` holds runs its actions in order (no `when`: otherwise).",
    name={"type": "string", "maxLength": 200},
    when={"oneOf": [{"$ref": _REF + "AutomationCondition"}, {"type": "null"}]},
    actions={"type": "array", "minItems": 1, "items": {"$ref": _REF + "AutomationAction"}},
)

DEFINITION_SCHEMA: dict[str, Any] = {
    **_object(
        "AutomationDefinition",
        ["key", "name", "trigger", "branches"],
        "An automation: refused on save (422) with each problem's field path when it names a template, "
        "pool, user or aggregate the store does not have, or is malformed.",
        key={"type": "string", "pattern": "^[a-z0-9_-]{1,64}$"},
        name={"type": "string", "minLength": 1, "maxLength": 200},
        trigger={"$ref": _REF + "AutomationTrigger"},
        audience={"oneOf": [{"$ref": _REF + "AutomationCondition"}, {"type": "null"}]},
        branches={"type": "array", "minItems": 1, "items": {"$ref": _REF + "AutomationBranch"}},
        active_from={"type": ["string", "null"], "format": "date", "description": "Days before it never fire."},
        send_at_local_hour={
            "type": ["integer", "null"],
            "minimum": 0,
            "maximum": 23,
            "description": "Its messages wait until this hour on the day, in the customer's time zone.",
        },
        active={"type": "boolean", "default": True},
    ),
    "example": ANNIVERSARY,
}

#: The schemas the OpenAPI document's components hold (added in http/__init__.py).
COMPONENTS = {
    "AutomationDefinition": DEFINITION_SCHEMA,
    "AutomationTrigger": TRIGGER_SCHEMA,
    "AutomationCondition": CONDITION_SCHEMA,
    "AutomationBranch": BRANCH_SCHEMA,
    "AutomationAction": ACTION_SCHEMA,
}

#: A request body that is a definition, or (`patch`) some of its fields.
DEFINITION_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": _REF + "AutomationDefinition"}}},
}
PATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "description": "Fields of the definition to change (`active`, `name`, ...); the rest stay.",
                "example": {"active": False},
            }
        }
    },
}


def _ref(name: str, nullable: bool = False) -> Any:
    """A component's schema for a field (a bare `$ref` is one pydantic looks up, and it knows none of these)."""
    ref = {"$ref": _REF + name}
    return WithJsonSchema({"oneOf": [ref, {"type": "null"}]} if nullable else {"allOf": [ref]})


class Automation(BaseModel):
    """An automation: its definition, and when it was created and last changed."""

    key: str
    name: str
    trigger: Annotated[dict[str, Any], _ref("AutomationTrigger")]
    audience: Annotated[dict[str, Any] | None, _ref("AutomationCondition", nullable=True)]
    branches: Annotated[
        list[dict[str, Any]], WithJsonSchema({"type": "array", "items": {"$ref": _REF + "AutomationBranch"}})
    ]
    active_from: dt.date | None
    send_at_local_hour: int | None
    active: bool
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, saved: kept.Saved) -> Automation:
        return cls(**saved.automation.as_dict(), created_at=saved.created_at, updated_at=saved.updated_at)


class AutomationRun(BaseModel):
    """An automation's run of one store-local day."""

    date: dt.date
    candidates: int = Field(description="Customers the trigger held for.")
    audience: int = Field(description="Of those, the ones the audience let in.")
    fired: int = Field(description="Firings written (a customer the day already fired for is not counted again).")
    skipped: int = Field(description="In the audience but in no branch.")
    stopped: int = Field(
        description="Rests of a branch after a wait that did not run: the automation was off, or the customer "
        "had left its audience."
    )
    branches: dict[str, int] = Field(description="Firings per branch name.")
    started_at: Timestamp
    finished_at: Timestamp

    @classmethod
    def of(cls, run: kept.Run) -> AutomationRun:
        return cls(
            date=run.day,
            candidates=run.candidates,
            audience=run.audience,
            fired=run.fired,
            skipped=run.skipped,
            stopped=run.stopped,
            branches=run.branches,
            started_at=run.started_at,
            finished_at=run.finished_at,
        )


_OUTCOMES = {
    "type": "array",
    "items": {"type": "object", "required": ["type", "status"], "properties": {"type": {"type": "string"}}},
    "description": "What each action did, in order: its `type`, `status` (done, queued, skipped, failed) and "
    "`detail`; `on_failure: true` on what ran because the pool had no code.",
}


class RunCustomer(BaseModel):
    """A customer an automation fired for on a day."""

    customer_id: str
    milestone_id: str = Field(description="The firing in the milestone log, like mst_12.")
    branch: str | None
    actions: Annotated[list[dict[str, Any]], WithJsonSchema(_OUTCOMES)]

    @classmethod
    def of(cls, found: kept.RunCustomer) -> RunCustomer:
        milestone = format_id("milestone", found.firing_id)
        return cls(customer_id=found.customer_id, milestone_id=milestone, branch=found.branch, actions=found.outcomes)


class RunMiss(BaseModel):
    """A customer an automation reached on a day and fired nothing for, and why."""

    customer_id: str
    name: str | None
    email: str | None
    reason: str = Field(
        description="`no_branch` (in the audience, in no branch), or the rest of a branch after a wait stopped: "
        "`left_audience`, `disabled`, `branch_gone`."
    )
    why: str = Field(description="The reason in words, like `no branch matched`.")
    detail: dict[str, Any] = Field(
        description="`no_branch`: `branches`, each `{name, failed}` (the conditions that did not hold, with the "
        "customer's value); a stopped rest: its `branch`, and for `left_audience` the audience's `failed` conditions."
    )

    @classmethod
    def of(cls, found: kept.RunMiss) -> RunMiss:
        return cls(
            customer_id=found.customer_id,
            name=found.name,
            email=found.email,
            reason=found.reason,
            why=found.why,
            detail=found.detail,
        )


class StartIn(Body):
    """Start an automation for one customer now."""

    customer_id: Annotated[str, text(200), Field(description="The store's own customer id, as sent in events.")]
    idempotency_key: Annotated[
        IdempotencyKey | None,
        Field(description="A retry with the same key starts it once. Or send the Idempotency-Key header."),
    ] = None


class Started(BaseModel):
    """What a request to start an automation did: started (by which branch, and what each
    action did) or not, and why."""

    automation: str
    customer_id: str
    started: bool
    reason: Literal[tuple(REASONS)] | None = Field(  # type: ignore[valid-type]
        description="Not started: why. disabled (switched off), not_active_yet (its active_from is later), "
        "daily_trigger (it starts on its days, not on request), not_in_audience, no_branch (in the audience, "
        "in no branch)."
    )
    detail: str = Field(description="The same, in words.")
    branch: str | None
    milestone_id: str | None = Field(description="Started: the firing in the milestone log, like mst_12.")
    actions: Annotated[list[dict[str, Any]], WithJsonSchema(_OUTCOMES)]
    repeated: bool = Field(
        description="True when an earlier request with the same idempotency key started it: this is its "
        "answer, each action as it stands now, and nothing started again."
    )

    @classmethod
    def of(cls, done: Start) -> Started:
        milestone = format_id("milestone", done.firing_id) if done.firing_id is not None else None
        return cls(
            automation=done.automation,
            customer_id=done.customer_id,
            started=done.started,
            reason=done.reason,
            detail=done.detail,
            branch=done.branch,
            milestone_id=milestone,
            actions=done.actions,
            repeated=done.repeated,
        )
