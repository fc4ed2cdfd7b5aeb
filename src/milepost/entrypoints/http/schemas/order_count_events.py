"""Order count events (new, changed and as answered), and what the answers of every kind of
rule share: tag conditions, the fields shown alike, and the customers a change leaves out."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from milepost.entrypoints.http.schemas.requests import Actions, Body, Condition, Count, Name, Patch, keep
from milepost.entrypoints.http.schemas.responses import ActionList, Timestamp, from_record
from milepost.entrypoints.http.wire import public_id
from milepost.service.rules import RuleDetails


class TagCondition(BaseModel):
    tag: str
    has: bool = Field(description="true: customers who have the tag; false: customers who lack it.")


def rule_fields(kind: str, d: RuleDetails) -> dict[str, Any]:
    """What the answer of every kind of rule shows alike: its public id (`kind`: of the
    id's prefix), conditions, actions and times."""
    r = d.rule
    return {
        "id": public_id(kind, r.id),
        "conditions": [TagCondition(tag=c.tag, has=c.present) for c in r.conditions],
        "actions": [a.as_dict() for a in r.actions],
        "created_at": d.created_at,
        "updated_at": d.updated_at,
    }


def excluded_field(noun: str, mark: str) -> Any:
    """The `excluded` of a change that armed a rule (`noun`: event, program) at its `mark`."""
    return Field(
        description=f"Customers already at or past the {mark} when this change armed the {noun}: "
        f"they never get it ({noun}s are not retroactive)."
    )


class OrderCountEvent(BaseModel):
    id: str = Field(examples=["oce_12"])
    name: str
    count: int
    active: bool
    conditions: list[TagCondition]
    actions: ActionList
    version: int = Field(description="Goes up with every change; the milestone log names the version that fired.")
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, d: RuleDetails) -> OrderCountEvent:
        """Its name, active and version are the rule's own."""
        return from_record(cls, d.rule, count=d.rule.threshold, **rule_fields("order_count_event", d))


class OrderCountEventChange(OrderCountEvent):
    excluded: int = excluded_field("event", "count")

    @classmethod
    def of(cls, d: RuleDetails) -> OrderCountEventChange:
        return cls(**OrderCountEvent.of(d).model_dump(), excluded=d.excluded)


class OrderCountEventIn(Body):
    name: Name
    count: Count
    actions: Actions
    conditions: list[Condition] = Field(default_factory=list, max_length=50)
    active: bool = True


class OrderCountEventPatch(Patch):
    name: Name = keep()
    count: Count = keep()
    actions: Actions = keep(description="Replaces every action.")
    conditions: list[Condition] = keep(max_length=50, description="Replaces every condition; [] for none.")
    active: bool = keep()
