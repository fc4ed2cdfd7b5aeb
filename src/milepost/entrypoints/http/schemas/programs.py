"""Milestone programs: what the admin sends (new, changed) and what it gets back."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, Strict

from milepost.domain.aggregates import METRICS
from milepost.domain.journeys import MAX_STEPS
from milepost.domain.rules import MAX_COUNT, MAX_INACTIVE_DAYS, RULE_KINDS
from milepost.domain.rules import MAX_THRESHOLD as MAX_THRESHOLD_BY_METRIC
from milepost.entrypoints.http.schemas.order_count_events import TagCondition, excluded_field, rule_fields
from milepost.entrypoints.http.schemas.requests import Actions, Body, Condition, Name, Patch, keep
from milepost.entrypoints.http.schemas.responses import ActionList, Timestamp, from_record
from milepost.service.rules import CLEARABLE, MAX_CLAWBACK_DAYS, RuleDetails

MAX_THRESHOLD = max(MAX_THRESHOLD_BY_METRIC.values())  # amounts and points; counts stop at MAX_COUNT

if TYPE_CHECKING:  # the names are only known at run time
    MetricName = str
    RuleKind = str
else:
    MetricName = Literal[tuple(METRICS)]
    RuleKind = Literal[tuple(RULE_KINDS)]
Metric = Annotated[
    MetricName,
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
    """A field left out stays as it is; `null` removes `starts_at`, `ends_at` or `clawback_days`
    and is refused for the other fields."""

    clearable = CLEARABLE

    name: Name = keep()
    threshold: Threshold = keep()
    actions: Actions = keep(description="Replaces every action.")
    conditions: list[Condition] = keep(max_length=50, description="Replaces every condition; [] for none.")
    active: bool = keep()
    starts_at: WindowTime | None = Field(None, description=f"A new start of the window; null: no start. {_STARTS}")
    ends_at: WindowTime | None = Field(None, description=f"A new end of the window; null: no end. {_ENDS}")
    clawback_days: ClawbackDays | None = Field(None, description=f"{_CLAWBACK} 0 or null: keep from now on.")


# -- what it gets back --------------------------------------------------------------------------


class Program(BaseModel):
    id: str = Field(examples=["prg_12"])
    kind: RuleKind = Field(
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
        """The other fields are the rule's attributes of the same name."""
        steps = [s.as_dict() for s in d.rule.steps] or None
        return from_record(cls, d.rule, steps=steps, **rule_fields("program", d))


class ProgramChange(Program):
    excluded: int = excluded_field("program", "threshold")

    @classmethod
    def of(cls, d: RuleDetails) -> ProgramChange:
        return cls(**Program.of(d).model_dump(), excluded=d.excluded)
