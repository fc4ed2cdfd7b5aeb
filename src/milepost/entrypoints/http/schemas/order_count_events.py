"""Order count events (new, changed and as answered) and the tag conditions rules share."""

from __future__ import annotations

from pydantic import BaseModel, Field

from milepost.entrypoints.http.schemas.requests import Actions, Body, Condition, Count, Name, Patch, keep
from milepost.entrypoints.http.schemas.responses import ActionList, Timestamp
from milepost.entrypoints.http.wire import public_id
from milepost.service.rules import RuleDetails


class TagCondition(BaseModel):
    tag: str
    has: bool = Field(description="true: customers who have the tag; false: customers who lack it.")


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
        r = d.rule
        return cls(
            id=public_id("order_count_event", r.id),
            name=r.name,
            count=r.threshold,
            active=r.active,
            conditions=[TagCondition(tag=c.tag, has=c.present) for c in r.conditions],
            actions=[a.as_dict() for a in r.actions],
            version=r.version,
            created_at=d.created_at,
            updated_at=d.updated_at,
        )


class OrderCountEventChange(OrderCountEvent):
    excluded: int = Field(
        description="Customers already at or past the count when this change armed the event: "
        "they never get it (events are not retroactive)."
    )

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
